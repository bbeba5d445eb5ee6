"""Bounded, deterministic fuzzing of every operation in the OpenAPI schema.

Schemathesis turns the schema drf-spectacular generates into Hypothesis strategies: valid
requests (positive mode) and requests that break the schema on purpose (negative mode: wrong
types, missing or unknown fields, out-of-range numbers, odd strings). Each generated request
is sent in process through Django's test client, the full key and the platform-admin key
taking turns, against the demo data. A second walk sends fixed hostile values (edge dates,
far offsets, huge numbers, odd strings) in every query parameter and body field.

The guarantees checked:

- no response is a 5xx;
- every 4xx is JSON `{code, message, details}` with a non-empty message and an object details.

Deterministic: Hypothesis is derandomized (a fixed seed derived from each test) and keeps no
example database, so the same requests run on every machine; the budget per operation is
small so the whole walk stays within about a minute on SQLite and on PostgreSQL. Failures are
collected (not raised inside Hypothesis, which would spend minutes shrinking) and reported
together with a request to reproduce each.
"""

import json
import socket
from functools import cache
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis import GenerationMode

from accounts.models import ApiKey, Workspace
from audit.models import AuditEntry
from enrollments.models import Customer, Enrollment, Lead
from events.models import Event, WebhookDelivery
from events.webhooks import webhook_create, webhook_send_test
from instances.models import ProgramInstance
from programs.models import Program
from tests.factories import make_api_key

# Examples per operation and generation mode: positive and negative requests on real objects,
# then negative requests whose path parameters are generated too.
EXAMPLES = {"positive": 2, "negative": 4, "negative_paths": 1}
HYPOTHESIS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
AUTH_HEADERS = {"authorization", "x-api-key"}


@cache
def _raw_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))


@cache
def _operations():
    """Every operation of the schema, DELETEs last so they do not remove what others use."""
    schema = schemathesis.openapi.from_dict(_raw_schema())
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda op: (op.method.upper() == "DELETE", op.path, op.method))


def _query_string(query) -> str:
    def text(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    pairs = []
    for name, value in (query or {}).items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((str(name), text(item)))
    return urlencode(pairs)


def _body(case) -> tuple[bytes | None, str]:
    body = case.body
    media_type = case.media_type or "application/json"
    if type(body).__name__ == "NotSet":
        return None, media_type
    if isinstance(body, bytes):
        return body, media_type
    if isinstance(body, str) and "json" not in media_type:
        return body.encode("utf-8", "surrogatepass"), media_type
    return json.dumps(body).encode("utf-8", "surrogatepass"), media_type


def _problem(response, method: str) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"{status} {response.content[:300]!r}"
    if status < 400 or method == "HEAD":
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"{status} is not JSON: {response.content[:200]!r}"
    if not (
        isinstance(body, dict)
        and set(body) == {"code", "message", "details"}
        and isinstance(body["code"], str)
        and isinstance(body["message"], str)
        and body["message"]
        and isinstance(body["details"], dict)
    ):
        return f"{status} has the wrong error shape: {response.content[:300]!r}"
    return None


@pytest.fixture
def fuzz_world(db, settings, monkeypatch):
    """The demo data, one webhook with a delivery, and a full and a platform-admin key."""
    settings.API_THROTTLE_RATE = "1000000/min"
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True

    call_command("seed_demo", verbosity=0)
    workspace = Workspace.objects.get(organization__slug="pacific-grid", slug="production")
    endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/hook")
    delivery = webhook_send_test(endpoint=endpoint)

    def no_dns(*args, **kwargs):
        raise socket.gaierror("no DNS in the fuzz test")

    # Webhook URLs are resolved on create; generated host names must never reach the network.
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    ids = {
        "programs": Program.objects.filter(visibility="public").order_by("slug").first().slug,
        "programInstances": ProgramInstance.objects.for_workspace(workspace).first().pk,
        "enrollments": Enrollment.objects.for_workspace(workspace).first().pk,
        "customers": Customer.objects.for_workspace(workspace).first().pk,
        "leads": Lead.objects.for_workspace(workspace).first().pk,
        "events": Event.objects.for_workspace(workspace).first().pk,
        "webhooks": endpoint.pk,
        "deliveries": delivery.pk,
    }
    clients = []
    for platform_admin in (False, True):
        _, raw = make_api_key(workspace, platform_admin=platform_admin)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        clients.append(client)
    from enrollments.imports.service import import_start

    open_instance = next(
        i
        for i in ProgramInstance.objects.for_workspace(workspace).select_related("program")
        if i.enrollment_block_reason() is None
    )
    ids["imports"] = import_start(
        workspace=workspace,
        instance=open_instance,
        actor=None,
        rows=[{"firstName": "Fuzz", "lastName": "Row", "email": "fuzz@example.com"}],
    ).pk
    # A key to be deleted by DELETE /apiKeys/{id} (never one the fuzzer is using).
    spare, _ = make_api_key(workspace)
    ids["apiKeys"] = spare.pk
    ids["auditLog"] = AuditEntry.objects.for_workspace(workspace).first().pk
    assert ApiKey.objects.filter(pk=spare.pk).exists()
    assert WebhookDelivery.objects.filter(pk=delivery.pk).exists()
    return ids, clients


def _real_path_parameters(operation, ids) -> dict:
    resource = operation.path.removeprefix("/api/v1/").split("/")[0]
    values = {}
    for parameter in operation.path_parameters:
        name = parameter.name
        if name == "programSlug":
            values[name] = ids["programs"]
        elif name == "instanceId":
            values[name] = ids["programInstances"]
        elif name == "deliveryId":
            values[name] = ids["deliveries"]
        else:
            values[name] = ids[resource]
    return values


def _fuzz(operation, strategy, examples, clients, failures):
    sent = [0]

    @settings(HYPOTHESIS, max_examples=examples)
    @given(strategy)
    def run(case):
        body, media_type = _body(case)
        kwargs = {"QUERY_STRING": _query_string(case.query)}
        if body is not None:
            kwargs.update(data=body, content_type=media_type)
        # The keys take turns (full, platform admin, ...): both see every operation.
        client = clients[sent[0] % len(clients)]
        sent[0] += 1
        response = client.generic(case.method.upper(), case.formatted_path, **kwargs)
        problem = _problem(response, case.method.upper())
        if problem and len(failures) < 20:
            failures.append(
                f"{case.method.upper()} {case.formatted_path}?{kwargs['QUERY_STRING']} "
                f"body={body[:200] if body else body!r} -> {problem}"
            )

    run()


def test_every_operation_answers_without_5xx_and_with_the_error_shape(fuzz_world):
    ids, clients = fuzz_world
    failures: list[str] = []
    operations = _operations()
    assert len(operations) >= 40, "the schema lost operations"
    for operation in operations:
        real = _real_path_parameters(operation, ids)
        for mode, name in (
            (GenerationMode.POSITIVE, "positive"),
            (GenerationMode.NEGATIVE, "negative"),
        ):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=real or None)
            _fuzz(operation, strategy, EXAMPLES[name], clients, failures)
        if real:
            strategy = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
            _fuzz(operation, strategy, EXAMPLES["negative_paths"], clients, failures)
    assert not failures, "\n".join(failures)


# Values that broke (or could break) parsers and databases: dates at the edges of what Python
# and PostgreSQL hold, offsets PostgreSQL refuses, huge and negative numbers, odd strings.
HOSTILE_DATES = [
    "2025-02-30",
    "2025-01-01T00:00:00",
    "9999-12-31",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+05:00",
    "2025-06-01T12:00:00+22:17",
]
HOSTILE = [
    "",
    "-1",
    "99999999999999999999999",
    "%",
    "é\u202e😀",
    "x" * 3000,
    "9999-12-31T23:59:59-05:00",
]
HOSTILE_BODY_VALUES = [
    None,
    10**30,
    1.5e308,
    "x" * 3000,
    [[[]]],
    {"\udfff": "\ud800"},
    "9999-12-31T23:59:59-05:00",
    "2025-06-01T12:00:00-19:05",
]


def _request_properties(operation: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref", "")
    if not ref:
        return []
    component = _raw_schema()["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return sorted(component.get("properties", {}))


def test_hostile_values_in_every_query_parameter_and_body_field(fuzz_world):
    """Every query parameter (plus an unknown and a repeated one) and every top-level body
    field of every operation gets each hostile value once. The platform-admin key alone: it
    holds every scope, so each request reaches validation (the walk above covers both keys)."""
    ids, all_clients = fuzz_world
    clients = all_clients[1:]
    failures: list[str] = []
    operations = sorted(
        (
            (method.upper(), path, operation)
            for path, methods in _raw_schema()["paths"].items()
            for method, operation in methods.items()
        ),
        key=lambda item: (item[0] == "DELETE", item[1], item[0]),
    )

    def send(method, path, query="", body=None):
        kwargs = {"QUERY_STRING": query}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        for client in clients:
            response = client.generic(method, path, **kwargs)
            problem = _problem(response, method)
            if problem and len(failures) < 20:
                failures.append(f"{method} {path}?{query[:200]} body={body!r:.200} -> {problem}")

    for method, template, operation in operations:
        resource = template.removeprefix("/api/v1/").split("/")[0]
        path = (
            template.replace("{programSlug}", ids["programs"])
            .replace("{instanceId}", ids["programInstances"])
            .replace("{deliveryId}", ids["deliveries"])
            .replace("{id}", ids[resource] if "{id}" in template else "")
        )
        if method == "DELETE":
            send(method, path, urlencode({"unknownParam": "1"}))
            continue
        if method == "GET":
            parameters = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            for parameter in [*parameters, {"name": "unknownParam", "schema": {}}]:
                name = parameter["name"]
                is_date = "date" in parameter["schema"].get("format", "") or name == "activeOn"
                for value in [*HOSTILE, *(HOSTILE_DATES if is_date else [])]:
                    send(method, path, urlencode({name: value}))
                send(method, path, urlencode([(name, "1"), (name, "x")]))
            send("HEAD", path)
            send("OPTIONS", path)
            continue
        for name in _request_properties(operation):
            for value in HOSTILE_BODY_VALUES:
                send(method, path, body=json.dumps({name: value}))
        for raw in ["", "null", "[]", "1", "{", '{"a":' * 40 + "1" + "}" * 40]:
            send(method, path, body=raw)
    assert not failures, "\n".join(failures)
