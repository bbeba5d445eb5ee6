"""Candidate imports over HTTP: start one on an instance (multipart `file` or JSON `rows`),
follow its progress, read its per-row report, cancel it. The views only shape requests and
answers; `enrollments.imports.service` does the work (the same service as every other door)."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts import scopes as scope_names
from config.api.parsers import JSONParser
from config.api.serializers import ApiSerializer
from config.api.viewsets import ScopedReadOnlyViewSet, WorkspaceScopedViewSetMixin
from enrollments.api.serializers import ActorSerializer
from enrollments.api.views import _instance_of
from enrollments.imports import service
from enrollments.imports.models import Import, ImportRow


class ImportSerializer(serializers.Serializer):
    """The import as every endpoint returns it."""

    id = serializers.CharField(read_only=True)
    programInstanceId = serializers.CharField(source="program_instance_id", read_only=True)
    status = serializers.ChoiceField(choices=Import.Status.choices, read_only=True)
    dryRun = serializers.BooleanField(source="dry_run", read_only=True)
    notifyEligible = serializers.BooleanField(source="notify_eligible", read_only=True)
    fileName = serializers.CharField(source="file_name", read_only=True)
    totalRows = serializers.IntegerField(source="total_rows", read_only=True)
    processedRows = serializers.IntegerField(source="processed_rows", read_only=True)
    created = serializers.IntegerField(read_only=True)
    updated = serializers.IntegerField(read_only=True)
    unchanged = serializers.IntegerField(read_only=True)
    failed = serializers.IntegerField(read_only=True)
    eligible = serializers.IntegerField(read_only=True)
    ineligible = serializers.IntegerField(read_only=True)
    invited = serializers.IntegerField(read_only=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    startedAt = serializers.DateTimeField(source="started_at", read_only=True, allow_null=True)
    finishedAt = serializers.DateTimeField(source="finished_at", read_only=True, allow_null=True)
    createdBy = serializers.SerializerMethodField()

    @extend_schema_field(ActorSerializer)
    def get_createdBy(self, imp) -> dict:
        if imp.created_by_api_key_id:
            kind, ident = "apiKey", imp.created_by_api_key_id
        elif imp.created_by_id:
            kind, ident = "user", str(imp.created_by_id)
        else:
            kind, ident = "system", None
        return {"type": kind, "id": ident, "label": imp.actor_label}


class ImportErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class ImportRowSerializer(serializers.Serializer):
    rowNumber = serializers.IntegerField(source="row_number", read_only=True)
    result = serializers.ChoiceField(choices=ImportRow.Result.choices, read_only=True)
    enrollmentId = serializers.CharField(source="enrollment_id", read_only=True, allow_null=True)
    errors = ImportErrorSerializer(many=True, read_only=True)
    eligible = serializers.BooleanField(read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True)


class ImportStartSerializer(ApiSerializer):
    file = serializers.FileField(required=False, help_text="A .csv or .xlsx file (multipart).")
    rows = serializers.ListField(
        child=serializers.JSONField(), required=False, help_text="Or the rows as JSON objects."
    )
    dryRun = serializers.BooleanField(required=False, default=False)
    evaluate = serializers.BooleanField(required=False, default=True)
    notifyEligible = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Email the self-enrollment invitation to each row that becomes eligible "
        "(real runs only; counted in `invited`).",
    )

    def validate(self, attrs):
        if ("file" in attrs) == ("rows" in attrs):
            raise ValidationError({"file": ["Send either a file (multipart) or rows (JSON)."]})
        return attrs


class ImportFilterSet(django_filters.FilterSet):
    programInstanceId = django_filters.CharFilter(field_name="program_instance_id")
    status = django_filters.ChoiceFilter(choices=Import.Status.choices)

    class Meta:
        model = Import
        fields = []


class ImportRowFilterSet(django_filters.FilterSet):
    result = django_filters.ChoiceFilter(choices=ImportRow.Result.choices)

    class Meta:
        model = ImportRow
        fields = []


@extend_schema_view(
    list=extend_schema(summary="List imports"),
    retrieve=extend_schema(summary="Get an import (its progress)"),
)
class ImportViewSet(ScopedReadOnlyViewSet):
    """The workspace's imports, newest first."""

    queryset = Import.objects.all()
    serializer_class = ImportSerializer
    filterset_class = ImportFilterSet
    read_scope = scope_names.ENROLLMENTS_READ
    write_scope = scope_names.ENROLLMENTS_WRITE
    action_scopes = {"rows": scope_names.ENROLLMENTS_READ}

    @extend_schema(
        summary="The import's per-row report",
        parameters=[
            OpenApiParameter("result", OpenApiTypes.STR, enum=ImportRow.Result.values),
        ],
        responses=ImportRowSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def rows(self, request, pk=None):
        imp = self.get_object()
        filterset = ImportRowFilterSet(request.query_params, queryset=imp.rows.all())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs.order_by("row_number"))
        return self.get_paginated_response(ImportRowSerializer(page, many=True).data)

    @extend_schema(summary="Cancel an import", request=None, responses=ImportSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        imp = service.import_cancel(imp=self.get_object(), actor=self.tenant)
        return Response(ImportSerializer(imp).data)


@extend_schema_view(
    create=extend_schema(
        summary="Import candidates into a program instance (runs in the background)",
        parameters=[OpenApiParameter("instanceId", OpenApiTypes.STR, OpenApiParameter.PATH)],
        request={
            "multipart/form-data": ImportStartSerializer,
            "application/json": ImportStartSerializer,
        },
        responses={202: ImportSerializer},
    ),
)
class InstanceImportViewSet(WorkspaceScopedViewSetMixin, viewsets.GenericViewSet):
    """`POST /programInstances/{instanceId}/imports`: 202 with the queued import."""

    queryset = Import.objects.all()
    serializer_class = ImportSerializer
    parser_classes = [JSONParser, MultiPartParser]
    read_scope = scope_names.ENROLLMENTS_READ
    write_scope = scope_names.ENROLLMENTS_WRITE

    def create(self, request, *args, **kwargs):
        instance = _instance_of(self.tenant, self.kwargs["instanceId"])
        body = ImportStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        upload = data.get("file")
        imp = service.import_start(
            workspace=self.tenant.workspace,
            instance=instance,
            actor=self.tenant,
            file_name=upload.name if upload else "",
            content=upload.read() if upload else None,
            rows=data.get("rows"),
            dry_run=data["dryRun"],
            evaluate=data["evaluate"],
            notify_eligible=data["notifyEligible"],
        )
        return Response(ImportSerializer(imp).data, status=status.HTTP_202_ACCEPTED)
