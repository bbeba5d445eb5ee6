"""Filters of `GET /auditLog` and the dashboard's Activity page (one definition, one set of
validation messages). Every filter is served by an index of AuditEntry."""

import django_filters

from audit.models import AuditEntry
from events.filtersets import InRangeIsoDateTimeFilter


class AuditEntryFilterSet(django_filters.FilterSet):
    objectType = django_filters.CharFilter(
        field_name="object_type", help_text="e.g. programInstance, program, webhookEndpoint."
    )
    objectId = django_filters.CharFilter(field_name="object_id", help_text="One object's id.")
    actorId = django_filters.CharFilter(
        field_name="actor_id", help_text="Entries by this user or API key (its id)."
    )
    action = django_filters.CharFilter(
        field_name="action", help_text="e.g. programInstance.updated, apiKey.revoked."
    )
    since = InRangeIsoDateTimeFilter(
        field_name="at",
        lookup_expr="gte",
        help_text="ISO 8601 date or datetime: entries at or after it.",
    )

    class Meta:
        model = AuditEntry
        fields = ["objectType", "objectId", "actorId", "action", "since"]
