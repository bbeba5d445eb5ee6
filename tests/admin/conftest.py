"""Two organizations' worlds, built by the real services, for the admin walk: workspace A (the
staff user's) and workspace B, whose every visible string carries the marker `qzbmarkz`."""

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core import serializers
from django.db import transaction

from accounts.scopes import WORKSPACE_SCOPES
from accounts.services import organization_create
from accounts.tenancy import Tenant
from enrollments.services import enrollment_evaluate
from events.webhooks import webhook_create
from instances.services import instance_create
from tests.enrollments.factories import CustomerFactory, EnrollmentFactory, LeadFactory
from tests.factories import MembershipFactory, ProgramFactory, UserFactory, make_api_key

MARKER = "qzbmarkz"


@dataclass
class World:
    workspace: object
    user: object
    objects: dict = field(default_factory=dict)  # model label -> [pks]


def _all_pks():
    return {
        m._meta.label: set(m._default_manager.values_list("pk", flat=True))
        for m in apps.get_models()
    }


def _build(prefix: str, public_program, settings) -> object:
    organization = organization_create(name=f"{prefix} Utility", slug=f"{prefix}-utility")
    workspace = organization.workspaces.get(slug="production")
    user = UserFactory(username=f"{prefix}-member", email=f"{prefix}@example.com")
    MembershipFactory(user=user, workspace=workspace, role="owner")
    actor = Tenant(workspace=workspace, scopes=frozenset(WORKSPACE_SCOPES), user=user, role="owner")
    ProgramFactory(
        name=f"{prefix} private program",
        slug=f"{prefix}-private",
        visibility="private",
        organization=organization,
    )
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    with transaction.atomic():
        webhook_create(workspace=workspace, url=f"http://127.0.0.1:9/{prefix}", actor=actor)
        instance = instance_create(
            workspace=workspace,
            program=public_program,
            data={"name": f"{prefix} instance", "eligibility_criteria": {"regions": ["NY"]}},
            actor=actor,
        )
    customer = CustomerFactory(workspace=workspace, first_name=f"{prefix}first")
    LeadFactory(workspace=workspace, first_name=f"{prefix}lead")
    enrollment = EnrollmentFactory(
        workspace=workspace, program_instance=instance, customer=customer
    )
    enrollment_evaluate(enrollment=enrollment, actor=actor)
    make_api_key(workspace, name=f"{prefix} key", created_by_user=user)
    return workspace, user


@pytest.fixture
def worlds(db, settings):
    """(A, B, staff): B's rows are listed per model; staff is a non-superuser staff member,
    owner of A, holding every model permission (the worst case)."""
    public = ProgramFactory(name="Shared public program", slug="shared-public")
    before = _all_pks()
    b_workspace, b_user = _build(MARKER, public, settings)
    superuser = UserFactory(username=f"{MARKER}-root", is_staff=True, is_superuser=True)
    b = World(b_workspace, b_user)
    after = _all_pks()
    b.objects = {label: sorted(after[label] - before[label]) for label in after}
    b.objects["accounts.User"] = [b_user.pk, superuser.pk]
    a_workspace, a_user = _build("aaa", public, settings)
    a = World(a_workspace, a_user)
    staff = UserFactory(username="aaa-staff", is_staff=True)
    MembershipFactory(user=staff, workspace=a_workspace, role="owner")
    staff.user_permissions.set(Permission.objects.all())
    return a, b, staff


def snapshot(world: World) -> str:
    """Every row of B, serialized: the walk must leave it exactly as it was."""
    parts = []
    for label, pks in sorted(world.objects.items()):
        if pks:
            model = apps.get_model(label)
            parts.append(serializers.serialize("json", model._default_manager.filter(pk__in=pks)))
    return "\n".join(parts)
