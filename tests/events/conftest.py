"""Fixtures for the events tests: a real HTTP receiver on loopback and a real worker loop."""

import itertools

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from events.services import event_record
from events.webhooks import webhook_create
from instances.models import ProgramInstance
from programs.models import Program

_counter = itertools.count()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    """The receiver listens on 127.0.0.1, so private networks are allowed here (a test turns
    it off to prove the guard); retries are immediate so the worker loop drives them."""
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOK_RETRY_DELAYS = [0, 0, 0]
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    settings.NOTIFICATIONS_ENABLED = True


@pytest.fixture
def run_worker(monkeypatch):
    """Run the real worker loops until nothing is due: the webhook delivery engine
    (`webhook_worker --batch`), then django-tasks-db's own loop (`db_worker --batch`) for the
    emails the deliveries' outcomes enqueue. `max_rounds` limits the engine to that many
    claim rounds (one attempt per due delivery each).

    The worker calls close_old_connections() between tasks; inside a test transaction that
    would drop the test's connection, so only that call is neutralised.
    """
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(max_rounds: int | None = None) -> int:
        args = ["--batch"] + (["--max-rounds", str(max_rounds)] if max_rounds else [])
        call_command("webhook_worker", *args, verbosity=0)
        before = DBTaskResult.objects.exclude(status="READY").count()
        args = ["--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*"]
        call_command("db_worker", *args, verbosity=0)
        return DBTaskResult.objects.exclude(status="READY").count() - before

    return run


@pytest.fixture
def make_endpoint(workspace):
    def make(url, ws=None, event_types=None, **kwargs):
        endpoint, secret = webhook_create(
            workspace=ws or workspace, url=url, event_types=event_types, **kwargs
        )
        endpoint.raw_secret = secret
        return endpoint

    return make


def record_event(workspace, type="enrollment.created", obj=None, **kwargs):
    """An event as a service would write it: inside the change's transaction."""
    obj = obj or {"id": f"enr{next(_counter):022d}", "eligibilityStatus": "candidate"}
    with transaction.atomic():
        return event_record(
            workspace=workspace,
            type=type,
            obj=obj,
            enrollment_id=obj.get("id", "") if type.startswith("enrollment") else "",
            **kwargs,
        )


def make_instance(workspace, **kwargs):
    n = next(_counter)
    program = Program.objects.create(slug=f"evt-program-{n}", name=f"Program {n}")
    return ProgramInstance.objects.create(
        program=program,
        workspace=workspace,
        name=kwargs.pop("name", f"Sunny Rewards {n}"),
        slug=f"evt-instance-{n}",
        **kwargs,
    )
