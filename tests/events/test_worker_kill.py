"""A real `webhook_worker` process is SIGKILLed in the middle of sending a webhook: nothing is lost.

Runs against its own SQLite file (the worker is a separate process and cannot see the test
transaction), with a real HTTP receiver in this process.
"""

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
from django.db import transaction
from accounts.services import workspace_get_or_create
from events.services import event_record
from events.webhooks import webhook_create
from events.models import WebhookDelivery
ws = workspace_get_or_create(org_slug="kill", workspace_slug="production")
webhook_create(workspace=ws, url={url!r})
with transaction.atomic():
    event = event_record(workspace=ws, type="enrollment.created", obj={{"id": "e1"}})
print(WebhookDelivery.objects.get(event=event).pk)
"""

AFTER_KILL = """
import json
from datetime import timedelta
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from events.models import WebhookDelivery
d = WebhookDelivery.objects.get()
state = {"status": d.status, "leased": d.locked_until is not None,
         "tasks": DBTaskResult.objects.count()}
# Time passes: the dead worker's lease runs out, which makes the delivery due again.
past = timezone.now() - timedelta(seconds=1)
WebhookDelivery.objects.filter(pk=d.pk).update(locked_until=past)
print(json.dumps(state))
"""

FINAL = """
import json
from events.models import WebhookDelivery
d = WebhookDelivery.objects.get()
print(json.dumps({"status": d.status, "attempts": d.attempts.count()}))
"""


@pytest.fixture
def env(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "1",
        "WEBHOOK_RETRY_DELAYS": "0",
        "TASK_BACKEND": "database",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py's own: base, not test
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=180,
    )
    return env


def manage(env, *args, timeout=120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


WORKER = ["webhook_worker"]


def test_sigkilled_worker_loses_no_delivery(env, httpserver):
    arrived, release = threading.Event(), threading.Event()
    seen = []

    def receiver(request):
        from werkzeug import Response

        seen.append(request.headers["webhook-id"])
        if len(seen) == 1:  # the first attempt hangs until the worker is dead
            arrived.set()
            release.wait(60)
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(receiver)
    delivery_id = manage(env, "shell", "-c", SETUP.format(url=httpserver.url_for("/hook")))

    worker = subprocess.Popen(
        [sys.executable, "manage.py", *WORKER],
        env={**env, "WEBHOOK_POLL_SECONDS": "0.1"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert arrived.wait(90), "the worker never called the receiver"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
        release.set()

    state = json.loads(manage(env, "shell", "-c", AFTER_KILL))
    # What a kill leaves behind: the delivery still pending and leased (the lease is the
    # watchdog), and no task row at all (the delivery row is the queue).
    assert state == {"status": "pending", "leased": True, "tasks": 0}

    manage(env, *WORKER, "--batch")

    final = json.loads(manage(env, "shell", "-c", FINAL))
    assert final == {"status": "succeeded", "attempts": 1}
    assert seen == [delivery_id, delivery_id]  # delivered again, with the same webhook-id
