"""One open enrollment per device and instance. Under concurrency: 8 customers posting the
same serial number at once get one 201 and seven 409s naming the winner (the rule used to be
a read-then-write check: 5 to 6 of 8 were created). Real threads with their own connections;
the database's partial unique index decides. And reopening a rejected enrollment whose
device another customer enrolled since is refused, one row or in bulk."""

import threading

import pytest
from django.db import connection

from enrollments.models import Enrollment
from enrollments.services.bulk import bulk_transition
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory
from tests.enrollments.lifecycle_helpers import _enrollment_in, _move

PARALLEL = 8


@pytest.mark.django_db(transaction=True)
def test_parallel_creates_of_one_device_enroll_it_once(api_client_for, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    clients = [api_client_for(workspace) for _ in range(PARALLEL)]
    barrier = threading.Barrier(PARALLEL)
    answers: list[tuple[int, dict]] = []
    raised: list[BaseException] = []

    def create(number, client):
        try:
            barrier.wait(timeout=30)
            response = client.post(
                f"/api/v1/programInstances/{instance.pk}/enrollments",
                {
                    "identificationType": "customerInfo",
                    "firstName": "Ana",
                    "lastName": f"Owner{number}",
                    "email": f"owner{number}@example.com",
                    "serialNumber": "PW-0001" if number % 2 else "pw-0001",  # any case
                },
                format="json",
            )
            answers.append((response.status_code, response.json()))
        except BaseException as exc:  # surfaced below: a thread that raised fails the test
            raised.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not raised and not any(t.is_alive() for t in threads)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * (PARALLEL - 1)
    winner = next(body["id"] for status, body in answers if status == 201)
    for status, body in answers:
        if status == 409:
            assert body["details"]["enrollmentId"] == winner
            assert "already enrolled" in body["message"]
    assert Enrollment.objects.filter(program_instance=instance).count() == 1


def _rejected_and_reenrolled(workspace):
    """A rejected enrollment of a device, and another customer's open enrollment of it since."""
    rejected = _enrollment_in(workspace, "rejected")
    rejected.serial_number = "PW-7"
    rejected.save(update_fields=["serial_number"])
    holder = EnrollmentFactory(
        workspace=workspace,
        program_instance=rejected.program_instance,
        status="candidate",
        serial_number="pw-7",
    )
    return rejected, holder


@pytest.mark.django_db
def test_reopening_a_device_another_customer_enrolled_since_is_a_409(api, workspace):
    rejected, holder = _rejected_and_reenrolled(workspace)
    response = _move(api, rejected, "candidate", reason="second look")
    assert response.status_code == 409
    assert response.json()["details"]["enrollmentId"] == holder.pk
    assert "already enrolled" in response.json()["message"]
    rejected.refresh_from_db()
    assert rejected.status == "rejected"


@pytest.mark.django_db
def test_bulk_reopening_refuses_the_device_row_and_moves_the_others(workspace):
    rejected, _holder = _rejected_and_reenrolled(workspace)
    free = EnrollmentFactory(
        workspace=workspace, program_instance=rejected.program_instance, status="rejected"
    )
    results = bulk_transition(enrollments=[rejected, free], to="candidate", actor=None)
    by_id = {result.enrollment_id: result for result in results}
    assert not by_id[rejected.pk].ok and "already enrolled" in by_id[rejected.pk].message
    assert by_id[free.pk].ok
    rejected.refresh_from_db()
    assert rejected.status == "rejected"
