"""One input field and how its value is cleaned: trimmed, normalised (an email in lower case, a
state name to its code, a short ZIP code zero-padded), bounded, or refused with a reason a
person can act on."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from config.states import us_state_code

PERSON, ADDRESS, DEVICE, REFERENCE, OTHER = "person", "address", "device", "reference", "other"
US_COUNTRIES = frozenset({"", "US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA"})
_ZIP = re.compile(r"^(\d{5})(?:[- ]?(\d{4}))?$")
_SLUG = re.compile(r"^[a-z0-9_-]+$")
_PHONE = re.compile(r"^\+?[0-9 ().\-/]+(?:\s*(?:x|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)


class InputError(Exception):
    """One field's refusal, in words for people (no field name: the caller knows it)."""


@dataclass(frozen=True)
class InputField:
    """One editable field of an enrollment.

    `kind`: text, email, phone, state, postal_code, decimal, list, slug_list or object.
    `max_length` bounds text (and each item of a list, with `max_items` the count).
    `aliases`: the spellings of a file's column header that mean this field (letters and
    digits only, lower case; the API name and the label match anyway).
    """

    name: str
    api_name: str
    label: Any  # a lazy translated string
    kind: str = "text"
    group: str = OTHER
    max_length: int | None = None
    max_items: int | None = None
    item_label: Any = None  # the word for one item of a list ("tag")
    aliases: tuple[str, ...] = ()
    help_text: Any = ""

    @property
    def is_list(self) -> bool:
        return self.kind in ("list", "slug_list")

    def clean(self, value: Any, *, country: str = "") -> Any:
        """The stored value of `value`, or `InputError` with the reason."""
        return _CLEANERS[self.kind](self, value, country)


def _text(spec: InputField, value: Any, _country: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool | list | dict | tuple | set):
        raise InputError(_("Enter text here."))
    text = str(value).strip()
    if "\x00" in text:
        raise InputError(_("This text holds a character that cannot be stored."))
    if spec.max_length is not None and len(text) > spec.max_length:
        raise InputError(
            _("At most %(limit)d characters (this has %(count)d).")
            % {"limit": spec.max_length, "count": len(text)}
        )
    return text


def _email(spec: InputField, value: Any, country: str = "") -> str:
    text = _text(spec, value, country).lower()
    if text:
        try:
            validate_email(text)
        except DjangoValidationError:
            raise InputError(_("Enter a valid email address, like name@example.com.")) from None
    return text


def _phone(spec: InputField, value: Any, country: str = "") -> str:
    text = " ".join(_text(spec, value, country).split())
    if text and (not _PHONE.match(text) or sum(c.isdigit() for c in text) < 7):
        raise InputError(_("Enter a phone number with at least 7 digits, like +1 555 010 0100."))
    return text


def _is_us(country: str) -> bool:
    return " ".join((country or "").upper().split()) in US_COUNTRIES


def _state(spec: InputField, value: Any, country: str = "") -> str:
    text = _text(spec, value, country)
    if not text:
        return ""
    if _is_us(country):
        code = us_state_code(text)
        if code is None:
            raise InputError(_("Enter a US state, like CA or California."))
        return code
    return text.upper()


def _postal_code(spec: InputField, value: Any, country: str = "") -> str:
    text = _text(spec, value, country).upper()
    if text and _is_us(country):
        if text.isdigit() and 3 <= len(text) <= 4:
            text = text.zfill(5)  # a spreadsheet dropped New England's leading zeros
        match = _ZIP.match(text)
        if match is None:
            raise InputError(_("Enter a 5-digit ZIP code, like 10001 (or ZIP+4, 10001-1234)."))
        return "-".join(part for part in match.groups() if part)
    return text


def _decimal(spec: InputField, value: Any, _country: str = "") -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | list | dict):
        raise InputError(_("Enter a number, like 13.5."))
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise InputError(_("Enter a number, like 13.5.")) from None
    if not number.is_finite():
        raise InputError(_("Enter a number, like 13.5."))
    if number < 0:
        raise InputError(_("Enter 0 or more."))
    if -number.as_tuple().exponent > 3:
        raise InputError(_("Use at most 3 decimal places."))
    if number >= Decimal(10) ** 9:
        raise InputError(_("Enter a number below 1,000,000,000."))
    return number


def _items(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[,;|]", value)]
    if isinstance(value, list | tuple):
        return list(value)
    raise InputError(_("Enter a list, separated by commas."))


def _list(spec: InputField, value: Any, _country: str = "") -> list[str]:
    """Trimmed, de-duplicated, order kept; every item within the limits."""
    seen: list[str] = []
    for item in _items(value):
        if item is None or isinstance(item, list | dict | bool):
            raise InputError(_("Each item is a piece of text."))
        text = str(item).strip()
        if spec.kind == "slug_list":
            text = "-".join(text.lower().split())
            if text and not _SLUG.match(text):
                raise InputError(
                    _("Use lower-case letters, digits and hyphens only, like %(example)s.")
                    % {"example": "tesla, enphase-energy"}
                )
        if not text or text in seen:
            continue
        if spec.max_length is not None and len(text) > spec.max_length:
            raise InputError(
                _("Each %(item)s has at most %(limit)d characters (one has %(count)d).")
                % {"item": spec.item_label, "limit": spec.max_length, "count": len(text)}
            )
        seen.append(text)
    if spec.max_items is not None and len(seen) > spec.max_items:
        raise InputError(
            _("At most %(limit)d (this has %(count)d).")
            % {"limit": spec.max_items, "count": len(seen)}
        )
    return seen


def _object(_spec: InputField, value: Any, _country: str = "") -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(_("Enter named values (a JSON object)."))
    return value


_CLEANERS: dict[str, Callable[[InputField, Any, str], Any]] = {
    "text": _text,
    "email": _email,
    "phone": _phone,
    "state": _state,
    "postal_code": _postal_code,
    "decimal": _decimal,
    "list": _list,
    "slug_list": _list,
    "object": _object,
}
