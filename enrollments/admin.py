"""Staff views of customers, leads and enrollments.

Every admin is workspace-scoped (WorkspaceScopedAdminMixin). Enrollments are not added,
edited or deleted here (the API and the dashboard do that through the services, which record
events); staff look, search, read the history and move statuses with actions that call
`enrollments.services`, which report each row's success or refusal.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from accounts import scopes as scope_names
from accounts.admin_mixins import WorkspaceScopedAdminMixin
from accounts.models import Membership
from accounts.tenancy import Tenant
from config.errors import DomainError
from enrollments import services
from enrollments.models import (
    Customer,
    Enrollment,
    EnrollmentStatusChange,
    Lead,
)
from enrollments.transitions import TABLE, Transition, transition_to

MAX_REFUSAL_MESSAGES = 20


def admin_actor(request, workspace) -> Tenant:
    """The staff user as an actor in `workspace`: superusers hold every workspace scope,
    other staff their membership role's scopes (no membership: none, so services refuse)."""
    if request.user.is_superuser:
        scopes = frozenset(scope_names.WORKSPACE_SCOPES)
        role = None
    else:
        membership = Membership.objects.filter(user=request.user, workspace=workspace).first()
        scopes = membership.scopes if membership else frozenset()
        role = membership.role if membership else None
    return Tenant(workspace=workspace, scopes=scopes, user=request.user, role=role)


class PersonForm(forms.ModelForm):
    def clean_email(self):
        # Emails are stored lower-cased (uniqueness per workspace is case-insensitive).
        return (self.cleaned_data.get("email") or "").strip().lower()


@admin.register(Customer)
class CustomerAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    form = PersonForm
    list_display = ["email", "first_name", "last_name", "workspace", "created_at"]
    search_fields = ["email", "first_name", "last_name", "reference_id", "id"]
    list_select_related = ["workspace__organization"]
    readonly_fields = ["id", "created_at", "updated_at"]
    show_full_result_count = False


@admin.register(Lead)
class LeadAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    form = PersonForm
    list_display = ["__str__", "email", "customer", "workspace", "created_at"]
    search_fields = ["email", "first_name", "last_name", "reference_id", "id"]
    list_select_related = ["workspace__organization", "customer"]
    readonly_fields = ["id", "customer", "created_at", "updated_at"]
    show_full_result_count = False


class StatusChangeInline(admin.TabularInline):
    """The enrollment's history, read-only (history rows are immutable)."""

    model = EnrollmentStatusChange
    fk_name = "enrollment"
    fields = ["created_at", "from_status", "to_status", "reason", "actor_label", "metadata"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["created_at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _report(modeladmin, request, results, verb: str) -> None:
    done = [r for r in results if r.ok]
    refused = [r for r in results if not r.ok]
    if done:
        modeladmin.message_user(request, f"{verb}: {len(done)} enrollment(s).", messages.SUCCESS)
    for result in refused[:MAX_REFUSAL_MESSAGES]:
        modeladmin.message_user(
            request,
            f"Enrollment {result.enrollment_id} refused: {result.message}",
            messages.WARNING,
        )
    if len(refused) > MAX_REFUSAL_MESSAGES:
        modeladmin.message_user(
            request,
            f"…and {len(refused) - MAX_REFUSAL_MESSAGES} more refused.",
            messages.WARNING,
        )


def _by_workspace(queryset):
    groups: dict = {}
    for enrollment in queryset.select_related("program_instance", "workspace"):
        groups.setdefault(enrollment.workspace, []).append(enrollment)
    return groups


class EnrollmentActionForm(ActionForm):
    """The action bar with a reason box: the transition table requires one for some moves
    (a rejection), and the service refuses those without it, as on every other door."""

    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        help_text="Required to "
        + ", ".join(row.label.lower() for row in TABLE if row.reason_required)
        + ".",
    )


def _transition_action(row: Transition):
    def run(modeladmin, request, queryset):
        typed = (request.POST.get("reason") or "").strip()
        # A move that does not require a reason still says where it was made.
        reason = typed or ("" if row.reason_required else f"{row.label} in the admin")
        results = []
        for workspace, enrollments in _by_workspace(queryset).items():
            try:
                results += services.enrollment_bulk_transition(
                    enrollments=enrollments,
                    to=row.target,
                    actor=admin_actor(request, workspace),
                    reason=reason,
                )
            except DomainError as exc:  # no reason, or no enrollments:review in that workspace
                results += [services.BulkResult(e.pk, False, exc.message) for e in enrollments]
        _report(modeladmin, request, results, row.done)

    run.__name__ = f"move_to_{row.target}"
    return admin.action(description=f"{row.label} selected enrollments")(run)


# One action per target of the transition table (rows sharing a target share its policy).
TRANSITION_ACTIONS = [
    _transition_action(transition_to(target))
    for target in dict.fromkeys(row.target for row in TABLE)
]


@admin.register(Enrollment)
class EnrollmentAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "email",
        "reference_id",
        "program_instance",
        "status",
        "created_at",
    ]
    list_filter = ["status", "source", "identification_type", "created_at"]
    search_fields = ["first_name", "last_name", "email", "reference_id", "serial_number", "=id"]
    list_select_related = ["program_instance"]
    show_full_result_count = False
    inlines = [StatusChangeInline]
    action_form = EnrollmentActionForm
    actions = ["evaluate_selected", *TRANSITION_ACTIONS]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Evaluate eligibility of selected enrollments")
    def evaluate_selected(self, request, queryset):
        results = []
        for workspace, enrollments in _by_workspace(queryset).items():
            try:
                results += services.enrollment_bulk_evaluate(
                    enrollments=enrollments, actor=admin_actor(request, workspace)
                )
            except DomainError as exc:
                results += [services.BulkResult(e.pk, False, exc.message) for e in enrollments]
        _report(self, request, results, "Evaluated")


@admin.register(EnrollmentStatusChange)
class EnrollmentStatusChangeAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    """Every status change, including those of deleted enrollments (search by enrollment id)."""

    list_display = [
        "created_at",
        "enrollment_ref",
        "subject",
        "from_status",
        "to_status",
        "actor_label",
        "enrollment_exists",
    ]
    list_filter = ["to_status", "from_status"]
    search_fields = ["=enrollment_ref", "subject", "reason", "actor_label"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description="enrollment exists")
    def enrollment_exists(self, obj) -> bool:
        return obj.enrollment_id is not None


# The import's admin lives beside its code; registered with the admin site here.
from enrollments.imports import admin as _imports_admin  # noqa: E402, F401
