from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts import scopes as scope_names
from config.api.viewsets import ScopedModelViewSet, WorkspaceScopedViewSetMixin
from config.errors import DomainValidationError, ForbiddenError
from instances.api.serializers import (
    EligibilityCheckSerializer,
    EligibilityResultSerializer,
    TermsVersionSerializer,
)
from instances.filtersets import ProgramInstanceFilterSet
from instances.models import ProgramInstance
from instances.payloads import ProgramInstanceSerializer
from instances.selectors import eligibility_dry_run
from instances.services import instance_create, instance_delete, instance_update
from programs.selectors import program_get_visible


def create_instance_response(view, serializer, program) -> Response:
    """Shared by POST /programInstances and POST /programs/{slug}/instances."""
    instance = instance_create(
        workspace=view.tenant.workspace,
        program=program,
        data=serializer.service_data(),
        actor=view.tenant,
    )
    body = ProgramInstanceSerializer(instance, context=view.get_serializer_context()).data
    return Response(body, status=status.HTTP_201_CREATED)


def check_program_reference(serializer, program) -> None:
    """A body that also names the program must name the same one as the URL."""
    slug, program_id = serializer.program_reference()
    if (slug and slug != program.slug) or (program_id and program_id != program.pk):
        raise DomainValidationError(
            "The body names a different program than the URL.",
            details={"programSlug": ["Must match the program in the URL, or be omitted."]},
        )


class ProgramInstanceViewSet(ScopedModelViewSet):
    """The workspace's program instances: deployments of a program with their own branding,
    rules, form, dates and status."""

    queryset = ProgramInstance.objects.select_related("program", "workspace")
    lookup_url_kwarg = "instanceId"
    serializer_class = ProgramInstanceSerializer
    filterset_class = ProgramInstanceFilterSet
    read_scope = scope_names.INSTANCES_READ
    write_scope = scope_names.INSTANCES_WRITE
    action_scopes = {"eligibility": scope_names.INSTANCES_READ, "terms": scope_names.INSTANCES_READ}

    @extend_schema(
        responses={201: ProgramInstanceSerializer},
        description="Create an instance in the caller's workspace. Name the program by "
        "`programSlug` or `programId`; another organization's private program is unknown.",
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slug, program_id = serializer.program_reference()
        if not slug and not program_id:
            raise DomainValidationError(
                "Name the program with programSlug (or programId).",
                details={"programSlug": ["This field is required."]},
            )
        workspace = self.tenant.workspace
        program = program_get_visible(workspace=workspace, slug=slug or None) if slug else None
        if slug and program is None:
            raise DomainValidationError(
                f"No program {slug!r} is available to this workspace.",
                details={"programSlug": ["No such program."]},
            )
        if program_id and program is None:
            program = program_get_visible(workspace=workspace, program_id=program_id)
            if program is None:
                raise DomainValidationError(
                    f"No program {program_id!r} is available to this workspace.",
                    details={"programId": ["No such program."]},
                )
        if program_id and program.pk != program_id:
            raise DomainValidationError(
                "programSlug and programId name different programs; send one of them.",
                details={"programId": ["Does not match programSlug."]},
            )
        return create_instance_response(self, serializer, program)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        slug, program_id = serializer.program_reference()
        if (slug and slug != instance.program.slug) or (
            program_id and program_id != instance.program_id
        ):
            raise DomainValidationError(
                "An instance cannot move to another program; create a new instance instead.",
                details={"programSlug": ["Cannot be changed."]},
            )
        instance = instance_update(
            instance=instance, data=serializer.service_data(), actor=self.tenant
        )
        return Response(self.get_serializer(instance).data)

    @extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(description="The instance has enrollments: archive it."),
        }
    )
    def destroy(self, request, *args, **kwargs):
        instance_delete(instance=self.get_object(), actor=self.tenant)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=EligibilityCheckSerializer,
        responses=EligibilityResultSerializer,
        description="Dry run: would this person and device be eligible for the instance? "
        "Evaluates every rule and writes nothing.",
    )
    @action(detail=True, methods=["post"], url_path="eligibility")
    def eligibility(self, request, instanceId=None):
        instance = self.get_object()
        serializer = EligibilityCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        address = data.get("address") or {}
        if data.get("customerId") and not self.tenant.has_scope(scope_names.CUSTOMERS_READ):
            # The answer would tell whether the customer exists and where they are enrolled.
            raise ForbiddenError(
                "customerId needs the customers:read scope; send enrolledProgramSlugs instead.",
                details={"customer_id": ["Needs customers:read."]},
            )
        result = eligibility_dry_run(
            workspace=self.tenant.workspace,
            criteria=instance.eligibility_criteria,
            state=address.get("state", ""),
            postal_code=address.get("postalCode", ""),
            device_type=data.get("deviceType", ""),
            manufacturers=data.get("manufacturerSlugs", []),
            capacity=data.get("deviceCapacity"),
            reference_id=data.get("referenceId", ""),
            customer_id=data.get("customerId", ""),
            enrolled_program_slugs=data.get("enrolledProgramSlugs", []),
            program_states=instance.program.states,
        ).as_dict()
        result["criteriaVersion"] = instance.criteria_version
        return Response(result)

    @extend_schema(
        summary="Versions of the instance's terms (newest first)",
        description="Every change of customTerms adds a version; consent evidence on "
        "enrollments names the version and its SHA-256.",
        responses=TermsVersionSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="terms", filterset_class=None)
    def terms(self, request, instanceId=None):
        instance = self.get_object()
        page = self.paginate_queryset(instance.terms_versions.order_by("-version"))
        return self.get_paginated_response(TermsVersionSerializer(page, many=True).data)


class ProgramInstanceOfProgramViewSet(WorkspaceScopedViewSetMixin, viewsets.GenericViewSet):
    """`POST /programs/{programSlug}/instances`: an instance of that program in the caller's
    workspace. It lives with the instances (not in the programs API) so that the programs app
    never imports the instances app."""

    queryset = ProgramInstance.objects.select_related("program", "workspace")
    serializer_class = ProgramInstanceSerializer
    read_scope = scope_names.INSTANCES_WRITE
    write_scope = scope_names.INSTANCES_WRITE

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "programSlug", str, OpenApiParameter.PATH, description="The program's slug."
            )
        ],
        request=ProgramInstanceSerializer,
        responses={201: ProgramInstanceSerializer},
        description="Create an instance of this program in the caller's workspace "
        "(scope instances:write).",
        operation_id="programs_instances_create",
        tags=["programs"],
    )
    def create(self, request, programSlug=None):
        workspace = self.tenant.workspace
        # By slug (the contract's `{programSlug}`), or by id for clients that hold one.
        program = program_get_visible(workspace=workspace, slug=programSlug) or (
            program_get_visible(workspace=workspace, program_id=programSlug)
        )
        if program is None:
            raise NotFound("No such program.")
        serializer = ProgramInstanceSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        check_program_reference(serializer, program)
        return create_instance_response(self, serializer, program)
