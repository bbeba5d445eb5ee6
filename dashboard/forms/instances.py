"""Instance create/edit: plain fields, a structured eligibility-rules editor and a formConfig
field-list editor. The forms only shape input; instances.services validates and writes."""

import re

from django import forms

from config.datetimes import InRangeDateTimeField
from config.states import US_STATES
from dashboard.forms.base import DashboardForm
from instances.formconfig import (
    ALWAYS_ASKED,
    FORM_FIELDS,
    LIMITS,
    NOTIFICATION_DEFAULTS,
    form_config_notifications,
)

_SPLIT = re.compile(r"[\s,;]+")


def split_list(text: str) -> list[str]:
    return [item for item in _SPLIT.split(text or "") if item]


class InstanceForm(DashboardForm):
    name = forms.CharField(label="Name", max_length=200)
    slug = forms.SlugField(
        label="Slug",
        max_length=120,
        required=False,
        help_text="Addresses the public enrollment page; generated from the name when empty.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    logo_url = forms.URLField(
        label="Logo URL", required=False, max_length=500, assume_scheme="https"
    )
    custom_terms = forms.CharField(
        label="Terms", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    start_date = InRangeDateTimeField(
        label="Start",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    end_date = InRangeDateTimeField(
        label="End",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    auto_evaluate = forms.BooleanField(
        label="Evaluate eligibility as soon as an enrollment is created", required=False
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The end must be after the start.")
        return data


class InstanceCreateForm(InstanceForm):
    program = forms.ChoiceField(label="Program")

    field_order = ["program"]

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        # `programs` is the caller's scoped queryset: public ones and the organization's own.
        self.fields["program"].choices = [("", "Choose a program")] + [
            (p.slug, p.name) for p in programs
        ]
        self.order_fields(["program", *[n for n in self.fields if n != "program"]])


class EligibilityForm(DashboardForm):
    """The rule keys of instances.eligibility, one input each; `mode` picks none/text/rules."""

    MODES = [
        ("none", "No criteria"),
        ("text", "Text for people to read"),
        ("rules", "Machine-checked rules"),
    ]

    mode = forms.ChoiceField(
        label="Eligibility criteria", choices=MODES, initial="none", widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="Requirements (text)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    regions = forms.MultipleChoiceField(
        label="States",
        required=False,
        choices=[(c, c) for c in sorted(US_STATES)],
        widget=forms.SelectMultiple(attrs={"size": 6, "data-chips": "states"}),
    )
    postal_codes = forms.CharField(
        label="Postal codes",
        required=False,
        help_text="Separate with commas; 100* matches a prefix.",
    )
    device_types = forms.CharField(
        label="Device types", required=False, help_text="e.g. battery, thermostat"
    )
    manufacturers = forms.CharField(
        label="Manufacturers", required=False, help_text="e.g. tesla, enphase"
    )
    minimum_capacity = forms.DecimalField(
        label="Minimum capacity (kWh)", required=False, min_value=0
    )
    maximum_capacity = forms.DecimalField(
        label="Maximum capacity (kWh)", required=False, min_value=0
    )
    exclude_program_slugs = forms.CharField(
        label="Not while enrolled in (program slugs)", required=False
    )
    require_reference_id = forms.BooleanField(label="Require a reference id", required=False)

    # The criteria object's keys (the API's JSON) and the fields of this form that edit them.
    API_KEYS = {
        "regions": "regions",
        "postalCodes": "postal_codes",
        "deviceTypes": "device_types",
        "manufacturers": "manufacturers",
        "minimumCapacity": "minimum_capacity",
        "maximumCapacity": "maximum_capacity",
        "excludeProgramSlugs": "exclude_program_slugs",
        "requireReferenceId": "require_reference_id",
    }

    @classmethod
    def initial_from(cls, criteria) -> dict:
        if criteria is None or criteria == {}:
            return {"mode": "none"}
        if isinstance(criteria, str):
            return {"mode": "text", "text": criteria}
        initial = {"mode": "rules"}
        for key, name in cls.API_KEYS.items():
            if key in criteria:
                value = criteria[key]
                initial[name] = (
                    ", ".join(value) if isinstance(value, list) and key != "regions" else value
                )
        return initial

    def clean(self):
        data = super().clean()
        if data.get("mode") == "text" and not (data.get("text") or "").strip():
            self.add_error("text", "Write the requirements, or choose No criteria.")
        return data

    def criteria(self):
        """The API-shaped value: None, a string, or an object of rules."""
        data = self.cleaned_data
        if data["mode"] == "none":
            return None
        if data["mode"] == "text":
            return data["text"].strip()
        rules: dict = {}
        if data.get("regions"):
            rules["regions"] = list(data["regions"])
        for key in ("postalCodes", "deviceTypes", "manufacturers", "excludeProgramSlugs"):
            items = split_list(data.get(self.API_KEYS[key], ""))
            if items:
                rules[key] = items
        for key in ("minimumCapacity", "maximumCapacity"):
            value = data.get(self.API_KEYS[key])
            if value is not None:
                rules[key] = int(value) if value == value.to_integral_value() else float(value)
        if data.get("require_reference_id"):
            rules["requireReferenceId"] = True
        return rules


class FormFieldRowForm(DashboardForm):
    """One row of the enrollment-form editor: a known form field (instances.formconfig)."""

    name = forms.CharField(widget=forms.HiddenInput)
    ask = forms.BooleanField(label="Ask", required=False)
    required = forms.BooleanField(label="Required", required=False)
    label = forms.CharField(label="Label", required=False, max_length=LIMITS["label"])
    help_text = forms.CharField(label="Help text", required=False, max_length=LIMITS["helpText"])

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name not in FORM_FIELDS:
            raise forms.ValidationError("Unknown form field.")
        return name

    @property
    def always_asked(self) -> bool:
        return self.initial.get("name") in ALWAYS_ASKED

    def as_config(self) -> dict | None:
        data = self.cleaned_data
        name = data["name"]
        if name in ALWAYS_ASKED:
            row = {"name": name, "required": True}
            if not (data.get("label") or data.get("help_text")):
                return None  # always asked with the default label: nothing to store
        elif not data.get("ask"):
            return None
        else:
            row = {"name": name, "required": bool(data.get("required"))}
        if data.get("label"):
            row["label"] = data["label"]
        if data.get("help_text"):
            row["helpText"] = data["help_text"]
        return row


class BaseFormFieldSet(forms.BaseFormSet):
    def form_fields(self) -> list[dict]:
        return [row for row in (form.as_config() for form in self.forms) if row]


FormFieldFormSet = forms.formset_factory(
    FormFieldRowForm,
    formset=BaseFormFieldSet,
    extra=0,
    max_num=len(FORM_FIELDS),
    validate_max=True,
    absolute_max=len(FORM_FIELDS),
)


def formset_initial(form_config) -> list[dict]:
    """One row per known field: the configured ones first, in their order, then the others."""
    config = form_config if isinstance(form_config, dict) else {}
    given = [row for row in config.get("fields", []) if isinstance(row, dict)]
    by_name = {row.get("name"): row for row in given}
    order = [row.get("name") for row in given if row.get("name") in FORM_FIELDS]
    order += [name for name in FORM_FIELDS if name not in order]
    rows = []
    for name in order:
        row = by_name.get(name, {})
        rows.append(
            {
                "name": name,
                "ask": name in ALWAYS_ASKED or name in by_name,
                "required": name in ALWAYS_ASKED or bool(row.get("required")),
                "label": row.get("label", ""),
                "help_text": row.get("helpText", ""),
            }
        )
    return rows


class FormConfigForm(DashboardForm):
    """The rest of formConfig: branding, texts and notification switches."""

    brand_color = forms.CharField(
        label="Brand colour",
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    use_brand_color = forms.BooleanField(label="Use a brand colour", required=False)
    intro_text = forms.CharField(
        label="Introduction",
        required=False,
        max_length=LIMITS["introText"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    success_message = forms.CharField(
        label="Message after submitting",
        required=False,
        max_length=LIMITS["successMessage"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    embed_origins = forms.CharField(
        label="Websites that may embed the enrollment page",
        required=False,
        help_text="One https address per line, e.g. https://www.example-utility.com",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Initial values are the service's defaults (instances.formconfig), not a copy of them.
    notify_customer = forms.BooleanField(
        label="Email the customer on status changes",
        required=False,
        initial=NOTIFICATION_DEFAULTS["customer"],
    )
    notify_staff = forms.BooleanField(
        label="Email the workspace staff on new enrollments",
        required=False,
        initial=NOTIFICATION_DEFAULTS["staff"],
    )

    @classmethod
    def initial_from(cls, config) -> dict:
        config = config if isinstance(config, dict) else {}
        notifications = form_config_notifications(config)
        return {
            "brand_color": config.get("brandColor") or "#0b6bcb",
            "use_brand_color": bool(config.get("brandColor")),
            "intro_text": config.get("introText", ""),
            "success_message": config.get("successMessage", ""),
            "notify_customer": notifications["customer"],
            "notify_staff": notifications["staff"],
            "embed_origins": "\n".join(config.get("embedOrigins") or []),
        }

    def form_config(self, fields: list[dict]) -> dict:
        data = self.cleaned_data
        config: dict = {}
        if fields:
            config["fields"] = fields
        if data.get("use_brand_color") and data.get("brand_color"):
            config["brandColor"] = data["brand_color"]
        if data.get("intro_text"):
            config["introText"] = data["intro_text"]
        if data.get("success_message"):
            config["successMessage"] = data["success_message"]
        config["notifications"] = {
            "customer": bool(data.get("notify_customer")),
            "staff": bool(data.get("notify_staff")),
        }
        origins = [line.strip() for line in (data.get("embed_origins") or "").splitlines()]
        if any(origins):
            config["embedOrigins"] = [o for o in origins if o]
        return config


class DryRunForm(DashboardForm):
    """The editor's "test an address against these rules" panel (nothing is stored)."""

    state = forms.CharField(label="State", required=False, max_length=50)
    postal_code = forms.CharField(label="Postal code", required=False, max_length=20)
    device_type = forms.CharField(label="Device type", required=False, max_length=50)
    manufacturers = forms.CharField(label="Manufacturers", required=False, max_length=500)
    capacity = forms.DecimalField(
        label="Capacity (kWh)", required=False, min_value=0, max_digits=12, decimal_places=3
    )
    reference_id = forms.CharField(label="Reference id", required=False, max_length=200)
    enrolled = forms.CharField(
        label="Currently enrolled in (program slugs)", required=False, max_length=500
    )

    def subject(self) -> dict:
        data = self.cleaned_data
        return {
            "state": data.get("state", ""),
            "postal_code": data.get("postal_code", ""),
            "device_type": data.get("device_type", ""),
            "manufacturers": split_list(data.get("manufacturers", "")),
            "capacity": data.get("capacity"),
            "reference_id": data.get("reference_id", ""),
            "enrolled_program_slugs": split_list(data.get("enrolled", "")),
        }
