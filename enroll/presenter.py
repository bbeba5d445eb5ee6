"""The enrollment form as a presenter: POST data in, the service's data out.

Its inputs come from the instance's form config and the enrollment's input spec
(`enrollments.inputs`: labels, input types; the State is a choice list of the program's
states, the Device type one of the instance's accepted types where it has them).
`EnrollmentForm.parse()` cleans the posted values with the spec (`clean_input`, the function
`enrollment_create` runs) and checks the form's required fields with the function the
lifecycle's guard of `submitted` uses, so every problem is listed at once, in the words of the
form's own labels (never `firstName`); the services' refusals land on the same inputs.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from config.errors import DomainError, DomainValidationError
from enrollments.inputs.field import ADDRESS, DEVICE
from enrollments.inputs.forms import form_field_label, missing_form_fields, state_choices
from enrollments.inputs.spec import BY_API_NAME, BY_NAME, FIELDS, clean_input
from instances.formconfig import form_config_fields

# The address block's inputs (the page is for US homes: the country is the US).
ADDRESS_PARTS = tuple(
    spec.api_name for spec in FIELDS if spec.group == ADDRESS and spec.name != "country"
)
INPUT_TYPES = {"email": "email", "phone": "tel", "decimal": "number"}
AUTOCOMPLETE = {
    "firstName": "given-name",
    "lastName": "family-name",
    "email": "email",
    "phone": "tel",
    "streetOne": "address-line1",
    "streetTwo": "address-line2",
    "city": "address-level2",
    "state": "address-level1",
    "postalCode": "postal-code",
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
    choices: list[tuple[str, str]] = field(default_factory=list)


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
    def _value(self, name: str) -> str:
        if name == "email" and self.invited_email:
            return self.invited_email
        if self.data is not None:
            return (self.data.get(name) or "").strip()
        value = self.initial.get(name, "")
        if isinstance(value, list):
            return ", ".join(value)
        return "" if value is None else str(value)

    def _choices(self, name: str) -> list[tuple[str, str]]:
        """A choice list where the answer is one of a known few: the program's states, the
        instance's accepted device types (a typo then cannot make a customer ineligible)."""
        if name == "state":
            return state_choices(self.instance.program.states or None)
        if name == "deviceType":
            criteria = self.instance.eligibility_criteria
            accepted = criteria.get("deviceTypes") if isinstance(criteria, dict) else None
            return [(t, t.replace("_", " ").capitalize()) for t in accepted or []]
        return []

    def _input(self, name: str, *, label: str, required: bool, help_text="") -> Input:
        spec = BY_API_NAME[name]
        return Input(
            name=name,
            label=label,
            required=required,
            help_text=help_text,
            type=INPUT_TYPES.get(spec.kind, "text"),
            autocomplete=AUTOCOMPLETE.get(name, ""),
            value=self._value(name),
            readonly=name == "email" and bool(self.invited_email),
            choices=self._choices(name),
        )

    def _build(self) -> None:
        for form_field in self.fields:
            if form_field.name == "address":
                for part in ADDRESS_PARTS:
                    required = form_field.required and part != "streetTwo"
                    label = str(BY_API_NAME[part].label)
                    if part == "streetTwo":
                        label = _("%(label)s (optional)") % {"label": label}
                    self.inputs[part] = self._input(part, label=label, required=required)
                continue
            self.inputs[form_field.name] = self._input(
                form_field.name,
                label=form_field_label(form_field),
                required=form_field.required,
                help_text=form_field.help_text,
            )

    def sections(self) -> dict[str, list[Input]]:
        """The inputs grouped as the page shows them: about you, address, device."""
        groups: dict[str, list[Input]] = {"person": [], "address": [], "device": []}
        for form_field in self.fields:
            if form_field.name == "address":
                groups["address"] = [self.inputs[part] for part in ADDRESS_PARTS]
            elif BY_API_NAME[form_field.name].group == DEVICE:
                groups["device"].append(self.inputs[form_field.name])
            else:
                groups["person"].append(self.inputs[form_field.name])
        return groups

    # --- parsing --------------------------------------------------------------------------
    def posted_data(self) -> dict:
        """The posted values of the inputs this form shows, under the domain's names (the
        address nested, in the US)."""
        data: dict = {}
        for name in self.inputs:
            value = self._value(name)
            if value:
                data[BY_API_NAME[name].name] = value
        if "address" in self.asked:
            address = {n: data.pop(n) for n in list(data) if BY_NAME[n].group == ADDRESS}
            if address:
                data["address"] = {**address, "country": "US"}
        return data

    def parse(self) -> dict | None:
        """The service's `data` dict, or None with `self.errors` filled (all of them)."""
        data = self.posted_data()
        clean = None
        try:
            clean = clean_input(data)
        except DomainValidationError as refusal:
            self._add_details(refusal.details)
        for missing in missing_form_fields(self.config, _Values(clean or {}, data)):
            self.add_error(missing.name, _("This field is required."))
        if self.errors:
            return None
        return data

    # --- errors ---------------------------------------------------------------------------
    def add_error(self, name: str, message: str) -> None:
        if name in BY_NAME:  # the domain's name of an input
            name = BY_NAME[name].api_name
        if name == "address":
            targets = [p for p in ADDRESS_PARTS if p != "streetTwo"]
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
        # API's names (`add_error` translates).
        named = error.details or {}
        details = {
            k: v
            for k, v in named.items()
            if isinstance(v, list) and (k in BY_NAME and BY_NAME[k].api_name in self.inputs)
        }
        if details:
            self._add_details(details)
        else:
            self.errors.append(("", error.message))


class _Values:
    """Posted values under the model's attribute names, for `missing_form_fields` (the
    cleaned ones where they cleaned, else as typed)."""

    def __init__(self, clean: dict, posted: dict):
        flat = {**posted, **posted.get("address", {}), **clean}
        self.__dict__.update(flat)
