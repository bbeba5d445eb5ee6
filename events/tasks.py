"""Background tasks (Django's `django.tasks` API; `django_tasks_db` runs them by default).

Tasks carry ids only and re-read their rows, so a task that runs twice or late does no harm:
every task here is idempotent. `enqueue()` is how the app schedules them: with the database
backend the task row is written inside the caller's transaction (committed or rolled back with
the change: an outbox), with any other backend it is handed over after commit.
"""

import inspect
from datetime import datetime

from django.db import transaction
from django.tasks import task

from config.logs import current_request_id, request_context


def enqueue(task_obj, *args, run_after: datetime | None = None) -> None:
    """Schedule `task_obj(*args)`. A task with a `request_id` keyword also gets the current
    request id (config/logs.py), so the worker's log lines name the request that caused it."""
    from django_tasks_db.backend import DatabaseBackend

    rid = current_request_id()
    takes_id = "request_id" in inspect.signature(task_obj.func).parameters
    kwargs = {"request_id": rid} if rid and takes_id else {}
    backend = task_obj.get_backend()
    if run_after is not None and backend.supports_defer:
        task_obj = task_obj.using(run_after=run_after)
    if isinstance(backend, DatabaseBackend):
        task_obj.enqueue(*args, **kwargs)
    else:
        # Not transactional: never let a task see (or announce) a change that may roll back.
        transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs))


@task()
def webhook_deliver(delivery_id: str, request_id: str = "") -> str:
    """Make one attempt of a webhook delivery if it is due (see events.delivery).

    The delivery engine (`manage.py webhook_worker`) sends every due delivery by itself; this
    task stays for task rows enqueued by earlier versions and for sending one delivery by hand.
    """
    from events.delivery import delivery_attempt

    with request_context(request_id):
        return delivery_attempt(delivery_id=delivery_id)


@task()
def enrollment_status_notify(event_id: str, request_id: str = "") -> int:
    """Email the customer and/or the workspace staff about an enrollment status change."""
    from events.notifications import enrollment_status_notifications_send

    with request_context(request_id):
        return enrollment_status_notifications_send(event_id=event_id)


@task()
def webhook_disabled_notify(endpoint_id: str, request_id: str = "") -> int:
    """Email the workspace's admins that one of their webhook endpoints was disabled."""
    from events.notifications import webhook_disabled_notifications_send

    with request_context(request_id):
        return webhook_disabled_notifications_send(endpoint_id=endpoint_id)
