from django import forms

from accounts import scopes as scope_names
from accounts.models import Membership
from config.datetimes import InRangeDateTimeField
from dashboard.forms.base import DashboardForm
from dashboard.words import SCOPE_DESCRIPTIONS


class MemberAddForm(DashboardForm):
    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices, initial="viewer")


class MemberRoleForm(DashboardForm):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)


class ApiKeyCreateForm(DashboardForm):
    name = forms.CharField(label="Name", max_length=200)
    full = forms.BooleanField(
        label="Full key (every scope you hold)",
        required=False,
        help_text="Leave unticked and pick scopes below for a scoped key.",
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes", required=False, widget=forms.CheckboxSelectMultiple
    )
    expires_at = InRangeDateTimeField(
        label="Expires at (optional)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, granter_scopes=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only scopes the creator holds; the service refuses others anyway.
        self.fields["scopes"].choices = [
            (s, f"{SCOPE_DESCRIPTIONS.get(s, s)} ({s})")
            for s in scope_names.WORKSPACE_SCOPES
            if s in granter_scopes
        ]
        self.full_allowed = set(scope_names.WORKSPACE_SCOPES) <= set(granter_scopes)

    def clean(self):
        data = super().clean()
        if data.get("full") and not self.full_allowed:
            self.add_error("full", "Only someone holding every scope can create a full key.")
        elif not data.get("full") and not data.get("scopes"):
            self.add_error("scopes", "Pick at least one scope, or tick Full key.")
        return data
