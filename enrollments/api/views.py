"""Customers, leads and enrollments over HTTP. Views validate shapes and call the services;
they never write the status or another row themselves."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts import scopes as scope_names
from config.api.viewsets import (
    ScopedCreateListRetrieveUpdateViewSet,
    ScopedModelViewSet,
    WorkspaceScopedViewSetMixin,
)
from config.errors import NotFoundError
from enrollments import services
from enrollments.api.serializers import (
    CustomerSerializer,
    EnrollmentCreateSerializer,
    EnrollmentCreateWithInstanceSerializer,
    EnrollmentEvaluatedSerializer,
    EnrollmentStatusChangeSerializer,
    EnrollmentWriteSerializer,
    InvitationSerializer,
    LeadSerializer,
    TransitionSerializer,
)
from enrollments.filtersets import CustomerFilterSet, EnrollmentFilterSet, LeadFilterSet
from enrollments.models import Customer, Enrollment, Lead
from enrollments.payloads import EnrollmentSerializer
from enrollments.selectors import enrollment_history
from enrollments.services.invitations import enrollment_invite
from instances.models import ProgramInstance


class CustomerViewSet(ScopedCreateListRetrieveUpdateViewSet):
    """The workspace's customers. Email is unique per workspace (any case): a duplicate is a 409
    naming the existing customer."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    read_scope = scope_names.CUSTOMERS_READ
    write_scope = scope_names.CUSTOMERS_WRITE

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(
            workspace=self.tenant.workspace, data=serializer.validated_data, actor=self.tenant
        )

    def perform_update(self, serializer):
        serializer.instance = services.customer_update(
            customer=serializer.instance, data=serializer.validated_data, actor=self.tenant
        )


class LeadViewSet(ScopedCreateListRetrieveUpdateViewSet):
    """The workspace's leads; `customerId` is set once a lead is enrolled (becomes a customer)."""

    queryset = Lead.objects.all()
    serializer_class = LeadSerializer
    filterset_class = LeadFilterSet
    read_scope = scope_names.CUSTOMERS_READ
    write_scope = scope_names.CUSTOMERS_WRITE

    def perform_create(self, serializer):
        serializer.instance = services.lead_create(
            workspace=self.tenant.workspace, data=serializer.validated_data, actor=self.tenant
        )

    def perform_update(self, serializer):
        serializer.instance = services.lead_update(
            lead=serializer.instance, data=serializer.validated_data, actor=self.tenant
        )


def _instance_of(tenant, instance_id: str, *, field: str | None = None) -> ProgramInstance:
    """The caller's instance; another workspace's id answers exactly like an unknown one."""
    instance = (
        ProgramInstance.objects.for_workspace(tenant.workspace)
        .select_related("program")  # enrollment_create checks the program's dates
        .filter(pk=instance_id)
        .first()
    )
    if instance is None:
        if field:
            raise ValidationError({field: ["No program instance with this id in your workspace."]})
        raise NotFoundError("No program instance with this id in your workspace.")
    return instance


def _created(view, enrollment) -> Response:
    body = EnrollmentSerializer(enrollment, context=view.get_serializer_context()).data
    return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List enrollments"),
    retrieve=extend_schema(summary="Get an enrollment"),
    create=extend_schema(
        summary="Create an enrollment (programInstanceId in the body)",
        request=EnrollmentCreateWithInstanceSerializer,
        responses={201: EnrollmentSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an enrollment's data (never its status)",
        request=EnrollmentWriteSerializer,
        responses=EnrollmentSerializer,
    ),
    destroy=extend_schema(summary="Delete an enrollment (its status history is kept)"),
)
class EnrollmentViewSet(ScopedModelViewSet):
    """Enrollments of the caller's workspace. The status changes only through `transitions`
    and `evaluate`."""

    queryset = Enrollment.objects.select_related("program_instance")
    serializer_class = EnrollmentSerializer
    filterset_class = EnrollmentFilterSet
    read_scope = scope_names.ENROLLMENTS_READ
    write_scope = scope_names.ENROLLMENTS_WRITE
    # The service checks enrollments:write, or enrollments:review for approved/rejected.
    action_scopes = {
        "transitions": None,
        "history": scope_names.ENROLLMENTS_READ,
        "invite": scope_names.ENROLLMENTS_WRITE,
    }
    etag_actions = frozenset({"retrieve", "partial_update", "transitions", "evaluate"})

    def create(self, request, *args, **kwargs):
        serializer = EnrollmentCreateWithInstanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        instance = _instance_of(
            self.tenant, data.pop("programInstanceId"), field="programInstanceId"
        )
        enrollment = services.enrollment_create(
            workspace=self.tenant.workspace, instance=instance, data=data, actor=self.tenant
        )
        return _created(self, enrollment)

    def partial_update(self, request, *args, **kwargs):
        enrollment = self.get_object()
        serializer = EnrollmentWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        enrollment = services.enrollment_update(
            enrollment=enrollment, data=dict(serializer.validated_data), actor=self.tenant
        )
        return Response(EnrollmentSerializer(enrollment).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.enrollment_delete(enrollment=self.get_object(), actor=self.tenant)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move an enrollment to another status",
        description=(
            "The only way to change the status. 409 INVALID_TRANSITION when the move is not "
            "allowed now (details.allowed lists the statuses that are); approved and rejected "
            "need the enrollments:review scope, other moves enrollments:write; rejected needs "
            "a reason (400 VALIDATION_ERROR naming reason). The policy of every move is the "
            "table in enrollments/transitions.py."
        ),
        request=TransitionSerializer,
        responses=EnrollmentSerializer,
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        enrollment = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        enrollment = services.enrollment_transition(
            enrollment=enrollment,
            to=data["to"],
            actor=self.tenant,
            reason=data.get("reason", ""),
            metadata=data.get("metadata"),
            start_date=data.get("startDate"),
        )
        return Response(EnrollmentSerializer(enrollment).data)

    @extend_schema(
        summary="Evaluate eligibility: candidate → eligible or ineligible",
        description=(
            "Runs the instance's eligibility rules. An ineligible enrollment is evaluated again "
            "only if the instance's criteria changed since (it first goes back to candidate)."
        ),
        request=None,
        responses=EnrollmentEvaluatedSerializer,
    )
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        if request.data:
            raise ValidationError({"nonFieldErrors": ["This endpoint takes no body."]})
        enrollment, result = services.enrollment_evaluate(
            enrollment=self.get_object(), actor=self.tenant
        )
        body = EnrollmentSerializer(enrollment).data
        body["evaluation"] = result.as_dict()
        return Response(body)

    @extend_schema(
        summary="Invite the customer to finish their enrollment on the public page",
        description=(
            "Emails the enrollment's customer a signed, expiring link to the instance's public "
            "enrollment page, prefilled with what is known; submitting it completes this "
            "enrollment (eligible → submitted after evaluation) instead of creating another. "
            "Only candidate or eligible enrollments of an open instance: else 409 CONFLICT."
        ),
        request=None,
        responses={202: InvitationSerializer},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        if request.data:
            raise ValidationError({"nonFieldErrors": ["This endpoint takes no body."]})
        invitation = enrollment_invite(enrollment=self.get_object(), actor=self.tenant)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Status history (oldest first)",
        responses=EnrollmentStatusChangeSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def history(self, request, pk=None):
        changes = enrollment_history(enrollment=self.get_object())
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(EnrollmentStatusChangeSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="List a program instance's enrollments",
        parameters=[OpenApiParameter("instanceId", OpenApiTypes.STR, OpenApiParameter.PATH)],
    ),
    create=extend_schema(
        summary="Enroll into a program instance",
        parameters=[OpenApiParameter("instanceId", OpenApiTypes.STR, OpenApiParameter.PATH)],
        request=EnrollmentCreateSerializer,
        responses={201: EnrollmentSerializer},
    ),
)
class InstanceEnrollmentViewSet(
    WorkspaceScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """`/programInstances/{instanceId}/enrollments`: the same filters as `/enrollments`."""

    queryset = Enrollment.objects.select_related("program_instance")
    serializer_class = EnrollmentSerializer
    filterset_class = EnrollmentFilterSet
    read_scope = scope_names.ENROLLMENTS_READ
    write_scope = scope_names.ENROLLMENTS_WRITE

    def program_instance(self) -> ProgramInstance:
        if not hasattr(self, "_program_instance"):
            self._program_instance = _instance_of(self.tenant, self.kwargs["instanceId"])
        return self._program_instance

    def get_queryset(self):
        return super().get_queryset().filter(program_instance=self.program_instance())

    def create(self, request, *args, **kwargs):
        instance = self.program_instance()
        serializer = EnrollmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        named = data.pop("programInstanceId", None)
        if named is not None and named != instance.pk:
            raise ValidationError(
                {"programInstanceId": ["Does not match the program instance in the path."]}
            )
        enrollment = services.enrollment_create(
            workspace=self.tenant.workspace, instance=instance, data=data, actor=self.tenant
        )
        return _created(self, enrollment)
