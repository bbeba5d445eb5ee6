from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts import scopes as scope_names
from config.api.viewsets import ScopedCreateListRetrieveUpdateViewSet
from programs.api.serializers import ProgramSerializer
from programs.filtersets import ProgramFilterSet
from programs.models import Program
from programs.services import (
    ProgramData,
    program_create,
    program_organization_resolve,
    program_update,
)

SLUG_PARAMETER = OpenApiParameter(
    "programSlug", str, OpenApiParameter.PATH, description="The program's slug."
)


def _program_data(validated: dict) -> ProgramData:
    fields = dict(validated)
    if "organization_id" in fields:
        reference = fields.pop("organization_id")
        fields["organization"] = (
            program_organization_resolve(reference=reference) if reference else None
        )
    if fields.get("type") is None and "type" in fields:
        fields["type"] = ""
    if fields.get("description") is None and "description" in fields:
        fields["description"] = ""
    return ProgramData(**fields)


@extend_schema_view(
    retrieve=extend_schema(parameters=[SLUG_PARAMETER]),
    partial_update=extend_schema(parameters=[SLUG_PARAMETER]),
)
class ProgramViewSet(ScopedCreateListRetrieveUpdateViewSet):
    """The program catalog: public programs plus the caller organization's private ones.

    Creating and editing programs is platform administration (`programs:admin`). Visibility is
    the same for every caller, platform staff included: another organization's private program
    is 404 here; staff manage those in the Django admin.
    """

    queryset = Program.objects.all()
    serializer_class = ProgramSerializer
    filterset_class = ProgramFilterSet
    lookup_field = "slug"
    lookup_url_kwarg = "programSlug"
    read_scope = scope_names.PROGRAMS_READ
    write_scope = scope_names.PROGRAMS_ADMIN

    def get_object(self):
        """By slug (the contract's `{programSlug}`), or by id for clients that hold one."""
        queryset = self.filter_queryset(self.get_queryset())
        value = self.kwargs[self.lookup_url_kwarg]
        program = queryset.filter(slug=value).first() or queryset.filter(pk=value).first()
        if program is None:
            raise NotFound("No such program.")
        self.check_object_permissions(self.request, program)
        return program

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        program = program_create(data=_program_data(serializer.validated_data), actor=self.tenant)
        body = self.get_serializer(program).data
        return Response(body, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        program = self.get_object()
        serializer = self.get_serializer(program, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        program = program_update(
            program=program, data=_program_data(serializer.validated_data), actor=self.tenant
        )
        return Response(self.get_serializer(program).data)
