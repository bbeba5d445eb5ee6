"""`GET /api/v1/auditLog`: the workspace's audit log, newest first, read-only."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from accounts import scopes as scope_names
from audit.api.serializers import AuditEntrySerializer
from audit.filtersets import AuditEntryFilterSet
from audit.models import AuditEntry
from config.api.viewsets import ScopedReadOnlyViewSet


@extend_schema_view(
    list=extend_schema(summary="List audit log entries, newest first"),
    retrieve=extend_schema(summary="Get one audit log entry"),
)
class AuditEntryViewSet(ScopedReadOnlyViewSet):
    """Who changed what in the workspace (instances, programs, webhooks, keys, members, bulk
    actions). Entries are written by the services and can never be changed or deleted."""

    queryset = AuditEntry.objects.all()
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    read_scope = scope_names.AUDIT_READ
