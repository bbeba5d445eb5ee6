"""Realistic volume, fast: every row is written with bulk_create (no services, no events).

One organization's production workspace ("bench") gets `instances` program instances and
`enrollments` enrollments spread over them (statuses, tags, manufacturers, a year of
created_at), one customer per enrollment, `events` outbox rows; another organization's
workspace gets `noise` enrollments and events, so every query must filter by workspace.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

BATCH = 2000
STATUSES = [
    ("candidate", 30),
    ("eligible", 15),
    ("ineligible", 10),
    ("submitted", 20),
    ("approved", 20),
    ("rejected", 3),
    ("unenrolled", 2),
]
STATES = ["CA", "NY", "TX", "MA", "WA", "CO", "AZ", "NJ", "IL", "FL"]
MANUFACTURERS = ["tesla", "enphase", "sonnen", "lg", "generac", "ecobee", "nest"]
DEVICE_TYPES = ["battery", "thermostat", "ev_charger", "solar"]


@dataclass
class BenchData:
    workspace: object
    other_workspace: object
    instances: list = field(default_factory=list)
    raw_key: str = ""
    sample_email: str = ""
    sample_reference: str = ""
    sample_tag: str = ""


class _no_auto_now:
    """Let bulk_create keep the created_at/updated_at we give it (a year of history)."""

    def __init__(self, *models):
        self.fields = [
            f
            for m in models
            for f in m._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]

    def __enter__(self):
        self.saved = [(f, f.auto_now, f.auto_now_add) for f in self.fields]
        for f in self.fields:
            f.auto_now = f.auto_now_add = False

    def __exit__(self, *exc):
        for f, now, add in self.saved:
            f.auto_now, f.auto_now_add = now, add


def _weighted_status(rng: random.Random) -> str:
    return rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES])[0]


def _programs(rng: random.Random, count: int):
    from programs.models import Program, ProgramState

    now = timezone.now()
    programs = [
        Program(
            slug=f"bench-program-{i}",
            name=f"Bench program {i:04d}",
            type=rng.choice(Program.Type.values),
            states=sorted(rng.sample(STATES, 3)),
            year=2025,
            created_at=now,
            updated_at=now,
        )
        for i in range(count)
    ]
    Program.objects.bulk_create(programs, batch_size=BATCH)
    ProgramState.objects.bulk_create(
        [ProgramState(program=p, state=s) for p in programs for s in p.states], batch_size=BATCH
    )
    return programs


def _instances(workspace, programs, count: int, prefix: str):
    from instances.models import ProgramInstance

    now = timezone.now()
    rows = [
        ProgramInstance(
            program=programs[i % len(programs)],
            workspace=workspace,
            name=f"{prefix} instance {i}",
            slug=f"{prefix}-instance-{i}",
            eligibility_criteria={
                "regions": STATES[:6],
                "deviceTypes": ["battery", "thermostat", "ev_charger"],
                "minimumCapacity": 2,
            },
            created_at=now - timedelta(days=400 - i),
            updated_at=now,
        )
        for i in range(count)
    ]
    ProgramInstance.objects.bulk_create(rows)
    return rows


def _enrollments(rng, workspace, instances, count: int, prefix: str):
    from enrollments.models import Customer, Enrollment, EnrollmentTerm

    now = timezone.now()
    for start in range(0, count, BATCH):
        customers, enrollments, terms = [], [], []
        for i in range(start, min(start + BATCH, count)):
            created = now - timedelta(seconds=rng.randint(0, 365 * 86400))
            state = rng.choice(STATES)
            email = f"{prefix}-{i}@example.com"
            customer = Customer(
                workspace=workspace,
                first_name=f"First{i}",
                last_name=f"Last{i % 997}",
                email=email,
                state=state,
                postal_code=f"{10000 + i % 89999}",
                reference_id=f"REF-{prefix}-{i}",
                created_at=created,
                updated_at=created,
            )
            customers.append(customer)
            tags = [f"cohort-{i % 50}"] + (["priority"] if i % 20 == 0 else [])
            manufacturers = [rng.choice(MANUFACTURERS)]
            enrollment = Enrollment(
                workspace=workspace,
                program_instance=instances[i % len(instances)],
                customer=customer,
                identification_type="customerInfo",
                first_name=customer.first_name,
                last_name=customer.last_name,
                email=email,
                state=state,
                postal_code=customer.postal_code,
                city="Springfield",
                street_one=f"{i} Main St",
                manufacturer_slugs=manufacturers,
                device_type=rng.choice(DEVICE_TYPES),
                device_capacity=rng.randint(1, 20),
                serial_number=f"SN{i:08d}",
                reference_id=customer.reference_id,
                tags=tags,
                metadata={"source": "bench", "n": i},
                status=_weighted_status(rng),
                created_at=created,
                updated_at=created + timedelta(seconds=rng.randint(0, 86400)),
            )
            enrollments.append(enrollment)
            terms += [EnrollmentTerm(enrollment=enrollment, kind="tag", value=t) for t in tags]
            terms += [
                EnrollmentTerm(enrollment=enrollment, kind="manufacturer", value=m)
                for m in manufacturers
            ]
        with transaction.atomic():
            Customer.objects.bulk_create(customers)
            Enrollment.objects.bulk_create(enrollments)
            EnrollmentTerm.objects.bulk_create(terms)


def _events(rng, workspace, instances, count: int):
    from events.models import Event

    now = timezone.now()
    for start in range(0, count, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, count)):
            created = now - timedelta(seconds=rng.randint(0, 365 * 86400))
            instance = instances[i % len(instances)]
            rows.append(
                Event(
                    workspace=workspace,
                    type=rng.choice(
                        ["enrollment.created", "enrollment.status_changed", "enrollment.updated"]
                    ),
                    data={"object": {"id": f"e{i}", "eligibilityStatus": "submitted"}},
                    enrollment_id=f"enr{i:020d}",
                    program_instance_id=instance.pk,
                    created_at=created,
                )
            )
        Event.objects.bulk_create(rows)


def seed(*, enrollments: int, instances: int, events: int, noise: int, seed: int = 7) -> None:
    from accounts.models import ApiKey, Workspace
    from accounts.services import api_key_create, organization_create
    from enrollments.models import Customer, Enrollment
    from events.models import Event
    from instances.models import ProgramInstance
    from programs.models import Program

    rng = random.Random(seed)
    organization_create(name="Bench utility", slug="bench")
    organization_create(name="Noise utility", slug="noise")
    workspace = Workspace.objects.get(organization__slug="bench", slug="production")
    other = Workspace.objects.get(organization__slug="noise", slug="production")
    programs = _programs(rng, 300)
    with _no_auto_now(Customer, Enrollment, Event, ProgramInstance, Program):
        mine = _instances(workspace, programs, instances, "bench")
        theirs = _instances(other, programs, 2, "noise")
        _enrollments(rng, workspace, mine, enrollments, "bench")
        _enrollments(rng, other, theirs, noise, "noise")
        _events(rng, workspace, mine, events)
        _events(rng, other, theirs, noise)
    assert ApiKey.objects.count() == 0
    api_key_create(workspace=workspace, name="bench")


def data(raw_key: str) -> BenchData:
    """Handles on the seeded rows (the raw key is minted again: it is never stored)."""
    from accounts.models import Workspace
    from accounts.services import api_key_create
    from instances.models import ProgramInstance

    workspace = Workspace.objects.get(organization__slug="bench", slug="production")
    other = Workspace.objects.get(organization__slug="noise", slug="production")
    if not raw_key:
        _key, raw_key = api_key_create(workspace=workspace, name="bench run")
    return BenchData(
        workspace=workspace,
        other_workspace=other,
        instances=list(ProgramInstance.objects.for_workspace(workspace).order_by("slug")),
        raw_key=raw_key,
        sample_email="bench-4242@example.com",
        sample_reference="REF-bench-4242",
        sample_tag="priority",
    )
