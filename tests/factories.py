"""Factories for the accounts graph. Each app adds its own in tests/<app>/factories.py and keeps
an object graph inside one workspace (SubFactory + SelfAttribute)."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Membership, Organization, User, Workspace
from accounts.services import api_key_create, organization_create


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("correct horse battery")


class OrganizationFactory(DjangoModelFactory):
    """Built through the service, so every organization has production and sandbox workspaces."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Utility {n}")
    slug = factory.Sequence(lambda n: f"utility-{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return organization_create(name=kwargs["name"], slug=kwargs["slug"])


class WorkspaceFactory(DjangoModelFactory):
    class Meta:
        model = Workspace
        django_get_or_create = ["organization", "slug"]

    organization = factory.SubFactory(OrganizationFactory)
    slug = "production"
    name = "Production"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Membership.Role.OPERATOR


def make_api_key(workspace, scopes=None, **kwargs):
    """A key and its raw value (the factory cannot return both)."""
    return api_key_create(
        workspace=workspace, name=kwargs.pop("name", "test key"), scopes=scopes, **kwargs
    )


# --- programs and instances (issue 3) -----------------------------------------------------------
class ProgramFactory(DjangoModelFactory):
    """A public program by default; pass `organization=` with visibility="private"."""

    class Meta:
        model = "programs.Program"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    type = "demand_response"
    states = factory.LazyFunction(lambda: ["CA"])
    visibility = "public"
    year = 2025

    @factory.post_generation
    def sync_states(obj, create, extracted, **kwargs):
        if create:
            from programs.services import program_states_sync

            program_states_sync(program=obj)


class ProgramInstanceFactory(DjangoModelFactory):
    class Meta:
        model = "instances.ProgramInstance"

    # A nationwide program unless a test says otherwise: the program's states bound eligibility.
    program = factory.SubFactory(ProgramFactory, states=[])
    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Instance {n}")
    slug = factory.Sequence(lambda n: f"instance-{n}")
