"""The enrollment's input fields, declared once, and `clean_input`, which every door calls."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import DomainValidationError
from enrollments.inputs.field import (
    ADDRESS,
    DEVICE,
    OTHER,
    PERSON,
    REFERENCE,
    InputError,
    InputField,
)

# In the order a form shows them (the operator's formConfig order wins on the public page).
FIELDS: tuple[InputField, ...] = (
    InputField(
        "first_name",
        "firstName",
        gettext_lazy("First name"),
        group=PERSON,
        max_length=100,
        aliases=("first", "givenname", "forename"),
    ),
    InputField(
        "last_name",
        "lastName",
        gettext_lazy("Last name"),
        group=PERSON,
        max_length=100,
        aliases=("last", "surname", "familyname"),
    ),
    InputField(
        "email",
        "email",
        gettext_lazy("Email"),
        kind="email",
        group=PERSON,
        max_length=254,
        aliases=("emailaddress", "mail", "email1"),
    ),
    InputField(
        "phone",
        "phone",
        gettext_lazy("Phone"),
        kind="phone",
        group=PERSON,
        max_length=40,
        aliases=("phonenumber", "telephone", "tel", "mobile"),
    ),
    InputField(
        "street_one",
        "streetOne",
        gettext_lazy("Street address"),
        group=ADDRESS,
        max_length=200,
        aliases=("street", "street1", "address", "address1", "addressline1", "streetaddress"),
    ),
    InputField(
        "street_two",
        "streetTwo",
        gettext_lazy("Apartment, suite"),
        group=ADDRESS,
        max_length=200,
        aliases=("street2", "address2", "addressline2"),
    ),
    InputField(
        "city", "city", gettext_lazy("City"), group=ADDRESS, max_length=100, aliases=("town",)
    ),
    InputField(
        "state",
        "state",
        gettext_lazy("State"),
        kind="state",
        group=ADDRESS,
        max_length=50,
        aliases=("region", "province"),
    ),
    InputField(
        "postal_code",
        "postalCode",
        gettext_lazy("ZIP code"),
        kind="postal_code",
        group=ADDRESS,
        max_length=20,
        aliases=("zip", "zipcode", "postcode"),
    ),
    InputField("country", "country", gettext_lazy("Country"), group=ADDRESS, max_length=60),
    InputField(
        "device_type",
        "deviceType",
        gettext_lazy("Device type"),
        group=DEVICE,
        max_length=50,
        aliases=("device",),
    ),
    InputField(
        "manufacturer_slugs",
        "manufacturerSlugs",
        gettext_lazy("Device manufacturer"),
        kind="slug_list",
        group=DEVICE,
        max_length=100,
        max_items=50,
        item_label=gettext_lazy("manufacturer"),
        aliases=("manufacturers", "manufacturer"),
        help_text=gettext_lazy("Separate several with commas, e.g. tesla, enphase."),
    ),
    InputField(
        "device_capacity",
        "deviceCapacity",
        gettext_lazy("Device capacity (kWh)"),
        kind="decimal",
        group=DEVICE,
        aliases=("capacity", "capacitykwh"),
    ),
    InputField(
        "serial_number",
        "serialNumber",
        gettext_lazy("Serial number"),
        group=DEVICE,
        max_length=200,
        aliases=("serial", "serialno"),
    ),
    InputField(
        "reference_id",
        "referenceId",
        gettext_lazy("Utility account number"),
        group=REFERENCE,
        max_length=200,
        aliases=("reference", "ref", "customernumber", "accountnumber"),
    ),
    InputField(
        "reference_description",
        "referenceDescription",
        gettext_lazy("Reference description"),
        group=REFERENCE,
        max_length=500,
        aliases=("description",),
    ),
    InputField(
        "tags",
        "tags",
        gettext_lazy("Tags"),
        kind="list",
        max_length=100,
        max_items=100,
        item_label=gettext_lazy("tag"),
        aliases=("tag",),
        help_text=gettext_lazy("Separate several with commas."),
    ),
    InputField("metadata", "metadata", gettext_lazy("Other data"), kind="object"),
)
BY_NAME: dict[str, InputField] = {spec.name: spec for spec in FIELDS}
BY_API_NAME: dict[str, InputField] = {spec.api_name: spec for spec in FIELDS}
PERSON_FIELDS = tuple(spec.name for spec in FIELDS if spec.group == PERSON)
ADDRESS_FIELDS = tuple(spec.name for spec in FIELDS if spec.group == ADDRESS)
# What an enrollment continues from the one before it (identificationType enrollmentId).
DETAIL_FIELDS = tuple(spec.name for spec in FIELDS if spec.group in (DEVICE, REFERENCE, OTHER))
EDITABLE_FIELDS = (*PERSON_FIELDS, *DETAIL_FIELDS)
# Every enrollment has a person: these three, given or filled from the customer, lead or
# previous enrollment, whatever the identification type.
REQUIRED_PERSON_FIELDS = ("first_name", "last_name", "email")


def clean_input(data: dict, *, fields: tuple[str, ...] | None = None) -> dict:
    """`data` (domain names; the address nested as `address` or flat) with every given field
    cleaned by its spec; keys that are not input fields are passed through untouched (the
    callers refuse them in their own terms). Every refusal at once: a `DomainValidationError`
    whose details name each field (snake_case) with its reason.

    `fields` limits which spec fields are read (the others pass through)."""
    clean = dict(data)
    address = clean.pop("address", None)
    if isinstance(address, dict):
        for name in ADDRESS_FIELDS:
            if name in address:
                clean[name] = address[name]
    elif address is not None:
        raise DomainValidationError(
            _("Address: enter the street, city, state and ZIP code."),
            details={"address": [_("Enter the street, city, state and ZIP code.")]},
        )
    wanted = BY_NAME if fields is None else {n: BY_NAME[n] for n in fields if n in BY_NAME}
    country = clean.get("country") if isinstance(clean.get("country"), str) else ""
    errors: dict[str, list[str]] = {}
    for name, spec in wanted.items():
        if name not in clean:
            continue
        try:
            clean[name] = spec.clean(clean[name], country=country)
        except InputError as refusal:
            errors[name] = [str(refusal)]
    if errors:
        raise input_error(errors)
    return clean


def input_error(errors: dict[str, list[str]]) -> DomainValidationError:
    """One refusal naming every field: "Label: reason" for the first, the details for all."""
    first = next(iter(errors))
    spec = BY_NAME.get(first)
    label = str(spec.label) if spec else first
    more = len(errors) - 1
    message = f"{label}: {errors[first][0]}"
    if more:
        message += " " + _("(and %(count)d more)") % {"count": more}
    return DomainValidationError(message, details=errors)


def missing_person_fields(values: dict) -> list[str]:
    """The person fields every enrollment needs that `values` lacks."""
    return [name for name in REQUIRED_PERSON_FIELDS if not values.get(name)]
