"""The program catalog's filters, shared by the API (`GET /programs`) and the dashboard.

Every filter validates its value: a bad value is a 400 naming the parameter, never an empty
list or an ignored filter. Query parameters are camelCase as the contract fixes.
"""

import django_filters
from django import forms

from config.states import US_STATES
from programs.models import Program

BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]


class StateCodeField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        code = value.strip().upper()
        if code not in US_STATES:
            # The value goes in params: django-filter %-formats messages, so a literal "%" in
            # the query string would otherwise turn a 400 into a 500.
            raise forms.ValidationError(
                "Unknown US state code %(value)r; use a two-letter code such as NY.",
                params={"value": value},
            )
        return code


class StrictBooleanField(forms.ChoiceField):
    """`true`/`false` only (any case); django-filter's default silently ignores `yes`, `1`..."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("", "any"), *BOOLEAN_CHOICES])
        super().__init__(*args, **kwargs)

    def clean(self, value):
        if isinstance(value, str):
            value = value.strip().lower()
        if value not in ("", None, "true", "false"):
            raise forms.ValidationError(
                "Must be true or false, got %(value)r.", params={"value": value}
            )
        value = super().clean(value)
        return None if value in ("", None) else value == "true"


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{self.field_name: value})


class StateFilter(django_filters.CharFilter):
    field_class = StateCodeField


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ProgramFilterSet(django_filters.FilterSet):
    state = StateFilter(
        method="filter_state",
        help_text="A US two-letter code, any case: programs available in that state.",
    )
    visibility = django_filters.ChoiceFilter(choices=Program.Visibility.choices)
    active = StrictBooleanFilter(field_name="active", help_text="true or false.")
    year = IntegerFilter(field_name="year")
    type = django_filters.ChoiceFilter(choices=Program.Type.choices)
    search = django_filters.CharFilter(
        method="filter_search", help_text="Matches name, slug or description (any case)."
    )

    class Meta:
        model = Program
        fields = ["state", "visibility", "active", "year", "type", "search"]

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value) if value else queryset

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
