"""The benchmark's yardstick view (bench/minimal.py) answers exactly what the API answers for
one enrollment, so comparing their speed compares like with like (docs/benchmarks.md)."""

from decimal import Decimal

from django.test import override_settings
from django.utils import timezone

from tests.enrollments.factories import EnrollmentFactory


@override_settings(ROOT_URLCONF="bench.minimal")
def test_minimal_view_returns_the_api_json(api, anon, workspace):
    enrollment = EnrollmentFactory(
        workspace=workspace,
        device_capacity=Decimal("13.500"),
        enrollment_start_date=timezone.now(),
        tags=["a"],
        metadata={"k": [1, 2]},
    )
    minimal = api.get(f"/bench/enrollments/{enrollment.pk}")
    real = api.get(f"/api/v1/enrollments/{enrollment.pk}")
    assert minimal.status_code == real.status_code == 200
    assert minimal.json() == real.json()
    assert anon.get(f"/bench/enrollments/{enrollment.pk}").status_code == 401
