"""Admin for events (read-only), webhook endpoints and deliveries (with a retry action).

Everything goes through WorkspaceScopedAdminMixin (staff see only their workspaces) and writes
go through events.webhooks, like the API and the dashboard.
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from accounts.admin_mixins import WorkspaceScopedAdminMixin
from config.errors import DomainError
from events import webhooks
from events.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(Event)
class EventAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = ["id", "type", "workspace", "enrollment_id", "program_instance_id", "created_at"]
    list_filter = ["type"]
    search_fields = ["id", "enrollment_id", "program_instance_id"]
    list_select_related = ["workspace__organization"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "id",
        "workspace",
        "type",
        "data",
        "enrollment_id",
        "program_instance_id",
        "created_at",
    ]

    # The outbox is immutable: events are written only by the services that make the change.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WebhookEndpointForm(forms.ModelForm):
    """Runs the services' URL-safety and event-type checks as form errors."""

    class Meta:
        model = WebhookEndpoint
        fields = ["workspace", "url", "description", "event_types", "enabled"]

    def clean_url(self):
        try:
            return webhooks.webhook_url_check(self.cleaned_data["url"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_event_types(self):
        try:
            return webhooks.webhook_event_types_check(self.cleaned_data.get("event_types") or [])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "workspace", "enabled", "disabled_reason", "last_success_at"]
    list_filter = ["enabled"]
    search_fields = ["url", "description"]
    list_select_related = ["workspace__organization"]
    fields = [
        "workspace",
        "url",
        "description",
        "event_types",
        "enabled",
        "disabled_reason",
        "disabled_at",
        "last_success_at",
        "previous_secret_expires_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "disabled_reason",
        "disabled_at",
        "last_success_at",
        "previous_secret_expires_at",
        "created_at",
        "updated_at",
    ]
    actions = ["rotate_secrets", "send_tests"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return ["workspace", *self.readonly_fields]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = webhooks.webhook_update(
                endpoint=obj,
                url=data["url"],
                event_types=data.get("event_types") or [],
                description=data.get("description", ""),
                enabled=data.get("enabled"),
                actor=request.user,
            )
        else:
            saved, secret = webhooks.webhook_create(
                workspace=data["workspace"],
                url=data["url"],
                event_types=data.get("event_types") or [],
                description=data.get("description", ""),
                actor=request.user,
            )
            if data.get("enabled") is False:
                saved = webhooks.webhook_update(endpoint=saved, enabled=False, actor=request.user)
            messages.warning(
                request, f"Signing secret (copy it now, it will not be shown again): {secret}"
            )
        for field in WebhookEndpoint._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def delete_model(self, request, obj):
        webhooks.webhook_delete(endpoint=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        # The bulk delete action too goes through the service (audit log, same rules).
        for endpoint in queryset:
            self.delete_model(request, endpoint)

    @admin.action(description="Rotate the signing secret of the selected webhooks")
    def rotate_secrets(self, request, queryset):
        for endpoint in queryset:
            _, secret = webhooks.webhook_rotate_secret(endpoint=endpoint, actor=request.user)
            self.message_user(
                request, f"{endpoint.url}: new secret (shown once): {secret}", messages.WARNING
            )

    @admin.action(description="Send a test message to the selected webhooks")
    def send_tests(self, request, queryset):
        for endpoint in queryset:
            try:
                webhooks.webhook_send_test(endpoint=endpoint, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{endpoint.url}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{endpoint.url}: test message queued.")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["attempted_at", "status_code", "duration_ms", "succeeded", "error", "response_body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "event_type",
        "endpoint",
        "status",
        "attempt_count",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event_type"]
    search_fields = ["id", "endpoint__url", "event__id"]
    list_select_related = ["endpoint"]
    readonly_fields = [
        "id",
        "workspace",
        "endpoint",
        "event",
        "event_type",
        "payload",
        "status",
        "attempt_count",
        "next_attempt_at",
        "locked_until",
        "last_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created_at",
        "updated_at",
    ]
    inlines = [WebhookAttemptInline]
    actions = ["retry_deliveries"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry the selected deliveries now")
    def retry_deliveries(self, request, queryset):
        done = 0
        for delivery in queryset:
            try:
                webhooks.delivery_retry(delivery=delivery, actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{delivery.pk}: {exc.message}", messages.ERROR)
        self.message_user(request, f"Queued {done} delivery retry(ies).", messages.SUCCESS)
