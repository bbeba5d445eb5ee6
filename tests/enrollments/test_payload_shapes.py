"""The bulk paths' payload builder (`enrollment_payload`, compiled from EnrollmentSerializer)
renders every enrollment exactly as the serializer does: nulls, nested address and
eligibility, consent, lists, metadata, dates, every status."""

from datetime import UTC, datetime

import pytest

from enrollments.models import EnrollmentStatus
from enrollments.payloads import EnrollmentSerializer, enrollment_payload
from tests.enrollments.factories import EnrollmentFactory


def _as_the_serializer(enrollment):
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(EnrollmentSerializer(enrollment).data, cls=DjangoJSONEncoder))


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(EnrollmentStatus.values))
def test_every_status_renders_as_the_serializer(status):
    enrollment = EnrollmentFactory(status=status)
    assert enrollment_payload(enrollment) == _as_the_serializer(enrollment)


@pytest.mark.django_db
def test_rich_and_empty_values_render_as_the_serializer():
    rich = EnrollmentFactory(
        tags=["wave-1", "vip"],
        manufacturer_slugs=["tesla"],
        metadata={"meter": {"id": 7}, "note": "ünïcode"},
        device_capacity=13.5,
        enrollment_start_date=datetime(2026, 5, 1, 12, 30, tzinfo=UTC),
        consent={
            "termsVersion": 2,
            "termsSha256": "ab" * 32,
            "acceptedAt": "2026-05-01T12:00:00+00:00",
            "ipAddress": "203.0.113.9",
            "userAgent": "Mobile Safari",
        },
    )
    bare = EnrollmentFactory(device_capacity=None, consent=None, tags=[], metadata={})
    for enrollment in (rich, bare):
        enrollment.refresh_from_db()
        payload = enrollment_payload(enrollment)
        assert payload == _as_the_serializer(enrollment)
        assert set(payload) == set(EnrollmentSerializer().fields)
    assert enrollment_payload(rich)["address"]["state"] == rich.state
    assert enrollment_payload(bare)["consent"] is None


@pytest.mark.django_db
def test_dates_follow_the_active_time_zone_as_the_serializer_does():
    """The builder formats dates itself (one zone lookup per object): in UTC they end in `Z`,
    in another active zone they carry its offset, exactly as DRF renders them."""
    from django.utils import timezone

    enrollment = EnrollmentFactory(
        enrollment_start_date=datetime(2026, 5, 1, 12, 30, 15, 250, tzinfo=UTC)
    )
    enrollment.refresh_from_db()
    assert enrollment_payload(enrollment)["enrollmentStartDate"] == "2026-05-01T12:30:15.000250Z"
    with timezone.override("America/New_York"):
        payload = enrollment_payload(enrollment)
        assert payload == _as_the_serializer(enrollment)
    assert payload["enrollmentStartDate"] == "2026-05-01T08:30:15.000250-04:00"
