"""Issue 13 point 11: the demo data tells the truth. Made by the real services; no time in the
future; history in order; addresses that match their instances' rules (or miss one on purpose);
every stored verdict is what the evaluator says today; a little sandbox data; idempotent."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Workspace
from enrollments.models import Enrollment, EnrollmentStatusChange
from enrollments.selectors import enrollment_eligibility_subject
from events.models import Event
from instances.eligibility import evaluate_for_instance

pytestmark = pytest.mark.django_db
EVALUATED = {"eligible", "submitted", "approved", "rejected", "unenrolled"}


@pytest.fixture
def demo_world(db):
    call_command("seed_demo", verbosity=0)
    return Workspace.objects.get(organization__slug="pacific-grid", slug="production")


def test_every_status_and_a_sandbox(demo_world):
    statuses = set(Enrollment.objects.for_workspace(demo_world).values_list("status", flat=True))
    assert statuses == {
        "candidate",
        "eligible",
        "ineligible",
        "submitted",
        "approved",
        "rejected",
        "unenrolled",
    }
    sandbox = Workspace.objects.get(organization__slug="pacific-grid", slug="sandbox")
    assert 0 < Enrollment.objects.for_workspace(sandbox).count() < 20


def test_no_time_in_the_future_and_history_in_order(demo_world):
    now = timezone.now()
    assert not Enrollment.objects.filter(created_at__gt=now).exists()
    assert not Enrollment.objects.filter(updated_at__gt=now).exists()
    assert not Enrollment.objects.filter(enrollment_start_date__gt=now).exists()
    assert not EnrollmentStatusChange.objects.filter(created_at__gt=now).exists()
    assert not Event.objects.filter(created_at__gt=now).exists()
    for enrollment in Enrollment.objects.prefetch_related("status_changes")[:80]:
        changes = list(enrollment.status_changes.all())
        stamps = [enrollment.created_at, *[c.created_at for c in changes]]
        assert stamps == sorted(stamps)
        if changes:
            assert changes[0].from_status == "candidate"
            assert changes[-1].to_status == enrollment.status
            assert enrollment.updated_at == changes[-1].created_at


def test_verdicts_agree_with_the_rules_as_they_are(demo_world):
    rows = Enrollment.objects.exclude(status="candidate").select_related(
        "program_instance__program"
    )
    assert rows.count() > 100
    for enrollment in rows:
        result = evaluate_for_instance(
            instance=enrollment.program_instance,
            subject=enrollment_eligibility_subject(enrollment=enrollment),
        )
        assert result.eligible is (enrollment.status in EVALUATED), (
            enrollment.status,
            result.reason,
        )
        if enrollment.status == "ineligible":
            assert enrollment.eligibility_reason == result.reason


def test_addresses_match_their_instances(demo_world):
    for enrollment in Enrollment.objects.filter(status__in=EVALUATED).select_related(
        "program_instance"
    ):
        rules = enrollment.program_instance.eligibility_criteria
        if isinstance(rules, dict) and "regions" in rules:
            assert enrollment.state in rules["regions"]


def test_seeding_twice_changes_nothing(demo_world):
    count = Enrollment.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Enrollment.objects.count() == count
