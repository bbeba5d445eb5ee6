"""Program instance filters, shared by the API (`GET /programInstances`) and the dashboard."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from config.fields import DateOutOfRangeError, parse_date_or_datetime
from instances.models import ProgramInstance


class CommaChoiceField(forms.CharField):
    """`active,inactive`: a comma list, each value checked against the choices."""

    def __init__(self, *args, choices=(), **kwargs):
        self.valid = [value for value, _ in choices]
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        items = [item.strip() for item in value.split(",") if item.strip()]
        bad = [item for item in items if item not in self.valid]
        if bad:
            raise forms.ValidationError(
                "Unknown value(s) %(bad)s; use %(valid)s (comma-separated for several).",
                params={"bad": ", ".join(bad), "valid": ", ".join(self.valid)},
            )
        return items


class ActiveOnField(forms.CharField):
    """A date (the whole day) or a datetime (that instant): returns (from, to)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        value = value.strip()
        if "T" in value and " " in value:
            # An unencoded `+02:00` offset arrives as a space in a query string.
            value = value.replace(" ", "+")
        try:
            moment = parse_date_or_datetime(value)
        except DateOutOfRangeError as error:
            raise forms.ValidationError(str(error)) from None
        if moment is not None and len(value) == 10:
            # A bare date: the whole day.
            return moment, moment + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
        if moment is None:
            raise forms.ValidationError(
                "Not a date or datetime: %(value)r. Use 2025-06-01 or 2025-06-01T12:00:00Z.",
                params={"value": value},
            )
        return moment, moment


@extend_schema_field(OpenApiTypes.STR)
class CommaChoiceFilter(django_filters.CharFilter):
    field_class = CommaChoiceField


class ActiveOnFilter(django_filters.CharFilter):
    field_class = ActiveOnField


class ProgramInstanceFilterSet(django_filters.FilterSet):
    programSlug = django_filters.CharFilter(
        field_name="program__slug", help_text="The parent program's slug."
    )
    programId = django_filters.CharFilter(field_name="program_id", help_text="The program's id.")
    status = CommaChoiceFilter(
        method="filter_status",
        choices=ProgramInstance.Status.choices,
        help_text="active, inactive or archived; comma-separated for several.",
    )
    search = django_filters.CharFilter(
        method="filter_search", help_text="Matches name, slug or description (any case)."
    )
    activeOn = ActiveOnFilter(
        method="filter_active_on",
        help_text="A date or datetime: instances that are active and whose startDate..endDate "
        "covers it (open-ended dates count as open).",
    )

    class Meta:
        model = ProgramInstance
        fields = ["programSlug", "programId", "status", "search", "activeOn"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=value) if value else queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(slug__icontains=value) | Q(description__icontains=value)
        )

    def filter_active_on(self, queryset, name, value):
        if not value:
            return queryset
        start, end = value
        return queryset.filter(
            Q(status=ProgramInstance.Status.ACTIVE),
            Q(start_date__isnull=True) | Q(start_date__lte=end),
            Q(end_date__isnull=True) | Q(end_date__gte=start),
        )
