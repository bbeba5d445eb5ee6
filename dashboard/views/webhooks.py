"""Settings → webhooks: create (secret shown once), test, rotate, enable/disable, delete, and the
delivery log with its attempts and a retry button. Writes call events.webhooks."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts import scopes as scope_names
from config.errors import DomainError
from dashboard.forms.webhooks import WebhookForm
from dashboard.mixins import WorkspaceViewMixin, add_domain_error
from events.models import WebhookDelivery, WebhookEndpoint
from events.selectors import delivery_list
from events.webhooks import (
    delivery_retry,
    webhook_create,
    webhook_delete,
    webhook_rotate_secret,
    webhook_send_test,
    webhook_update,
)

DELIVERIES_PER_PAGE = 25


class WebhookMixin(WorkspaceViewMixin):
    read_scope = scope_names.WEBHOOKS_MANAGE
    write_scope = scope_names.WEBHOOKS_MANAGE

    def get_endpoint(self) -> WebhookEndpoint:
        return self.scoped_get(self.scoped(WebhookEndpoint), pk=self.kwargs["pk"])

    def secret_page(self, endpoint, secret, heading):
        response = self.render_to_response(
            self.get_context_data(endpoint=endpoint, secret=secret, heading=heading)
        )
        response["Cache-Control"] = "no-store"
        return response


class WebhookListView(WebhookMixin, TemplateView):
    template_name = "dashboard/webhooks/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = WebhookDelivery.Status
        # Delivery health of every endpoint in the same query (no per-row queries).
        context["endpoints"] = self.scoped(WebhookEndpoint).annotate(
            failed=Count("deliveries", filter=Q(deliveries__status=status.FAILED)),
            pending=Count("deliveries", filter=Q(deliveries__status=status.PENDING)),
            succeeded=Count("deliveries", filter=Q(deliveries__status=status.SUCCEEDED)),
        )
        context.setdefault("form", WebhookForm())
        return context

    def post(self, request):
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                endpoint, secret = webhook_create(
                    workspace=self.workspace,
                    url=form.cleaned_data["url"],
                    event_types=form.cleaned_data["event_types"],
                    description=form.cleaned_data["description"],
                    actor=self.tenant,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                self.template_name = "dashboard/webhooks/secret.html"
                return self.secret_page(endpoint, secret, "Webhook created")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WebhookDetailView(WebhookMixin, TemplateView):
    template_name = "dashboard/webhooks/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        endpoint = kwargs.get("endpoint") or self.get_endpoint()
        deliveries = delivery_list(
            endpoint=endpoint, status=self.request.GET.get("status") or None
        ).select_related("event")  # the event names the enrollment the log links to
        page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            endpoint=endpoint,
            page=page,
            deliveries=page.object_list,
            statuses=WebhookDelivery.Status.choices,
            status_filter=self.request.GET.get("status", ""),
        )
        context.setdefault(
            "form",
            WebhookForm(
                initial={
                    "url": endpoint.url,
                    "description": endpoint.description,
                    "event_types": endpoint.event_types,
                }
            ),
        )
        return context

    def post(self, request, pk):
        """Edit the endpoint (url, description, events)."""
        endpoint = self.get_endpoint()
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                webhook_update(
                    endpoint=endpoint,
                    url=form.cleaned_data["url"],
                    description=form.cleaned_data["description"],
                    event_types=form.cleaned_data["event_types"],
                    actor=self.tenant,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Saved.")
                return redirect("dashboard:webhook-detail", pk=endpoint.pk)
        return self.render_to_response(
            self.get_context_data(endpoint=endpoint, form=form), status=400
        )


class WebhookActionView(WebhookMixin, TemplateView):
    """POST action=test|rotate|enable|disable|delete."""

    template_name = "dashboard/webhooks/secret.html"
    http_method_names = ["post"]

    def post(self, request, pk):
        endpoint = self.get_endpoint()
        action = request.POST.get("action", "")
        try:
            if action == "test":
                webhook_send_test(endpoint=endpoint, actor=self.tenant)
                messages.success(request, "Test message queued; it appears in the log below.")
            elif action == "rotate":
                endpoint, secret = webhook_rotate_secret(endpoint=endpoint, actor=self.tenant)
                return self.secret_page(endpoint, secret, "New signing secret")
            elif action in ("enable", "disable"):
                webhook_update(endpoint=endpoint, enabled=action == "enable", actor=self.tenant)
                messages.success(request, f"Webhook {action}d.")
            elif action == "delete":
                webhook_delete(endpoint=endpoint, actor=self.tenant)
                messages.success(request, f"Deleted the webhook to {endpoint.url}.")
                return redirect("dashboard:webhook-list")
            else:
                messages.error(request, "Unknown action.")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("dashboard:webhook-detail", pk=endpoint.pk)


class DeliveryRetryView(WebhookMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, pk, delivery_pk):
        endpoint = self.get_endpoint()
        delivery = self.scoped_get(delivery_list(endpoint=endpoint), pk=delivery_pk)
        try:
            delivery_retry(delivery=delivery, actor=self.tenant)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Delivery queued again.")
        return redirect("dashboard:webhook-detail", pk=endpoint.pk)
