"""Customer, Lead, Enrollment (a django-fsm lifecycle) and its immutable status history.

Status changes happen only through `enrollments.services.enrollment_transition` (and
`enrollment_evaluate`, which calls it): the status field is protected and every move is one
`@transition` method below, guarded by django-fsm and by `ConcurrentTransitionMixin` (a save
only applies if the row still has the status this object was loaded with).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django_fsm import (
    ConcurrentTransitionMixin,
    FSMField,
    get_available_FIELD_transitions,
    transition,
)

from config.ids import CuidField
from config.request_context import current_idempotency_key
from config.versioning import VersionedModel
from enrollments.people import AddressFields, Customer, Lead
from enrollments.querysets import (
    EnrollmentQuerySet,
    EnrollmentStatusChangeQuerySet,
)
from enrollments.statuses import CLOSED_STATUSES, EnrollmentStatus
from enrollments.transitions import TRANSITION_METHODS, fsm_arguments

# Customer and Lead (enrollments.people) are listed so Django registers them under this app;
# EnrollmentStatus is this module's too (its status field). CLOSED_STATUSES lives in
# enrollments.statuses and stays here only while the bulk, lifecycle and import modules read it
# from here; import it from enrollments.statuses.
__all__ = [
    "CLOSED_STATUSES",
    "Customer",
    "Enrollment",
    "EnrollmentStatus",
    "EnrollmentStatusChange",
    "EnrollmentTerm",
    "IdentificationType",
    "Lead",
]


# The database's name of the one-open-enrollment-per-device rule (read when mapping its
# violation to the 409 every door gives).
SERIAL_CONSTRAINT = "enrollment_one_open_per_serial_instance"
CUSTOMER_CONSTRAINT = "enrollment_one_open_per_customer_instance"


class EnrollmentSource(models.TextChoices):
    """Which door an enrollment came in through (set by that door, never by the caller)."""

    API = "api", "API"
    FORM = "form", "Enrollment page"
    DASHBOARD = "dashboard", "Dashboard"
    IMPORT = "import", "Import"


class IdentificationType(models.TextChoices):
    CUSTOMER_INFO = "customerInfo", "Customer info"
    CUSTOMER_ID = "customerId", "Existing customer"
    LEAD_ID = "leadId", "Existing lead"
    ENROLLMENT_ID = "enrollmentId", "Previous enrollment"


def _criteria_changed_since_evaluation(enrollment: "Enrollment") -> bool:
    """`ineligible/rejected → candidate` is only for a second look under new rules (the spec:
    "terminal unless enrollment criteria change")."""
    evaluated = enrollment.evaluated_criteria_version
    return evaluated is None or evaluated != enrollment.program_instance.criteria_version


class Enrollment(ConcurrentTransitionMixin, VersionedModel, AddressFields):
    """A customer's participation in one program instance.

    `workspace` repeats `program_instance.workspace` so that tenancy scoping and every list
    index need no join. Names, email, phone and address are the enrollment's own copy (filled
    from the customer, lead or previous enrollment when not given), so later edits of the
    customer do not rewrite what was submitted to a program.
    """

    id = CuidField()
    # No single-column indexes on these three: the composite indexes below start with them
    # (a second index would only cost writes; docs/benchmarks.md, "Enrollment indexes").
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.PROTECT, related_name="enrollments", db_index=False
    )
    program_instance = models.ForeignKey(
        "instances.ProgramInstance",
        on_delete=models.PROTECT,
        related_name="enrollments",
        db_index=False,
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="enrollments", db_index=False
    )
    # Indexed only where set (Meta: enr_lead_idx, enr_previous_idx): NULL on nearly every row.
    lead = models.ForeignKey(
        Lead,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrollments",
        db_index=False,
    )
    previous_enrollment = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_enrollments",
        db_index=False,
        help_text="The enrollment this one was created from (identificationType enrollmentId).",
    )
    identification_type = models.CharField(max_length=20, choices=IdentificationType.choices)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    manufacturer_slugs = models.JSONField(default=list, blank=True)
    device_type = models.CharField(max_length=50, blank=True)
    device_capacity = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True, help_text="kWh"
    )
    serial_number = models.CharField(max_length=200, blank=True)
    reference_id = models.CharField(max_length=200, blank=True)
    reference_description = models.CharField(max_length=500, blank=True)
    tags = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # Protected: only the @transition methods below change it, called by the services.
    status = FSMField(
        max_length=16,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.CANDIDATE,
        protected=True,
    )
    eligibility_reason = models.TextField(blank=True)
    evaluated_criteria_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The instance's criteria version of the last eligible/ineligible decision.",
    )
    enrollment_start_date = models.DateTimeField(null=True, blank=True)
    exit_reason = models.TextField(blank=True)
    source = models.CharField(
        max_length=16, choices=EnrollmentSource.choices, default=EnrollmentSource.API
    )
    # Evidence of the customer's consent to the instance's terms:
    # {termsVersion, termsSha256, acceptedAt, ipAddress, userAgent}, or null.
    consent = models.JSONField(null=True, blank=True)
    language = models.CharField(
        max_length=8, default="en", help_text="The customer's language for their emails (en, es)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    idempotency_key = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        default=current_idempotency_key,
        help_text="The Idempotency-Key of the API request that created it.",
    )

    objects = EnrollmentQuerySet.as_manager()

    @property
    def state_fields(self):
        """The django-fsm fields (just `status`), found once per class: the mixin's own
        property filters all ~40 fields on every `__init__`, a fifth of loading a row."""
        cls = type(self)
        fields = cls.__dict__.get("_state_fields")
        if fields is None:
            fields = tuple(super().state_fields)
            cls._state_fields = fields
        return fields

    class Meta:
        ordering = ["-created_at", "-id"]
        # The list order is (-created_at, -id): with `-id` in the index a page is read in
        # index order (no sort step) and a deep page's OFFSET is an index-only scan.
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="enr_ws_created_id_idx"),
            models.Index(
                fields=["workspace", "status", "-created_at", "-id"], name="enr_ws_status_id_idx"
            ),
            models.Index(
                fields=["program_instance", "status", "-created_at"], name="enr_inst_status_idx"
            ),
            models.Index(
                fields=["program_instance", "-created_at", "-id"], name="enr_inst_created_idx"
            ),
            models.Index(fields=["workspace", "email"], name="enr_ws_email_idx"),
            models.Index(fields=["workspace", "reference_id"], name="enr_ws_ref_idx"),
            models.Index(fields=["workspace", "updated_at"], name="enr_ws_updated_idx"),
            models.Index(fields=["customer", "status"], name="enr_customer_status_idx"),
            models.Index(
                fields=["lead"], name="enr_lead_idx", condition=models.Q(lead__isnull=False)
            ),
            models.Index(
                fields=["previous_enrollment"],
                name="enr_previous_idx",
                condition=models.Q(previous_enrollment__isnull=False),
            ),
        ]
        constraints = [
            # One open enrollment per customer and instance, enforced by the database so that
            # two simultaneous requests cannot both create one.
            models.UniqueConstraint(
                fields=["program_instance", "customer"],
                condition=~models.Q(status__in=["rejected", "unenrolled"]),
                name=CUSTOMER_CONSTRAINT,
            ),
            # One open enrollment per device and instance: the serial number compared in upper
            # case (the input spec trims it), so "abc-1" and "ABC-1" are one device. A rule of
            # the database, not a read-then-write check, so simultaneous requests and imports
            # cannot enroll one device twice (enrollments.services.rules maps it to a 409).
            models.UniqueConstraint(
                Upper("serial_number"),
                "program_instance",
                condition=~models.Q(status__in=["rejected", "unenrolled"])
                & ~models.Q(serial_number=""),
                name=SERIAL_CONSTRAINT,
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip() or self.email
        return f"{name} ({self.status})"

    # --- lifecycle: one method per target of enrollments.transitions.TABLE ---------------
    # Sources and targets come from the table (`fsm_arguments`); only the conditions and what
    # each move writes besides the status are here.
    @transition(field=status, **fsm_arguments("mark_eligible"))
    def mark_eligible(self, *, reason: str = "", criteria_version: int | None = None):
        self.eligibility_reason = reason
        self.evaluated_criteria_version = criteria_version

    @transition(field=status, **fsm_arguments("mark_ineligible"))
    def mark_ineligible(self, *, reason: str = "", criteria_version: int | None = None):
        self.eligibility_reason = reason
        self.evaluated_criteria_version = criteria_version

    @transition(
        field=status, conditions=[_criteria_changed_since_evaluation], **fsm_arguments("reopen")
    )
    def reopen(self, *, reason: str = ""):
        self.eligibility_reason = reason

    @transition(field=status, **fsm_arguments("submit"))
    def submit(self, *, reason: str = ""):
        if reason:
            self.eligibility_reason = reason

    @transition(field=status, **fsm_arguments("approve"))
    def approve(self, *, reason: str = "", start_date=None):
        if reason:
            self.eligibility_reason = reason
        self.enrollment_start_date = start_date

    @transition(field=status, **fsm_arguments("reject"))
    def reject(self, *, reason: str = ""):
        self.eligibility_reason = reason

    @transition(field=status, **fsm_arguments("unenroll"))
    def unenroll(self, *, reason: str = ""):
        self.exit_reason = reason

    TRANSITION_METHODS = TRANSITION_METHODS

    @property
    def allowed_transitions(self) -> list[str]:
        """Statuses reachable now (django-fsm sources and conditions; not the caller's scopes).
        Needs `program_instance` loaded (select_related) for the criteria-version condition."""
        # django-fsm's own function, not the `get_available_status_transitions` partialmethod:
        # binding that costs more than the rest of an event's payload (bulk paths: 10,000 rows).
        status = self._meta.get_field("status")
        return [str(t.target) for t in get_available_FIELD_transitions(self, status)]

    @property
    def address(self) -> dict:
        return {name: getattr(self, name) for name in self.ADDRESS_FIELDS}


class EnrollmentTerm(models.Model):
    """Index rows for the enrollment's tags and manufacturer slugs (one row per value).

    JSON containment lookups do not exist on SQLite, and a JSON scan cannot use an index on
    either database; an equality lookup on this table can. The services write these rows
    together with `Enrollment.tags` / `manufacturer_slugs` (`enrollment_sync_terms`).
    """

    class Kind(models.TextChoices):
        TAG = "tag", "Tag"
        MANUFACTURER = "manufacturer", "Manufacturer"

    # No single-column index: enrollment_term_unique starts with it.
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="terms", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"], name="enr_term_lookup_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "kind", "value"], name="enrollment_term_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class EnrollmentStatusChange(models.Model):
    """One status change, immutable. Survives the enrollment's deletion: `enrollment` becomes
    NULL but `enrollment_ref` (the id), `program_instance_ref` and `subject` keep the facts, and
    staff find them in the admin ("Enrollment status changes", search by enrollment id)."""

    id = CuidField()
    # Indexed by enr_change_ws_idx / enr_change_enr_idx (they start with these columns).
    workspace = models.ForeignKey(
        "accounts.Workspace",
        on_delete=models.CASCADE,
        related_name="enrollment_status_changes",
        db_index=False,
    )
    enrollment = models.ForeignKey(
        Enrollment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="status_changes",
        db_index=False,
    )
    enrollment_ref = models.CharField(max_length=25, db_index=True)
    program_instance_ref = models.CharField(max_length=25, db_index=True)
    subject = models.CharField(max_length=400, blank=True, help_text="Name and email then.")
    from_status = models.CharField(max_length=16, choices=EnrollmentStatus.choices)
    to_status = models.CharField(max_length=16, choices=EnrollmentStatus.choices)
    reason = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        "accounts.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrollmentStatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["enrollment", "created_at"], name="enr_change_enr_idx"),
            models.Index(fields=["workspace", "-created_at"], name="enr_change_ws_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_ref}: {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        # History is evidence: a row is written once and never edited.
        if not self._state.adding:
            raise ValueError("Enrollment status changes are immutable.")
        super().save(*args, **kwargs)


# The import's models live beside its code (enrollments/imports/); registered with the app here.
from enrollments.imports.models import Import, ImportRow  # noqa: E402, F401
