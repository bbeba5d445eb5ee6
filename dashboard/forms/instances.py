"""Instance create/edit: plain fields, a structured eligibility-rules editor and a formConfig
field-list editor. The forms only shape input; instances.services validates and writes."""

import re

from django import forms

from config.states import US_STATES

_SPLIT = re.compile(r"[\s,;]+")


def split_list(text: str) -> list[str]:
    return [item for item in _SPLIT.split(text or "") if item]


class InstanceForm(forms.Form):
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
    start_date = forms.DateTimeField(
        label="Start",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    end_date = forms.DateTimeField(
        label="End",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
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


class EligibilityForm(forms.Form):
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
        widget=forms.SelectMultiple(attrs={"size": 6}),
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

    # Service errors name API keys (eligibilityCriteria.postalCodes); map them to these fields.
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

    def field_for_api_key(self, key: str) -> str | None:
        tail = key.split(".", 1)[1] if key.startswith("eligibilityCriteria.") else None
        return self.API_KEYS.get(tail) if tail else None


FIELD_TYPES = [
    ("text", "Text"),
    ("email", "Email"),
    ("tel", "Phone"),
    ("number", "Number"),
    ("date", "Date"),
    ("select", "Choice"),
    ("checkbox", "Checkbox"),
    ("textarea", "Long text"),
]


class FormFieldRowForm(forms.Form):
    """One question of the public enrollment form: formConfig.fields[i]."""

    name = forms.SlugField(label="Field name", max_length=60, required=False)
    label = forms.CharField(label="Label", max_length=200, required=False)
    type = forms.ChoiceField(label="Type", choices=FIELD_TYPES, initial="text")
    required = forms.BooleanField(label="Required", required=False)
    options = forms.CharField(
        label="Choices", required=False, help_text="For Choice: comma-separated."
    )

    def clean(self):
        data = super().clean()
        if data.get("label") and not data.get("name"):
            self.add_error("name", "Give the field a name (letters, digits, - and _).")
        if (
            data.get("type") == "select"
            and data.get("name")
            and not split_list(data.get("options", ""))
        ):
            self.add_error("options", "A choice field needs at least one choice.")
        return data

    def as_config(self) -> dict | None:
        data = self.cleaned_data
        if not data or not data.get("name"):
            return None
        row = {
            "name": data["name"],
            "label": data.get("label") or data["name"],
            "type": data["type"],
            "required": bool(data.get("required")),
        }
        if data["type"] == "select":
            row["options"] = [
                o.strip() for o in (data.get("options") or "").split(",") if o.strip()
            ]
        return row


class BaseFormFieldSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        names = [f.cleaned_data.get("name") for f in self.forms if getattr(f, "cleaned_data", None)]
        names = [n for n in names if n]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise forms.ValidationError(f"Field names must be unique: {', '.join(duplicates)}.")

    def form_config(self, base: dict | None) -> dict:
        """formConfig with `fields` replaced; other keys (set through the API) are kept."""
        config = dict(base or {})
        fields = [row for row in (f.as_config() for f in self.forms) if row]
        if fields:
            config["fields"] = fields
        else:
            config.pop("fields", None)
        return config


FormFieldFormSet = forms.formset_factory(
    FormFieldRowForm, formset=BaseFormFieldSet, extra=3, max_num=40, validate_max=True
)


def formset_initial(form_config) -> list[dict]:
    rows = []
    for row in (form_config or {}).get("fields", []) if isinstance(form_config, dict) else []:
        if isinstance(row, dict):
            rows.append(
                {
                    "name": row.get("name", ""),
                    "label": row.get("label", ""),
                    "type": row.get("type", "text"),
                    "required": bool(row.get("required")),
                    "options": ", ".join(map(str, row.get("options", []) or [])),
                }
            )
    return rows
