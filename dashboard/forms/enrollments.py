"""Enrollment edit, transition and bulk-action forms. enrollments.services owns the rules."""

from django import forms

from accounts.scopes import ENROLLMENTS_WRITE as EVALUATE_SCOPE
from dashboard.forms.base import DashboardForm
from dashboard.forms.instances import split_list
from enrollments.models import EnrollmentStatus
from enrollments.transitions import bulk_moves


class EnrollmentEditForm(DashboardForm):
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    email = forms.EmailField(label="Email", max_length=254)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    street_one = forms.CharField(label="Street", max_length=200, required=False)
    street_two = forms.CharField(label="Street (line 2)", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    state = forms.CharField(label="State", max_length=50, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    country = forms.CharField(label="Country", max_length=60, required=False)
    device_type = forms.CharField(label="Device type", max_length=50, required=False)
    device_capacity = forms.DecimalField(
        label="Device capacity (kWh)", required=False, min_value=0, max_digits=12, decimal_places=3
    )
    manufacturer_slugs = forms.CharField(
        label="Manufacturers",
        required=False,
        help_text="Comma-separated slugs, e.g. tesla, enphase",
    )
    serial_number = forms.CharField(label="Serial number", max_length=200, required=False)
    reference_id = forms.CharField(label="Reference id", max_length=200, required=False)
    reference_description = forms.CharField(
        label="Reference description", max_length=500, required=False
    )
    tags = forms.CharField(label="Tags", required=False, help_text="Comma-separated")

    LIST_FIELDS = ("manufacturer_slugs", "tags")

    @classmethod
    def initial_from(cls, enrollment) -> dict:
        initial = {name: getattr(enrollment, name) for name in cls.base_fields}
        for name in cls.LIST_FIELDS:
            initial[name] = ", ".join(getattr(enrollment, name) or [])
        return initial

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in self.LIST_FIELDS:
            data[name] = [item for item in split_list(data.get(name, "").replace(";", ","))]
        return data


class EnrollmentCreateForm(EnrollmentEditForm):
    """The same fields; the person's name and email identify (or create) the customer."""

    def service_data(self) -> dict:
        data = super().service_data()
        # Empty optional values are simply not given (the service fills them from the customer).
        return {k: v for k, v in data.items() if v not in ("", None, [])}


class TransitionForm(DashboardForm):
    """Whether a reason is required is the transition table's rule, checked by the service;
    its refusal comes back on the `reason` field (`add_domain_error`)."""

    to = forms.ChoiceField(label="Move to", choices=EnrollmentStatus.choices)
    reason = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


EVALUATE = ("evaluate", "Evaluate eligibility")


INVITE = ("invite", "Invite to finish on the enrollment page")


def bulk_action_choices(tenant) -> list[tuple[str, str]]:
    """Evaluation and invitations (enrollments:write), and the table's bulk moves this member
    may make."""
    writer = tenant.has_scope(EVALUATE_SCOPE)
    choices = [EVALUATE] if writer else []
    moves = [(row.target, row.label) for row in bulk_moves(tenant.scopes)]
    return choices + moves + ([INVITE] if writer else [])


class BulkActionForm(DashboardForm):
    action = forms.ChoiceField(label="Action")
    reason = forms.CharField(label="Reason", required=False, max_length=2000)
    ids = forms.MultipleChoiceField(  # choices: the ids posted, checked below
        label="Enrollments",
        error_messages={
            "required": "Select at least one enrollment with the checkboxes in the list first."
        },
    )

    MAX_ROWS = 500

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = bulk_action_choices(tenant)
        posted = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(i, i) for i in posted]

    def clean_ids(self):
        ids = list(dict.fromkeys(self.cleaned_data["ids"]))
        if len(ids) > self.MAX_ROWS:
            raise forms.ValidationError(f"Select at most {self.MAX_ROWS} enrollments at a time.")
        return ids
