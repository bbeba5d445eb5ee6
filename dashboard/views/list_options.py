"""The enrollments list's options: page size (capped at 100 as the API documents), chosen
columns (remembered in the session), and the member's saved, named filters."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from accounts import scopes as scope_names
from dashboard.mixins import WorkspaceViewMixin
from dashboard.models import SavedFilter
from dashboard.tables import DEFAULT_COLUMNS, column_choices

PER_PAGE = 25
MAX_PER_PAGE = 100
PAGE_SIZES = (10, 25, 50, 100)
MAX_SAVED_FILTERS = 50
# Query parameters a saved filter may keep (the list's filters, sort, page size and columns).
SAVED_KEYS = (
    "search",
    "status",
    "programInstanceId",
    "tag",
    "referenceId",
    "createdAfter",
    "createdBefore",
    "email",
    "manufacturer",
    "customerId",
    "updatedSince",
    "sort",
    "perPage",
    "col",
)
SESSION_COLUMNS = "dashboard.enrollments.columns"


def per_page_from(raw) -> int:
    """`perPage`: 1 to 100; above 100 is capped (not refused), anything else is 25."""
    try:
        return max(1, min(int(raw), MAX_PER_PAGE))
    except (TypeError, ValueError):
        return PER_PAGE


def columns_from(request) -> list[str]:
    """`?col=a&col=b` chooses (and remembers) the columns; `?col=` alone resets them."""
    choices = column_choices()
    if "col" in request.GET:
        chosen = [c for c in request.GET.getlist("col") if c in choices]
        request.session[SESSION_COLUMNS] = chosen or list(DEFAULT_COLUMNS)
        return request.session[SESSION_COLUMNS]
    remembered = request.session.get(SESSION_COLUMNS)
    if isinstance(remembered, list):
        kept = [c for c in remembered if c in choices]
        if kept:
            return kept
    return list(DEFAULT_COLUMNS)


def clean_query(raw: str) -> str:
    """Only the list's own parameters, re-encoded (no page number)."""
    params = QueryDict(raw.lstrip("?"))
    kept = [(key, value) for key in SAVED_KEYS for value in params.getlist(key) if value != ""]
    return urlencode(kept)[:2000]


def saved_filters_of(request, workspace):
    return (
        SavedFilter.objects.for_workspace(workspace)
        .filter(user=request.user)
        .only("id", "name", "query")
    )


class SavedFilterView(WorkspaceViewMixin, View):
    """POST name + query: save (or replace) a named filter; POST delete=<id>: remove one."""

    read_scope = scope_names.ENROLLMENTS_READ
    write_scope = scope_names.ENROLLMENTS_READ  # a personal view setting, not a data change
    http_method_names = ["post"]

    def post(self, request):
        mine = SavedFilter.objects.for_workspace(self.workspace).filter(user=request.user)
        query = clean_query(request.POST.get("query", ""))
        back = reverse("dashboard:enrollment-list") + (f"?{query}" if query else "")
        if request.POST.get("delete"):
            deleted, _ = mine.filter(pk=request.POST["delete"]).delete()
            if deleted:
                messages.success(request, "Saved filter removed.")
            return redirect(back)
        name = " ".join(request.POST.get("name", "").split())[:80]
        if not name:
            messages.error(request, "Give the filter a name, e.g. “NY submissions”.")
            return redirect(back)
        if not query:
            messages.error(request, "Choose some filters first: there is nothing to save.")
            return redirect(back)
        if not mine.filter(name=name).exists() and mine.count() >= MAX_SAVED_FILTERS:
            messages.error(request, f"You can keep {MAX_SAVED_FILTERS} saved filters; remove one.")
            return redirect(back)
        SavedFilter.objects.for_workspace(self.workspace).update_or_create(
            user=request.user, workspace=self.workspace, name=name, defaults={"query": query}
        )
        messages.success(request, f"Saved “{name}”. Find it under Saved filters.")
        return redirect(back)
