from django import forms

from dashboard.forms.base import DashboardForm
from events.models import Event


class WebhookForm(DashboardForm):
    url = forms.URLField(label="Endpoint URL", max_length=2000, assume_scheme="https")
    description = forms.CharField(label="Description", required=False, max_length=500)
    event_types = forms.MultipleChoiceField(
        label="Events",
        required=False,
        choices=[(t, t) for t in Event.Type.values],
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event type.",
    )
