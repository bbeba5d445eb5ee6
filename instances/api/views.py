from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import scopes as scope_names
from config.api.viewsets import ScopedModelViewSet
from config.errors import DomainValidationError, ForbiddenError
from instances.api.serializers import (
    EligibilityCheckSerializer,
    EligibilityResultSerializer,
    ProgramInstanceSerializer,
)
from instances.eligibility import evaluate
from instances.filtersets import ProgramInstanceFilterSet
from instances.models import ProgramInstance
from instances.selectors import (
    customer_enrolled_program_slugs,
    eligibility_subject_build,
    enrollments_available,
)
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
    action_scopes = {"eligibility": scope_names.INSTANCES_READ}

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
        enrolled = {s.strip().lower() for s in data.get("enrolledProgramSlugs", []) if s.strip()}
        customer_id = data.get("customerId")
        if customer_id and not self.tenant.has_scope(scope_names.CUSTOMERS_READ):
            # The answer would tell whether the customer exists and where they are enrolled.
            raise ForbiddenError(
                "customerId needs the customers:read scope; send enrolledProgramSlugs instead.",
                details={"customerId": ["Needs customers:read."]},
            )
        if customer_id:
            if not enrollments_available():
                raise DomainValidationError(
                    "customerId cannot be used yet: enrollments are not installed. Send "
                    "enrolledProgramSlugs instead.",
                    details={"customerId": ["Not available."]},
                )
            found = customer_enrolled_program_slugs(
                workspace=self.tenant.workspace, customer_id=customer_id
            )
            if found is None:
                raise DomainValidationError(
                    f"No customer {customer_id!r} in this workspace.",
                    details={"customerId": ["No such customer."]},
                )
            enrolled |= found
        address = data.get("address") or {}
        subject = eligibility_subject_build(
            state=address.get("state", ""),
            postal_code=address.get("postalCode", ""),
            device_type=data.get("deviceType", ""),
            manufacturers=data.get("manufacturerSlugs", []),
            capacity=data.get("deviceCapacity"),
            reference_id=data.get("referenceId", ""),
            enrolled_program_slugs=enrolled,
        )
        result = evaluate(criteria=instance.eligibility_criteria, subject=subject).as_dict()
        result["criteriaVersion"] = instance.criteria_version
        return Response(result)
