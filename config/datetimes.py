"""The range of instants the API accepts, so every stored or compared datetime stays usable.

Python datetimes stop at years 1 and 9999. An ISO string such as `9999-12-31T23:59:59-05:00`
parses fine but overflows when converted to UTC (SQLite's adapter, `activeOn`'s end of day),
and PostgreSQL would store it and then fail to read it back. Keeping one day of margin at both
ends makes every conversion and the "whole day" arithmetic safe; no energy program needs more.
"""

import datetime as dt

from django import forms

EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)
OUT_OF_RANGE_MESSAGE = "Out of range: use a date between 0001-01-02 and 9999-12-30."


def is_in_range(value: dt.datetime) -> bool:
    """True if `value` (aware or naive, naive read as UTC) lies within [EARLIEST, LATEST]."""
    if timezone_is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return EARLIEST <= value <= LATEST


def to_utc(value: dt.datetime) -> dt.datetime:
    """An in-range aware datetime in UTC (naive ones are returned unchanged).

    Python accepts offsets up to ±23:59 but PostgreSQL only up to ±15:59, so a `+22:00` value
    sent as is was a PostgreSQL 500; the same instant in UTC is always accepted.
    """
    return value if timezone_is_naive(value) else value.astimezone(dt.UTC)


def timezone_is_naive(value: dt.datetime) -> bool:
    return value.tzinfo is None or value.utcoffset() is None


class InRangeDateTimeMixin:
    """For Django form (and django-filter) datetime fields: out-of-range values are a 400, and
    the value goes to the database in UTC."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        if not is_in_range(result):
            raise forms.ValidationError(OUT_OF_RANGE_MESSAGE, code="out_of_range")
        return to_utc(result)


class InRangeDateTimeField(InRangeDateTimeMixin, forms.DateTimeField):
    """The one datetime form field of every dashboard form (and any other Django form): same
    range rule and UTC conversion as the API. Offsets beyond PostgreSQL's ±15:59 are accepted
    because the value is converted to UTC before it is stored."""


class InRangeSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date + time pair with the same rule (the admin has its own widget)."""

    def compress(self, data_list):
        result = super().compress(data_list)
        if result is None:
            return None
        if not is_in_range(result):
            raise forms.ValidationError(OUT_OF_RANGE_MESSAGE, code="out_of_range")
        return to_utc(result)


def install_admin_datetime_rule() -> None:
    """Make every admin DateTimeField use InRangeSplitDateTimeField.

    Called from an AppConfig.ready() that runs after the admin's autodiscovery: it updates the
    defaults (for admins registered later) and every admin already registered, so no app's
    admin can forget the rule."""
    from django.contrib import admin
    from django.contrib.admin import options
    from django.db import models

    options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.DateTimeField]["form_class"] = (
        InRangeSplitDateTimeField
    )
    for model_admin in admin.site._registry.values():
        override = model_admin.formfield_overrides.setdefault(models.DateTimeField, {})
        if override.get("form_class") in (None, forms.SplitDateTimeField):
            override["form_class"] = InRangeSplitDateTimeField
