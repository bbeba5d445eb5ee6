"""The people a workspace enrolls: Customer and Lead (and their shared address columns).

Split from `enrollments.models`, which imports and re-exports these so Django registers them
under the `enrollments` app and every `from enrollments.models import Customer` keeps working.
"""

from django.db import models

from config.ids import CuidField
from config.request_context import current_idempotency_key
from config.versioning import VersionedModel
from enrollments.querysets import (
    CustomerQuerySet,
    LeadQuerySet,
)


class AddressFields(models.Model):
    """The contract's `address {streetOne, streetTwo, city, state, postalCode, country}` as
    plain columns (filterable, indexable, and evaluated by the region/postal code rules)."""

    street_one = models.CharField(max_length=200, blank=True)
    street_two = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=60, blank=True)

    ADDRESS_FIELDS = ("street_one", "street_two", "city", "state", "postal_code", "country")

    class Meta:
        abstract = True


class Customer(VersionedModel, AddressFields):
    """A person or site a workspace enrolls. Email is unique per workspace; it is stored
    lower-cased so that uniqueness and lookups are case-insensitive with a plain index."""

    id = CuidField()
    # No single-column index: the (workspace, email) constraint starts with it.
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.PROTECT, related_name="customers", db_index=False
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=40, blank=True)
    reference_id = models.CharField(max_length=200, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    idempotency_key = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        default=current_idempotency_key,
        help_text="The Idempotency-Key of the API request that created it.",
    )

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="customer_ws_created_idx"),
            models.Index(fields=["workspace", "reference_id"], name="customer_ws_ref_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email"], name="customer_email_unique_per_workspace"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>".strip()


class Lead(VersionedModel, AddressFields):
    """A prospective customer (from a campaign, a partner, a form). Becomes a customer when it
    is enrolled with `identificationType: leadId`; `customer` then points to it."""

    id = CuidField()
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.PROTECT, related_name="leads"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    reference_id = models.CharField(max_length=200, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    idempotency_key = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        default=current_idempotency_key,
        help_text="The Idempotency-Key of the API request that created it.",
    )

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="lead_ws_created_idx"),
            models.Index(fields=["workspace", "email"], name="lead_ws_email_idx"),
            models.Index(fields=["workspace", "reference_id"], name="lead_ws_ref_idx"),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or self.id
