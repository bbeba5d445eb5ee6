import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, make_api_key


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; no test may inherit another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organization(db):
    return OrganizationFactory()


@pytest.fixture
def workspace(organization):
    return organization.workspaces.get(slug="production")


@pytest.fixture
def other_workspace(db):
    """A workspace of another organization: everything in it must stay invisible."""
    return OrganizationFactory().workspaces.get(slug="production")


@pytest.fixture
def api_client_for(db):
    def make(workspace, scopes=None, platform_admin=False):
        key, raw = make_api_key(workspace, scopes=scopes, platform_admin=platform_admin)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.api_key = key
        client.raw_key = raw
        return client

    return make


@pytest.fixture
def api(api_client_for, workspace):
    """A full-key client of `workspace`."""
    return api_client_for(workspace)


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def member_client(db, workspace):
    """A dashboard (session) client for a member of `workspace` with the given role."""

    def make(role="operator", ws=None, **user_kwargs):
        user = UserFactory(**user_kwargs)
        MembershipFactory(user=user, workspace=ws or workspace, role=role)
        client = APIClient(enforce_csrf_checks=False)
        client.force_login(user)
        client.user = user
        return client

    return make
