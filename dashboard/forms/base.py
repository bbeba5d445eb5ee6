from django import forms
from django.forms.renderers import DjangoTemplates


class DashboardFormRenderer(DjangoTemplates):
    """Wraps every field group in `<div class="field">`, so grids lay out one field per cell."""

    field_template_name = "dashboard/forms/field.html"


class DashboardForm(forms.Form):
    """Labels without Django's trailing colon (the layout puts labels above their fields)."""

    default_renderer = DashboardFormRenderer

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
