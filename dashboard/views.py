"""Dashboard pages. Every page resolves the signed-in user's workspace through accounts.tenancy."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.tenancy import get_tenant


@login_required
def overview(request):
    tenant = get_tenant(request)
    return render(request, "dashboard/overview.html", {"tenant": tenant})
