"""Accepting a workspace invitation (accounts.invitations): signed link, signed-in user whose
email the invitation names, one POST. Anyone else gets a 403 that says which account to use."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts.invitations import invitation_accept, invitation_from_token
from accounts.tenancy import SESSION_WORKSPACE_KEY
from config.errors import ConflictError, ForbiddenError, NotFoundError


class InvitationView(LoginRequiredMixin, TemplateView):
    template_name = "dashboard/invitation.html"

    def _invitation(self, token):
        try:
            return invitation_from_token(token)
        except NotFoundError as error:
            raise Http404(error.message) from None

    def get(self, request, token):
        invitation = self._invitation(token)
        mine = (request.user.email or "").lower() == invitation.email.lower()
        if not mine:
            raise PermissionDenied(
                f"This invitation is for {invitation.email}; sign in with that account."
            )
        return self.render_to_response({"invitation": invitation})

    def post(self, request, token):
        invitation = self._invitation(token)
        try:
            membership = invitation_accept(invitation=invitation, user=request.user)
        except ForbiddenError as error:
            raise PermissionDenied(error.message) from None
        except ConflictError as error:
            messages.info(request, error.message)
            return redirect("dashboard:overview")
        request.session[SESSION_WORKSPACE_KEY] = membership.workspace_id
        messages.success(request, f"You joined {membership.workspace} as {membership.role}.")
        return redirect("dashboard:overview")
