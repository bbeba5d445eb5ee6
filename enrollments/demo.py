"""Demo customers, leads and enrollments (for `make run`) that tell the truth.

Every enrollment is made and moved by the real services (`enrollment_create`, the bulk
evaluation that runs the instances' rules, the bulk transitions), so each verdict is what the
evaluator says about that address and device under the rules as they are. Most people are
generated to fit their instance's rules and some deliberately miss one rule (a state outside
the region, a device too small), so the ineligible ones are ineligible for a reason you can
read on their page. Then the timestamps are spread over the last 120 days, always in the past
and in the order the moves happened. The sandbox workspace gets a little data too.

Idempotent: a workspace that already has enrollments is left alone. Customer emails are
switched off while seeding (the demo's customers are made up).
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from enrollments.demo_times import spread_into_the_past
from enrollments.models import Enrollment, EnrollmentStatus, Lead
from enrollments.services import (
    enrollment_bulk_evaluate,
    enrollment_bulk_transition,
    enrollment_create,
)
from instances.models import ProgramInstance

S = EnrollmentStatus
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jon", "Kofi"]
LAST = ["Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Gupta", "Haddad", "Ito", "Jones"]
# Real city / state / ZIP triples, by state.
PLACES = {
    "CA": [("San Francisco", "94110"), ("Oakland", "94607"), ("Sacramento", "95814")],
    "NY": [("New York", "10001"), ("Brooklyn", "11215"), ("New York", "10025")],
    "NJ": [("Newark", "07102"), ("Jersey City", "07302")],
    "TX": [("Austin", "78701"), ("Houston", "77002")],
    "NV": [("Reno", "89501")],
    "CT": [("Hartford", "06103")],
}
DEVICE_MAKERS = {
    "battery": ["tesla", "enphase", "franklinwh"],
    "thermostat": ["ecobee", "nest"],
    "ev_charger": ["chargepoint"],
}
TAGS = ["spring-campaign", "low-income", "referral", "solar", "priority"]
PER_INSTANCE = 100
SANDBOX_COUNT = 8
# Shares of the evaluated, eligible, submitted and approved people that move on.
EVALUATED, SUBMITTED, DECIDED, APPROVED_SHARE, UNENROLLED = 0.85, 0.75, 0.75, 0.8, 0.1


def _fitting(rng: random.Random, criteria) -> dict:
    """Address and device that meet `criteria` (an object of rules, a string or None)."""
    rules = criteria if isinstance(criteria, dict) else {}
    states = [s for s in rules.get("regions", PLACES) if s in PLACES] or ["CA"]
    state = rng.choice(states)
    places = PLACES[state]
    prefixes = [p.rstrip("*") for p in rules.get("postalCodes", [])]
    if prefixes:
        places = [p for p in places if any(p[1].startswith(x) for x in prefixes)] or places
    city, postal = rng.choice(places)
    device = rng.choice(rules.get("deviceTypes") or list(DEVICE_MAKERS))
    makers = [m for m in rules.get("manufacturers", DEVICE_MAKERS.get(device, ["acme"]))]
    low = Decimal(str(rules.get("minimumCapacity", 5)))
    high = Decimal(str(rules.get("maximumCapacity", low + 20)))
    capacity = rng.choice([low, (low + high) / 2, high, low + Decimal("8.5")])
    return {
        "state": state,
        "city": city,
        "postal_code": postal,
        "device_type": device,
        "manufacturer_slugs": [rng.choice(makers)],
        "device_capacity": min(max(capacity, low), high).quantize(Decimal("0.1")),
    }


def _missing_one_rule(rng: random.Random, criteria, fit: dict) -> dict:
    """`fit` with one rule broken: the reason a real operator would see."""
    rules = criteria if isinstance(criteria, dict) else {}
    broken = dict(fit)
    choices = [k for k in ("regions", "minimumCapacity", "deviceTypes") if k in rules]
    if not choices:
        return broken
    rule = rng.choice(choices)
    if rule == "regions":
        state = rng.choice([s for s in PLACES if s not in rules["regions"]])
        broken["state"] = state
        broken["city"], broken["postal_code"] = rng.choice(PLACES[state])
    elif rule == "minimumCapacity":
        broken["device_capacity"] = (Decimal(str(rules["minimumCapacity"])) / 2).quantize(
            Decimal("0.1")
        )
    else:
        broken["device_type"] = next(d for d in DEVICE_MAKERS if d not in rules["deviceTypes"])
    return broken


def _person(rng: random.Random, n: int, workspace_tag: str, instance) -> dict:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    criteria = instance.eligibility_criteria
    place = _fitting(rng, criteria)
    if rng.random() < 0.2:
        place = _missing_one_rule(rng, criteria, place)
    return {
        "identification_type": "customerInfo",
        "first_name": first,
        "last_name": last,
        "email": f"{first}.{last}.{workspace_tag}{n}@example.com".lower(),
        "phone": f"+1555{n:07d}",
        "address": {
            "street_one": f"{100 + n} Main St",
            "city": place["city"],
            "state": place["state"],
            "postal_code": place["postal_code"],
            "country": "USA",
        },
        "device_type": place["device_type"],
        "manufacturer_slugs": place["manufacturer_slugs"],
        "device_capacity": place["device_capacity"],
        "serial_number": f"SN-{workspace_tag}{n:06d}",
        "reference_id": f"REF-{workspace_tag}{n:05d}",
        "reference_description": "Utility account number",
        "tags": rng.sample(TAGS, rng.randint(0, 2)),
    }


def _share(rng: random.Random, rows: list, share: float) -> tuple[list, list]:
    rows = list(rows)
    rng.shuffle(rows)
    cut = round(len(rows) * share)
    return rows[:cut], rows[cut:]


def _walk(rng: random.Random, enrollments: list[Enrollment]) -> None:
    """Move the new candidates along the lifecycle with the bulk services (verdicts by the
    instances' real rules; decisions with reasons)."""
    to_evaluate, _ = _share(rng, enrollments, EVALUATED)
    enrollment_bulk_evaluate(enrollments=to_evaluate, actor=None)
    eligible = [e for e in _reload(to_evaluate) if e.status == S.ELIGIBLE]
    to_submit, _ = _share(rng, eligible, SUBMITTED)
    enrollment_bulk_transition(enrollments=to_submit, to=S.SUBMITTED, actor=None)
    to_decide, _ = _share(rng, to_submit, DECIDED)
    approve, reject = _share(rng, to_decide, APPROVED_SHARE)
    enrollment_bulk_transition(
        enrollments=approve, to=S.APPROVED, actor=None, reason="Documents verified."
    )
    enrollment_bulk_transition(
        enrollments=reject,
        to=S.REJECTED,
        actor=None,
        reason="The serial number does not match the device on the utility account.",
    )
    leave, _ = _share(rng, approve, UNENROLLED)
    enrollment_bulk_transition(
        enrollments=leave,
        to=S.UNENROLLED,
        actor=None,
        reason="Moved out of the service territory.",
    )


def _reload(enrollments: list[Enrollment]) -> list[Enrollment]:
    found = Enrollment.objects.select_related("program_instance").in_bulk(
        [e.pk for e in enrollments]
    )
    return [found[e.pk] for e in enrollments]


def _seed_workspace(rng, workspace, tag: str, per_instance: int) -> list[Enrollment]:
    made: list[Enrollment] = []
    instances = ProgramInstance.objects.for_workspace(workspace).select_related("program")
    n = 0
    for instance in instances.order_by("created_at", "id"):
        if instance.enrollment_block_reason() is not None:
            continue  # paused, archived or ended: takes no enrollments (as for real customers)
        for _ in range(per_instance):
            n += 1
            made.append(
                enrollment_create(
                    workspace=workspace,
                    instance=instance,
                    data=_person(rng, n, tag, instance),
                    actor=None,
                )
            )
    _walk(rng, made)
    return made


def seed(context) -> None:
    workspace = context.workspace
    if not ProgramInstance.objects.for_workspace(workspace).exists():
        return
    if Enrollment.objects.for_workspace(workspace).exists():
        return
    rng = random.Random(20250101)
    enabled = settings.NOTIFICATIONS_ENABLED
    settings.NOTIFICATIONS_ENABLED = False  # made-up customers get no email
    try:
        made = _seed_workspace(rng, workspace, "p", PER_INSTANCE)
        sandbox = context.organization.workspaces.filter(slug="sandbox").first()
        if sandbox is not None and not Enrollment.objects.for_workspace(sandbox).exists():
            made += _seed_workspace(rng, sandbox, "s", SANDBOX_COUNT)
    finally:
        settings.NOTIFICATIONS_ENABLED = enabled
    Lead.objects.bulk_create(
        [
            Lead(
                workspace=workspace,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                email=f"lead{n}@example.com",
                state="CA",
                postal_code="94110",
            )
            for n in range(25)
        ]
    )
    spread_into_the_past(made, now=timezone.now(), rng=rng, days=120, step=timedelta(hours=30))
