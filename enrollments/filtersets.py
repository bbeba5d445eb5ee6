"""Filters of enrollments, customers and leads, shared by the API and the dashboard.

Every filter validates its value: a bad value is a 400 naming the parameter (never an empty
list or an ignored filter). Parameters are camelCase as the contract fixes. Tags and
manufacturers go through the EnrollmentTerm index table (portable and indexed).
"""

import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from config.datetimes import InRangeDateTimeMixin
from enrollments.models import Customer, Enrollment, EnrollmentStatus, Lead


class CommaListField(forms.CharField):
    """`a,b,c` → ["a", "b", "c"] (blank items dropped); optional whitelist of choices."""

    def __init__(self, *args, allowed=None, **kwargs):
        self.allowed = list(allowed) if allowed else None
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        items = [item.strip() for item in value.split(",") if item.strip()]
        if self.allowed is not None:
            bad = [item for item in items if item not in self.allowed]
            if bad:
                # Values go in params: django-filter %-formats the message (a literal "%"
                # from the query string would otherwise break it).
                raise forms.ValidationError(
                    "Unknown value(s) %(bad)s; use any of %(allowed)s.",
                    params={"bad": ", ".join(bad), "allowed": ", ".join(self.allowed)},
                )
        return items


@extend_schema_field(OpenApiTypes.STR)
class CommaListFilter(django_filters.Filter):
    field_class = CommaListField

    def __init__(self, *args, allowed=None, **kwargs):
        if allowed is not None:
            kwargs["allowed"] = allowed
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


class DateTimeOrDateField(InRangeDateTimeMixin, forms.DateTimeField):
    """ISO 8601 datetimes (with zone) or plain dates (midnight, in the server's zone)."""

    input_formats = ["%Y-%m-%d"]  # ISO 8601 datetimes are parsed before these

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "out_of_range":
                raise
            raise forms.ValidationError(
                "Not a date or ISO 8601 datetime: %(value)r (e.g. 2025-01-01T00:00:00Z).",
                params={"value": value},
            ) from None


@extend_schema_field(OpenApiTypes.DATETIME)
class DateTimeOrDateFilter(django_filters.Filter):
    field_class = DateTimeOrDateField


class EnrollmentFilterSet(django_filters.FilterSet):
    status = CommaListFilter(
        field_name="status",
        allowed=EnrollmentStatus.values,
        help_text="One status or a comma list (e.g. submitted,approved).",
    )
    programInstanceId = django_filters.CharFilter(field_name="program_instance_id")
    customerId = django_filters.CharFilter(field_name="customer_id")
    email = django_filters.CharFilter(method="filter_email", help_text="Exact, any case.")
    referenceId = django_filters.CharFilter(field_name="reference_id")
    tag = CommaListFilter(method="filter_tag", help_text="Any of these tags (comma list).")
    manufacturer = CommaListFilter(
        method="filter_manufacturer", help_text="Any of these manufacturer slugs (comma list)."
    )
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Words matched in name, email, reference id or serial number (any case).",
    )
    createdAfter = DateTimeOrDateFilter(field_name="created_at", lookup_expr="gte")
    createdBefore = DateTimeOrDateFilter(field_name="created_at", lookup_expr="lt")
    updatedSince = DateTimeOrDateFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Enrollment
        fields: list[str] = []

    def filter_email(self, queryset, name, value):
        return queryset.filter(email=value.strip().lower()) if value else queryset

    def filter_tag(self, queryset, name, value):
        return queryset.with_tag(*value) if value else queryset

    def filter_manufacturer(self, queryset, name, value):
        return queryset.with_manufacturer(*value) if value else queryset

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class _PersonFilterSet(django_filters.FilterSet):
    email = django_filters.CharFilter(method="filter_email", help_text="Exact, any case.")
    referenceId = django_filters.CharFilter(field_name="reference_id")
    search = django_filters.CharFilter(
        method="filter_search", help_text="Words matched in name or email (any case)."
    )
    createdAfter = DateTimeOrDateFilter(field_name="created_at", lookup_expr="gte")

    def filter_email(self, queryset, name, value):
        return queryset.filter(email=value.strip().lower()) if value else queryset

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset


class CustomerFilterSet(_PersonFilterSet):
    class Meta:
        model = Customer
        fields: list[str] = []


class LeadFilterSet(_PersonFilterSet):
    customerId = django_filters.CharFilter(field_name="customer_id")

    class Meta:
        model = Lead
        fields: list[str] = []
