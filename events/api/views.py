"""Events (read-only) and webhooks. Writes go through events.webhooks; reads through the
workspace-scoped base (events never leak across workspaces)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts import scopes as scope_names
from config.api.conditional import sub_object_response
from config.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from events import selectors, webhooks
from events.api.serializers import (
    EmptyBodySerializer,
    EventSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
    WebhookSecretSerializer,
)
from events.filtersets import EventFilterSet
from events.models import Event, WebhookDelivery, WebhookEndpoint


@extend_schema_view(
    list=extend_schema(summary="List events, newest first"),
    retrieve=extend_schema(summary="Get one event"),
)
class EventViewSet(ScopedReadOnlyViewSet):
    """The workspace's event log (the outbox): every enrollment and program-instance change."""

    queryset = Event.objects.all()
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    read_scope = scope_names.EVENTS_READ

    def get_serializer_context(self):
        # Personal data needs customers:read (events/redaction.py).
        context = super().get_serializer_context()
        context["redact_personal"] = not self.tenant.has_scope(scope_names.CUSTOMERS_READ)
        return context


DELIVERY_ID = OpenApiParameter("deliveryId", str, OpenApiParameter.PATH)
DELIVERY_STATUS = OpenApiParameter(
    "status", str, enum=WebhookDelivery.Status.values, description="Only deliveries in this status."
)


@extend_schema_view(
    list=extend_schema(summary="List webhook endpoints"),
    retrieve=extend_schema(summary="Get a webhook endpoint"),
    partial_update=extend_schema(summary="Change a webhook endpoint (url, eventTypes, enabled...)"),
    destroy=extend_schema(summary="Delete a webhook endpoint and its delivery log"),
)
class WebhookViewSet(ScopedModelViewSet):
    """Webhook endpoints. Deliveries follow Standard Webhooks; see docs/webhooks.md."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    read_scope = scope_names.WEBHOOKS_MANAGE
    write_scope = scope_names.WEBHOOKS_MANAGE

    @extend_schema(
        summary="Register a webhook endpoint",
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint, secret = webhooks.webhook_create(
            workspace=self.tenant.workspace,
            url=data["url"],
            event_types=data.get("event_types"),
            description=data.get("description", ""),
            actor=self.tenant,
        )
        if data.get("enabled") is False:
            endpoint = webhooks.webhook_update(endpoint=endpoint, enabled=False, actor=self.tenant)
        body = WebhookEndpointCreatedSerializer(endpoint).data
        body["secret"] = secret
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        serializer = self.get_serializer(endpoint, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint = webhooks.webhook_update(
            endpoint=endpoint,
            url=data.get("url"),
            event_types=data.get("event_types"),
            description=data.get("description"),
            enabled=data.get("enabled"),
            actor=self.tenant,
        )
        return Response(self.get_serializer(endpoint).data)

    def perform_destroy(self, instance):
        webhooks.webhook_delete(endpoint=instance, actor=self.tenant)

    @extend_schema(
        summary="Queue a webhook.test message to this endpoint",
        request=EmptyBodySerializer,
        responses={202: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=EmptyBodySerializer)
    def test(self, request, pk=None):
        self._check_empty_body(request)
        delivery = webhooks.webhook_send_test(endpoint=self.get_object(), actor=self.tenant)
        delivery = selectors.delivery_get(endpoint=delivery.endpoint, delivery_id=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Rotate the signing secret (the old one keeps signing for 24 hours)",
        request=EmptyBodySerializer,
        responses={200: WebhookSecretSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="rotateSecret",
        url_name="rotate-secret",
        serializer_class=EmptyBodySerializer,
    )
    def rotate_secret(self, request, pk=None):
        self._check_empty_body(request)
        endpoint, secret = webhooks.webhook_rotate_secret(
            endpoint=self.get_object(), actor=self.tenant
        )
        return Response(
            WebhookSecretSerializer(
                {
                    "id": endpoint.pk,
                    "secret": secret,
                    "previousSecretExpiresAt": endpoint.previous_secret_expires_at,
                }
            ).data
        )

    @extend_schema(
        summary="Deliveries to this endpoint, newest first, each with every attempt",
        parameters=[DELIVERY_STATUS],
        responses={200: WebhookDeliverySerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="deliveries",
        serializer_class=WebhookDeliverySerializer,
    )
    def deliveries(self, request, pk=None):
        wanted = request.query_params.get("status") or None
        if wanted is not None and wanted not in WebhookDelivery.Status.values:
            raise ValidationError(
                {"status": [f"Must be one of {', '.join(WebhookDelivery.Status.values)}."]}
            )
        deliveries = selectors.delivery_list(endpoint=self.get_object(), status=wanted)
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="One delivery with every attempt",
        parameters=[DELIVERY_ID],
        responses={200: WebhookDeliverySerializer},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"deliveries/(?P<deliveryId>[^/]+)",
        url_name="delivery-detail",
        serializer_class=WebhookDeliverySerializer,
    )
    def delivery(self, request, pk=None, deliveryId=None):
        delivery = selectors.delivery_get(endpoint=self.get_object(), delivery_id=deliveryId)
        return sub_object_response(request, delivery, WebhookDeliverySerializer(delivery).data)

    @extend_schema(
        summary="Send a delivery again now (same webhook-id); restarts its retry schedule",
        parameters=[DELIVERY_ID],
        request=EmptyBodySerializer,
        responses={202: WebhookDeliverySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<deliveryId>[^/]+)/retry",
        url_name="delivery-retry",
        serializer_class=EmptyBodySerializer,
    )
    def retry(self, request, pk=None, deliveryId=None):
        self._check_empty_body(request)
        endpoint = self.get_object()
        delivery = selectors.delivery_get(endpoint=endpoint, delivery_id=deliveryId)
        webhooks.delivery_retry(delivery=delivery, actor=self.tenant)
        delivery = selectors.delivery_get(endpoint=endpoint, delivery_id=deliveryId)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    def _check_empty_body(self, request):
        """These actions take no body; anything in one is a 400, never silently ignored."""
        data = request.data
        if not isinstance(data, dict):
            if data in (None, "", [], b""):
                return
            raise ValidationError({"nonFieldErrors": ["This action takes no body (or {})."]})
        EmptyBodySerializer(data=data).is_valid(raise_exception=True)
