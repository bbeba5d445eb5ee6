"""The admin walk: every registered ModelAdmin, as a non-superuser staff member of workspace A
holding every model permission, through change lists (and each sidebar filter choice),
autocompletes, add and change forms, history and delete pages and every action, and the user
password form. Nothing of workspace B may appear; B's objects are 404/403 (or the admin's
"does not exist" redirect) and stay exactly as they were.

Like the API's router walk and the dashboard's choke-point test, a new ModelAdmin is walked
without anyone writing a test for it.
"""

import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.admin.conftest import MARKER, snapshot

pytestmark = pytest.mark.django_db


def _clean(response, where: str) -> None:
    body = response.content.decode(errors="replace").lower()
    assert MARKER not in body, f"{where} shows workspace B's data"


def _url(model, view, *args):
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def _refused(response, where: str) -> None:
    """B's object: 404, 403, or the admin's redirect to its index ("does not exist")."""
    assert response.status_code in (302, 403, 404), (where, response.status_code)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index"), where


@pytest.fixture
def staff_client(worlds):
    _, _, staff = worlds
    client = Client()
    client.force_login(staff)
    return client


def test_walk_every_model_admin(worlds, staff_client):
    _a, b, _staff = worlds
    before = snapshot(b)
    client = staff_client
    _clean(client.get(reverse("admin:index")), "the admin index")
    walked = 0
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        changelist = _url(model, "changelist")
        response = client.get(changelist)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, (label, response.status_code)
        walked += 1
        _clean(response, f"{label} change list")
        if model_admin.search_fields:
            found = client.get(changelist, {"q": MARKER}).context["cl"].result_count
            assert found == 0, f"{label} search finds workspace B's rows"
        cl = response.context["cl"]
        for spec in cl.filter_specs:
            for choice in spec.choices(cl):
                filtered = client.get(changelist + choice["query_string"])
                assert filtered.status_code in (200, 302), (label, choice["query_string"])
                _clean(filtered, f"{label} filter {choice['query_string']}")
        add = _url(model, "add")
        if add:
            added = client.get(add)
            assert added.status_code in (200, 403), (label, added.status_code)
            _clean(added, f"{label} add form")
        mine = model_admin.get_queryset(_request(response)).first()
        if mine is not None:
            page = client.get(_url(model, "change", mine.pk))
            assert page.status_code in (200, 403), (label, page.status_code)
            _clean(page, f"{label} change form of A's object")
        action_form = response.context.get("action_form")
        choices = action_form.fields["action"].choices if action_form else []
        actions = [name for name, _ in choices if name]
        for pk in b.objects.get(label, []):
            for view in ("change", "history", "delete"):
                url = _url(model, view, pk)
                if url:
                    answer = client.get(url)
                    _refused(answer, f"{label} {view} of B's object")
                    _clean(answer, f"{label} {view} of B's object")
            for action in actions:
                data = {"action": action, "_selected_action": [pk], "index": 0, "post": "yes"}
                _clean(client.post(changelist, data), f"{label} action {action}")
    assert walked >= 10
    assert snapshot(b) == before, "an admin page or action changed workspace B's data"


def _request(response):
    return response.wsgi_request


def test_autocompletes_offer_nothing_of_b(worlds, staff_client):
    for model, model_admin in admin.site._registry.items():
        for field_name in model_admin.autocomplete_fields:
            for term in ("", MARKER):
                response = staff_client.get(
                    reverse("admin:autocomplete"),
                    {
                        "term": term,
                        "app_label": model._meta.app_label,
                        "model_name": model._meta.model_name,
                        "field_name": field_name,
                    },
                )
                assert response.status_code in (200, 403), (model, field_name)
                if response.status_code == 200:
                    texts = json.dumps(response.json()).lower()
                    assert MARKER not in texts, (model._meta.label, field_name)


def test_user_password_form(worlds, staff_client):
    a, b, _staff = worlds
    User = apps.get_model("accounts", "User")
    password = "A-new-pass-9fj3k"
    new = {"password1": password, "password2": password, "usable_password": "true"}
    for target in User.objects.filter(pk__in=b.objects["accounts.User"]):
        url = reverse("admin:auth_user_password_change", args=[target.pk])
        _refused(staff_client.get(url), f"password form of {target}")
        _refused(staff_client.post(url, new), f"password change of {target}")
        target.refresh_from_db()
        assert not target.check_password(new["password1"])
    # A's own member (no other workspace): the staff owner of A may set it.
    url = reverse("admin:auth_user_password_change", args=[a.user.pk])
    assert staff_client.post(url, new).status_code == 302
    a.user.refresh_from_db()
    assert a.user.check_password(new["password1"])
