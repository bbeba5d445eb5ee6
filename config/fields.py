"""Serializer and filter fields shared by the programs and instances APIs and payloads (in
config, so that neither app imports the other for them)."""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.datetimes import OUT_OF_RANGE_MESSAGE, is_in_range, to_utc


class DateOutOfRangeError(ValueError):
    """A well-formed date or datetime outside `config.datetimes`' supported range."""


def parse_date_or_datetime(raw: str, *, end_of_day: bool = False) -> dt.datetime | None:
    """`2025-01-01` or `2025-01-01T00:00:00Z`. A bare date means the start of that day in UTC,
    or its last second for an end date (so `endDate: 2025-12-31` includes the 31st).

    None if `raw` is not a date; DateOutOfRangeError if it is one too close to year 1 or 9999
    (it would overflow in the database or in day arithmetic)."""
    raw = raw.strip()
    try:
        if len(raw) == 10:
            day = parse_date(raw)
            if day is None:
                return None
            clock = dt.time(23, 59, 59) if end_of_day else dt.time(0, 0)
            value = dt.datetime.combine(day, clock, tzinfo=dt.UTC)
        else:
            value = parse_datetime(raw)
            if value is None:
                return None
    except ValueError:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    if not is_in_range(value):
        raise DateOutOfRangeError(OUT_OF_RANGE_MESSAGE)
    return to_utc(value)


@extend_schema_field(OpenApiTypes.DATETIME)
class DateOrDateTimeField(serializers.DateTimeField):
    """Accepts a date or a datetime (the contract allows both); always answers a datetime."""

    def __init__(self, *args, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(*args, **kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_date_or_datetime(value, end_of_day=self.end_of_day)
            except DateOutOfRangeError as error:
                raise serializers.ValidationError(str(error)) from None
            if parsed is None:
                raise serializers.ValidationError(
                    f"Not a date or datetime: {value!r}. Use 2025-01-01 or 2025-01-01T00:00:00Z."
                )
            return parsed
        raise serializers.ValidationError("Must be a date or datetime string.")

    def to_representation(self, value):
        if value is None:
            return None
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
