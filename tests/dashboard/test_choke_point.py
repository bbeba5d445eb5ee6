"""Every dashboard page goes through WorkspaceViewMixin and the scoped querysets."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dashboard.mixins import WorkspaceViewMixin
from dashboard.views.account import WorkspaceSwitchView
from dashboard.views.invitations import InvitationView

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
# Not workspace data: choosing the workspace itself (checked against the user's memberships).
# Accepting an invitation happens before the user is a member of its workspace.
OUTSIDE_A_WORKSPACE = {WorkspaceSwitchView, InvitationView}


def dashboard_patterns():
    resolver = get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "dashboard":
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern)
                yield pattern


def test_every_dashboard_view_uses_the_workspace_mixin():
    patterns = list(dashboard_patterns())
    assert len(patterns) > 20
    for pattern in patterns:
        view_class = pattern.callback.view_class
        if view_class in OUTSIDE_A_WORKSPACE:
            continue
        assert issubclass(view_class, WorkspaceViewMixin), pattern.name


@pytest.mark.django_db
def test_every_dashboard_page_needs_sign_in():
    client = Client()
    for pattern in dashboard_patterns():
        path = "/" + str(pattern.pattern).replace("<str:pk>", "x").replace("<str:delivery_pk>", "y")
        response = (
            client.post(path)
            if "post" in pattern.callback.view_class.http_method_names
            and "get" not in pattern.callback.view_class.http_method_names
            else client.get(path)
        )
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path


def test_no_unscoped_queries_in_views_forms_and_tables():
    """Raw `Model.objects.get/filter/all` would bypass for_workspace(); the mixin's `scoped()`
    (`model.objects.for_workspace`) is the only manager access allowed."""
    sources = [
        *DASHBOARD.glob("views/*.py"),
        *DASHBOARD.glob("forms/*.py"),
        DASHBOARD / "tables.py",
    ]
    offenders = []
    for source in sources:
        for number, line in enumerate(source.read_text().splitlines(), 1):
            if re.search(r"\.objects\.(?!for_workspace\()", line):
                offenders.append(f"{source.name}:{number}: {line.strip()}")
    assert offenders == []


def test_every_view_that_writes_declares_who_may():
    """A POST handler without write_scope (or min_role) would be open to every member."""
    for pattern in dashboard_patterns():
        view_class = pattern.callback.view_class
        if view_class in OUTSIDE_A_WORKSPACE or not hasattr(view_class, "post"):
            continue
        assert view_class.write_scope or view_class.min_role, pattern.name
