"""Enrollment edit, transition and bulk-action forms. enrollments.services owns the rules."""

from django import forms

from accounts.scopes import ENROLLMENTS_WRITE as EVALUATE_SCOPE
from dashboard.forms.base import DashboardForm
from enrollments.inputs.field import InputField
from enrollments.inputs.spec import FIELDS as INPUT_FIELDS
from enrollments.inputs.spec import REQUIRED_PERSON_FIELDS
from enrollments.statuses import EnrollmentStatus
from enrollments.transitions import bulk_moves


def _form_field(spec: InputField) -> forms.Field:
    """A text input for one field of the input spec: its label, help and size come from the
    spec, and so does its checking, done by the service (`clean_input`) so the dashboard gives
    the API's answer; `maxlength` only stops a browser from typing past the limit."""
    attrs = {"maxlength": spec.max_length} if spec.max_length and not spec.is_list else {}
    if spec.kind == "decimal":
        attrs = {"inputmode": "decimal"}
    return forms.CharField(
        label=spec.label,
        required=spec.name in REQUIRED_PERSON_FIELDS,
        strip=True,
        help_text=spec.help_text,
        widget=forms.EmailInput(attrs) if spec.kind == "email" else forms.TextInput(attrs),
    )


class EnrollmentEditForm(DashboardForm):
    """The enrollment's editable fields, built from the input spec (enrollments.inputs)."""

    LIST_FIELDS = tuple(spec.name for spec in INPUT_FIELDS if spec.is_list)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in INPUT_FIELDS:
            if spec.kind != "object":  # metadata is the API's and the import's, not a form's
                self.fields[spec.name] = _form_field(spec)

    @classmethod
    def initial_from(cls, enrollment) -> dict:
        initial = {spec.name: getattr(enrollment, spec.name) for spec in INPUT_FIELDS}
        for name in cls.LIST_FIELDS:
            initial[name] = ", ".join(getattr(enrollment, name) or [])
        return initial

    def service_data(self) -> dict:
        """The typed values as the service takes them (it cleans and checks them)."""
        return dict(self.cleaned_data)


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
