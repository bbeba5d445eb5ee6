import pytest
from django.db import transaction

from audit.services import audit_record


@pytest.fixture
def make_entry():
    """An audit entry recorded the way the services record them (inside a transaction)."""

    def make(workspace, **kwargs):
        kwargs.setdefault("actor", None)
        kwargs.setdefault("action", "programInstance.updated")
        kwargs.setdefault("object_type", "programInstance")
        kwargs.setdefault("object_id", "inst1")
        with transaction.atomic():
            return audit_record(workspace=workspace, **kwargs)

    return make


def entries(workspace, **filters):
    from audit.models import AuditEntry

    return list(AuditEntry.objects.for_workspace(workspace).filter(**filters).order_by("at", "id"))


@pytest.fixture
def dash(db, workspace):
    """A signed-in dashboard client of `workspace` with the given role (as tests/dashboard)."""
    from django.test import Client

    from tests.factories import MembershipFactory, UserFactory

    def make(role="operator", ws=None, **user_kwargs):
        user = UserFactory(**user_kwargs)
        MembershipFactory(user=user, workspace=ws or workspace, role=role)
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make
