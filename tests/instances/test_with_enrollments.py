"""What program instances owe the enrollments that hang on them (with real enrollments)."""

import pytest

from events.models import Event
from instances.models import ProgramInstance
from tests.enrollments.factories import CustomerFactory, EnrollmentFactory
from tests.factories import ProgramFactory, ProgramInstanceFactory


def test_delete_with_an_enrollment_is_409_and_archiving_works(api, workspace):
    enrollment = EnrollmentFactory(workspace=workspace)
    instance = enrollment.program_instance
    response = api.delete(f"/api/v1/programInstances/{instance.pk}")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "CONFLICT"
    assert "1 enrollment(s)" in body["message"]
    assert body["details"] == {"enrollments": 1, "suggestion": "archive"}
    assert ProgramInstance.objects.filter(pk=instance.pk).exists()
    assert not Event.objects.filter(type="programInstance.deleted").exists()
    archived = api.patch(f"/api/v1/programInstances/{instance.pk}", {"status": "archived"})
    assert archived.status_code == 200
    assert enrollment.__class__.objects.filter(pk=enrollment.pk).exists()


def test_archived_instance_blocks_new_enrollments(workspace):
    instance = ProgramInstanceFactory(workspace=workspace, status="archived")
    assert "archived" in instance.enrollment_block_reason()


@pytest.mark.parametrize(
    ("status", "excluded"),
    [("approved", True), ("submitted", True), ("candidate", False), ("rejected", False)],
)
def test_dry_run_reads_the_customers_current_enrollments(api, workspace, status, excluded):
    dsgs = ProgramFactory(slug="ca-dsgs")
    customer = CustomerFactory(workspace=workspace)
    EnrollmentFactory(
        workspace=workspace,
        customer=customer,
        program_instance=ProgramInstanceFactory(workspace=workspace, program=dsgs),
        status=status,
    )
    instance = ProgramInstanceFactory(
        workspace=workspace, eligibility_criteria={"excludeProgramSlugs": ["ca-dsgs"]}
    )
    response = api.post(
        f"/api/v1/programInstances/{instance.pk}/eligibility",
        {"customerId": customer.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["eligible"] is (not excluded)


def test_dry_run_customer_of_another_workspace_is_unknown(api, workspace, other_workspace):
    theirs = CustomerFactory(workspace=other_workspace)
    instance = ProgramInstanceFactory(workspace=workspace)
    response = api.post(
        f"/api/v1/programInstances/{instance.pk}/eligibility",
        {"customerId": theirs.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "customerId" in response.json()["details"]
