"""Demo organizations, users and workspaces for `make run`. Idempotent: re-running keeps data."""

from dataclasses import dataclass

from accounts.models import Membership, Organization, User, Workspace
from accounts.services import organization_create

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "gridprograms-demo"


@dataclass
class DemoContext:
    organization: Organization
    workspace: Workspace
    other_organization: Organization
    user: User


def seed() -> DemoContext:
    organization = Organization.objects.filter(slug="pacific-grid").first() or organization_create(
        name="Pacific Grid Co-op", slug="pacific-grid"
    )
    other = Organization.objects.filter(slug="empire-energy").first() or organization_create(
        name="Empire Energy Services", slug="empire-energy"
    )
    workspace = Workspace.objects.get(organization=organization, slug="production")
    user = User.objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(
            username=DEMO_USERNAME,
            email="demo@example.com",
            password=DEMO_PASSWORD,
            first_name="Dana",
            last_name="Operator",
        )
    for ws in organization.workspaces.all():
        Membership.objects.get_or_create(
            user=user, workspace=ws, defaults={"role": Membership.Role.OWNER}
        )
    for username, role in (("olivia", "operator"), ("victor", "viewer"), ("adam", "admin")):
        member = User.objects.filter(username=username).first()
        if member is None:
            member = User.objects.create_user(
                username=username, email=f"{username}@example.com", password=DEMO_PASSWORD
            )
        Membership.objects.get_or_create(user=member, workspace=workspace, defaults={"role": role})
    return DemoContext(
        organization=organization, workspace=workspace, other_organization=other, user=user
    )
