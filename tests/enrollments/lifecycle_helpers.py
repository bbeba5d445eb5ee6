"""Helpers shared by the lifecycle tests (test_lifecycle*.py): an enrollment put straight into a
status (its criteria changed since evaluation unless told otherwise) and a move through the API.
"""

from tests.enrollments.factories import (
    EnrollmentFactory,
    ProgramInstanceFactory,
)


def _enrollment_in(workspace, status, *, criteria_changed=True):
    instance = ProgramInstanceFactory(workspace=workspace, criteria_version=2)
    return EnrollmentFactory(
        workspace=workspace,
        program_instance=instance,
        status=status,
        evaluated_criteria_version=1 if criteria_changed else 2,
    )


def _move(api, enrollment, to, **extra):
    return api.post(
        f"/api/v1/enrollments/{enrollment.pk}/transitions", {"to": to, **extra}, format="json"
    )
