"""Filters for `GET /events`, shared by the API and the dashboard. Bad values are 400s."""

import django_filters

from config.datetimes import InRangeDateTimeMixin
from events.models import Event


class InRangeIsoDateTimeField(InRangeDateTimeMixin, django_filters.fields.IsoDateTimeField):
    pass


class InRangeIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = InRangeIsoDateTimeField


class EventFilterSet(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=Event.Type.choices, help_text="One event type.")
    enrollmentId = django_filters.CharFilter(
        field_name="enrollment_id", help_text="Events about this enrollment."
    )
    programInstanceId = django_filters.CharFilter(
        field_name="program_instance_id", help_text="Events about this program instance."
    )
    createdAfter = InRangeIsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gt",
        help_text="ISO 8601 date or datetime: events strictly after it.",
    )

    class Meta:
        model = Event
        fields = ["type", "enrollmentId", "programInstanceId", "createdAfter"]
