"""Hostile input on every dashboard form and parameter (issue 14, point 3), and the request
limits on every door: 413 over DATA_UPLOAD_MAX_MEMORY_SIZE, 400 over 1,000 fields.

The sweep is deterministic and bounded: it signs in as an owner of a workspace with one object
of each kind, discovers every dashboard page from the URLconf, reads the forms each page renders
(their fields and current values from the HTML) and submits each form once per field and hostile
value, the other fields keeping their rendered values. GET forms (filters) and the pages' query
parameters get the same values. Checked: no 5xx, NUL is always a 400, and no NUL reaches any
text column (on SQLite it would otherwise be stored).
"""

from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, get_resolver

from events.webhooks import webhook_create
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory
from tests.factories import MembershipFactory, UserFactory, make_api_key

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"

NUL_VALUES = ["\x00", "a\x00b"]
HOSTILE = [
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00",
    "10000-01-01",
    "2031-06-01T12:00+22:00",
    "-1",
    "1e309",
    "99999999999999999999999",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "x" * 3000,
    "",
]


class FormParser(HTMLParser):
    """The forms of a page: method, action and (name, value) pairs as a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": [],
                "names": set(),
            }
            self.forms.append(self._form)
        elif self._form is None or "name" not in a:
            return
        elif tag == "input":
            self._form["names"].add(a["name"])
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "file"):
                self._form["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "button" and a.get("value") is not None:
            self._form["names"].add(a["name"])
        elif tag == "select":
            self._select = [a["name"], None]
            self._form["names"].add(a["name"])
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in a:
                self._select[1] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["names"].add(a["name"])
            self._form["fields"].append((a["name"], ""))

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            self._form["fields"].append((self._select[0], self._select[1] or ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


@pytest.fixture
def world(workspace, settings):
    """One object of every kind the dashboard shows, and an owner signed in."""
    owner = UserFactory(username="owner")
    MembershipFactory(user=owner, workspace=workspace, role="owner")
    MembershipFactory(user=UserFactory(username="member"), workspace=workspace, role="viewer")
    instance = ProgramInstanceFactory(workspace=workspace)
    submitted = EnrollmentFactory(
        workspace=workspace, program_instance=instance, status="submitted"
    )
    EnrollmentFactory(workspace=workspace, program_instance=instance, status="candidate")
    key, _ = make_api_key(workspace, name="sweep key")
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.TASK_BACKEND = "dummy"
    endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/hook")
    client = Client()
    client.force_login(owner)
    ids = {
        "instance": instance.pk,
        "enrollment": submitted.pk,
        "key": key.pk,
        "webhook": endpoint.pk,
        "member": owner.memberships.get().pk,
    }
    return client, ids


def _pages(ids):
    """Every dashboard route with its path parameters filled with real ids."""
    resolver = get_resolver()
    pages = []
    for pattern in resolver.url_patterns:
        if getattr(pattern, "app_name", None) != "dashboard":
            continue
        for entry in pattern.url_patterns:
            assert isinstance(entry, URLPattern)
            route = str(entry.pattern)
            prefix = route.split("<", 1)[0]
            fill = {
                "instances/": ids["instance"],
                "enrollments/": ids["enrollment"],
                "review/": ids["enrollment"],
                "settings/members/": ids["member"],
                "settings/api-keys/": ids["key"],
                "settings/webhooks/": ids["webhook"],
            }.get(prefix, "")
            path = route.replace("<str:pk>", str(fill)).replace("<str:delivery_pk>", "none")
            pages.append("/" + path)
    return pages


def _values_for(index: int) -> list[str]:
    """NUL plus two hostile values per field, rotating so every value meets many fields."""
    return ["a\x00b", HOSTILE[index % len(HOSTILE)]]


def test_every_dashboard_form_and_parameter_survives_hostile_values(world):
    client, ids = world
    pages = _pages(ids)
    assert len(pages) >= 20
    failures, seen, sent_count = [], set(), 0

    def check(response, what, nul):
        nonlocal sent_count
        sent_count += 1
        if response.status_code >= 500 or (nul and response.status_code != 400):
            failures.append((response.status_code, what))

    for page_index, page in enumerate(pages):
        response = client.get(page)
        check(response, page, False)
        for value in _values_for(page_index):
            query = {"q": value, "status": value, "page": value, "sort": value}
            check(client.get(page + "?" + urlencode(query)), (page, value[:40]), "\x00" in value)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = FormParser()
        parser.feed(response.content.decode())
        for form in parser.forms:
            names = form["names"] - {"csrfmiddlewaretoken"}
            action = form["action"] or page
            signature = (form["method"], action.split("?")[0], frozenset(names))
            if not names or signature in seen:
                continue
            seen.add(signature)
            base = [(n, v) for n, v in form["fields"] if n != "csrfmiddlewaretoken"]
            for index, name in enumerate(sorted(names)):
                for value in _values_for(index):
                    data = [(n, v) for n, v in base if n != name] + [(name, value)]
                    if form["method"] == "get":
                        sent = client.get(action + "?" + urlencode(data))
                    else:
                        sent = client.post(
                            action,
                            urlencode(data),
                            content_type=FORM,
                        )
                    check(sent, (form["method"], action, name, value[:40]), "\x00" in value)
    print(f"{sent_count} requests, {len(seen)} distinct forms")
    assert not failures, failures[:20]
    assert len(seen) >= 8, seen
    _assert_no_nul_stored()


OUR_APPS = ("accounts", "programs", "instances", "enrollments", "events")


def _assert_no_nul_stored():
    """Read back every text column of our apps (SQLite's LIKE cannot search for NUL)."""
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        for row in model._default_manager.values_list(*names):
            assert not any("\x00" in (v or "") for v in row), (model, row)


@pytest.mark.parametrize(
    "path", ["/workspace/", "/enrollments/bulk/", "/review/{enrollment}/", "/settings/members/"]
)
def test_nul_in_the_reported_fields_is_a_400(world, path):
    client, ids = world
    url = path.format(**ids)
    for data in (
        {"workspace": "a\x00"},
        {"ids": ["\x00"], "action": "approve"},
        {"reason": "no\x00pe", "action": "reject"},
        {"email": "a@example.com\x00", "role": "viewer"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "NUL" in response.content.decode()


BIG = 2_621_440 + 1  # one byte over Django's 2.5 MB default


def test_api_body_over_the_limit_is_413_with_the_error_shape(api):
    body = '{"firstName": "' + "x" * BIG + '"}'
    response = api.post("/api/v1/customers", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert "2.5 MB" in response.json()["message"]


def test_dashboard_body_over_the_limit_is_413(world):
    client, _ = world
    response = client.post(
        "/settings/api-keys/",
        urlencode({"name": "x" * BIG}),
        content_type=FORM,
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()


MANY = "&".join(f"f{i}=1" for i in range(1001))


def test_more_than_1000_parameters_is_a_400_everywhere(world, api):
    client, _ = world
    response = api.get("/api/v1/enrollments?" + MANY)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "1000" in response.json()["message"]
    assert client.get("/enrollments/?" + MANY).status_code == 400
    posted = client.post("/settings/api-keys/", MANY, content_type=FORM)
    assert posted.status_code == 400 and "Too many parameters" in posted.content.decode()
    assert client.get("/enrollments/?" + "&".join(f"f{i}=1" for i in range(999))).status_code == 200
