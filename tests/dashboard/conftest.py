import pytest
from django.test import Client

from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def dash(db, workspace):
    """A signed-in dashboard client (Django's test Client) of `workspace` with the given role."""

    def make(role="operator", ws=None, **user_kwargs):
        user = UserFactory(**user_kwargs)
        MembershipFactory(user=user, workspace=ws or workspace, role=role)
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make
