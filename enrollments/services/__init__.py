"""Writes of the enrollments app. The API, the admin and the dashboard call only these.

(A package: `people` for customers and leads, `enrollment` for create/update/delete,
`lifecycle` for transitions and evaluation; import everything from `enrollments.services`.)

Every function is keyword-only, runs in one `transaction.atomic()`, raises `config.errors`
exceptions (mapped once to `{code, message, details}` by the API) and records its event in the
same transaction (`events.services.event_record`).

Interfaces (data dicts use snake_case keys; `address` is a dict of the six address columns):

    customer_create(*, workspace, data: dict, actor: Tenant | None = None) -> Customer
    customer_update(*, customer, data: dict, actor: Tenant | None = None) -> Customer
    lead_create(*, workspace, data: dict, actor: Tenant | None = None) -> Lead
    lead_update(*, lead, data: dict, actor: Tenant | None = None) -> Lead

    enrollment_create(*, workspace, instance, data: dict, actor: Tenant | None) -> Enrollment
        data: identification_type (customerInfo|customerId|leadId|enrollmentId), customer_id,
        lead_id, enrollment_id, first_name, last_name, email, phone, address {street_one,
        street_two, city, state, postal_code, country}, manufacturer_slugs, device_type,
        device_capacity, serial_number, reference_id, reference_description, tags, metadata.
    enrollment_update(*, enrollment, data: dict, actor) -> Enrollment      (never the status)
    enrollment_delete(*, enrollment, actor) -> None
    enrollment_transition(*, enrollment, to: str, actor, reason="", metadata=None,
                          start_date=None) -> Enrollment
    enrollment_evaluate(*, enrollment, actor) -> tuple[Enrollment, EligibilityResult]
    enrollment_bulk_transition(*, enrollments, to, actor, reason="") -> list[BulkResult]
    enrollment_bulk_evaluate(*, enrollments, actor) -> list[BulkResult]
    enrollment_require_form_fields(enrollment) -> None   (the guard of every move to submitted)
    enrollment_invite(*, enrollment, actor) -> Invitation(enrollment_id, sent_to, expires_at)
    enrollment_invite_many(*, enrollments, actor) -> list[BulkResult]
    (the customer's door: services.selfservice.enrollment_self_enroll and friends)

`actor` is an `accounts.tenancy.Tenant` (its user or API key is recorded in the history and its
scopes are checked: `enrollments:write`, and `enrollments:review` to approve or reject); None
means the system itself (demo data, management commands) and is allowed everything.
"""

from enrollments.services._common import BulkResult, enrollment_sync_terms
from enrollments.services.bulk_actions import enrollment_bulk_evaluate, enrollment_bulk_transition
from enrollments.services.enrollment import (
    enrolled_program_slugs,
    enrollment_create,
    enrollment_delete,
    enrollment_update,
)
from enrollments.services.invitations import (
    Invitation,
    enrollment_invite,
    enrollment_invite_many,
)
from enrollments.services.lifecycle import (
    enrollment_evaluate,
    enrollment_require_form_fields,
    enrollment_transition,
    enrollment_transition_request_check,
)
from enrollments.services.people import (
    customer_create,
    customer_update,
    lead_create,
    lead_update,
)

__all__ = [
    "BulkResult",
    "Invitation",
    "customer_create",
    "customer_update",
    "enrolled_program_slugs",
    "enrollment_bulk_evaluate",
    "enrollment_bulk_transition",
    "enrollment_create",
    "enrollment_delete",
    "enrollment_evaluate",
    "enrollment_invite",
    "enrollment_invite_many",
    "enrollment_require_form_fields",
    "enrollment_sync_terms",
    "enrollment_transition",
    "enrollment_transition_request_check",
    "enrollment_update",
    "lead_create",
    "lead_update",
]
