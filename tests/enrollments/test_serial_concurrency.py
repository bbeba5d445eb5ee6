"""One open enrollment per device and instance, under concurrency: 8 customers posting the
same serial number at once get one 201 and seven 409s naming the winner (the rule used to be
a read-then-write check: 5 to 6 of 8 were created). Real threads with their own connections;
the database's partial unique index decides."""

import threading

import pytest
from django.db import connection

from enrollments.models import Enrollment
from tests.enrollments.factories import ProgramInstanceFactory

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
