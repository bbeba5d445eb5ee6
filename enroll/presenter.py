"""The enrollment form as a presenter: POST data in, the API's own request body out.

`EnrollmentForm.parse()` turns the posted inputs into the JSON body the API takes, validates
it with the API's serializer (`EnrollmentCreateSerializer`: one validation, not two) and checks
the form's required fields with the same function the lifecycle guard uses. Errors from either,
and the services' domain errors, are mapped back onto the inputs and listed all at once, in the
words of the form's own labels (never `firstName`).
"""

from dataclasses import dataclass, field

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.api.errors import domain_details
from config.errors import DomainError
from enrollments.api.serializers import EnrollmentCreateSerializer
from instances.formconfig import (
    _DEFAULT_LABELS,
    FIELD_ATTRIBUTES,
    form_config_fields,
    form_config_missing_fields,
)

# The address block's inputs: (input name = API key, label, model attribute, autocomplete).
ADDRESS_PARTS = (
    ("streetOne", gettext_lazy("Street address"), "street_one", "address-line1"),
    ("streetTwo", gettext_lazy("Apartment, suite (optional)"), "street_two", "address-line2"),
    ("city", gettext_lazy("City"), "city", "address-level2"),
    ("state", gettext_lazy("State"), "state", "address-level1"),
    ("postalCode", gettext_lazy("ZIP code"), "postal_code", "postal-code"),
)
INPUT_TYPES = {"email": "email", "phone": "tel", "deviceCapacity": "number"}
AUTOCOMPLETE = {
    "firstName": "given-name",
    "lastName": "family-name",
    "email": "email",
    "phone": "tel",
}
DEVICE_FIELDS = ("deviceType", "manufacturerSlugs", "deviceCapacity", "serialNumber")
ATTRIBUTE_OF_INPUT = {
    **{name: attrs[0] for name, attrs in FIELD_ATTRIBUTES.items() if name != "address"},
    **{part: attr for part, _label, attr, _auto in ADDRESS_PARTS},
}


@dataclass
class Input:
    """One input as the template draws it."""

    name: str
    label: str
    required: bool
    help_text: str = ""
    type: str = "text"
    autocomplete: str = ""
    value: str = ""
    readonly: bool = False
    errors: list[str] = field(default_factory=list)


class EnrollmentForm:
    def __init__(
        self, instance, *, lang: str, data=None, initial: dict | None = None, invited=None
    ):
        self.instance = instance
        self.config = instance.form_config or {}
        self.fields = form_config_fields(self.config, lang)
        self.asked = {f.name for f in self.fields}
        self.data = data
        self.initial = initial or {}
        # An invitation completes its own enrollment: the invited address is not editable.
        self.invited_email = invited.email if invited is not None else None
        self.errors: list[tuple[str, str]] = []  # (input name, "Label: message")
        self.consent_error = False  # set by the view when the terms were not accepted
        self.inputs: dict[str, Input] = {}
        self._build()

    # --- drawing --------------------------------------------------------------------------
    def _label(self, form_field) -> str:
        default = _DEFAULT_LABELS[form_field.name]
        return _(default) if form_field.label == default else form_field.label

    def _value(self, name: str) -> str:
        if name == "email" and self.invited_email:
            return self.invited_email
        if self.data is not None:
            return (self.data.get(name) or "").strip()
        value = self.initial.get(name, "")
        if isinstance(value, list):
            return ", ".join(value)
        return "" if value is None else str(value)

    def _build(self) -> None:
        for form_field in self.fields:
            if form_field.name == "address":
                for part, label, _attr, auto in ADDRESS_PARTS:
                    required = form_field.required and part != "streetTwo"
                    self.inputs[part] = Input(
                        part, str(label), required, autocomplete=auto, value=self._value(part)
                    )
                continue
            self.inputs[form_field.name] = Input(
                name=form_field.name,
                label=self._label(form_field),
                required=form_field.required,
                help_text=form_field.help_text,
                type=INPUT_TYPES.get(form_field.name, "text"),
                autocomplete=AUTOCOMPLETE.get(form_field.name, ""),
                value=self._value(form_field.name),
                readonly=form_field.name == "email" and bool(self.invited_email),
            )

    def sections(self) -> dict[str, list[Input]]:
        """The inputs grouped as the page shows them: about you, address, device."""
        groups: dict[str, list[Input]] = {"person": [], "address": [], "device": []}
        for form_field in self.fields:
            if form_field.name == "address":
                groups["address"] = [self.inputs[part] for part, *_rest in ADDRESS_PARTS]
            elif form_field.name in DEVICE_FIELDS:
                groups["device"].append(self.inputs[form_field.name])
            else:
                groups["person"].append(self.inputs[form_field.name])
        return groups

    # --- parsing --------------------------------------------------------------------------
    def api_body(self) -> dict:
        """The posted values as the API's JSON body (only the inputs this form shows)."""
        body: dict = {"identificationType": "customerInfo"}
        for name in self.asked - {"address"}:
            value = self._value(name)
            if not value:
                continue
            if name == "manufacturerSlugs":
                body[name] = [slugify(v) for v in value.split(",") if slugify(v)]
            else:
                body[name] = value
        if "address" in self.asked:
            address = {part: self._value(part) for part, *_rest in ADDRESS_PARTS}
            address = {k: v for k, v in address.items() if v}
            if address:
                body["address"] = {**address, "country": "US"}
        return body

    def parse(self) -> dict | None:
        """The service's `data` dict, or None with `self.errors` filled (all of them)."""
        serializer = EnrollmentCreateSerializer(data=self.api_body())
        valid = serializer.is_valid()
        if not valid:
            self._add_details(serializer.errors)
        values = {attr: self._value(name) for name, attr in ATTRIBUTE_OF_INPUT.items()}
        for missing in form_config_missing_fields(self.config, _Values(values)):
            self.add_error(missing.name, _("This field is required."))
        if self.errors:
            return None
        data = dict(serializer.validated_data)
        data.pop("programInstanceId", None)
        data.pop("identification_type", None)
        return data

    # --- errors ---------------------------------------------------------------------------
    def add_error(self, name: str, message: str) -> None:
        if name == "address":
            targets = [p for p, *_rest in ADDRESS_PARTS if p != "streetTwo"]
            targets = [p for p in targets if not self._value(p)] or targets[:1]
        else:
            targets = [name]
        for target in targets:
            item = self.inputs.get(target)
            if item is None:
                self.errors.append(("", message))
                continue
            if message not in item.errors:
                item.errors.append(message)
                self.errors.append((target, f"{item.label}: {message}"))

    def _add_details(self, details, prefix: str = "") -> None:
        for key, value in details.items():
            if isinstance(value, dict):
                self._add_details(value, prefix=key)
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for item in value:
                    self._add_details(item, prefix=key)
            else:
                messages = value if isinstance(value, list) else [value]
                name = key if key in self.inputs else prefix or key
                for message in messages:
                    self.add_error(name, str(message))

    def add_domain_error(self, error: DomainError) -> None:
        """A service's refusal, beside the fields it names, or at the top in its own words."""
        # Services name fields as the domain does (snake_case); the page's inputs carry the
        # API's names, so translate the keys the one way the API's error handler does.
        named = domain_details(error.details or {})
        details = {k: v for k, v in named.items() if k in self.inputs or k == "address"}
        if details:
            self._add_details(details)
        else:
            self.errors.append(("", error.message))


class _Values:
    """Posted values under the model's attribute names, for `form_config_missing_fields`."""

    def __init__(self, values: dict):
        self.__dict__.update(values)
