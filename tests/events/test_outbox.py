"""Events are an outbox: they exist if and only if the change's transaction commits."""

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from events.delivery import due_queryset
from events.models import Event, WebhookDelivery
from events.services import event_record
from events.webhooks import webhook_create, webhook_update


class Boom(Exception):
    pass


# A change that enqueues a task (the customer's email about a submitted enrollment).
SUBMITTED = {"type": "enrollment.status_changed", "previous_status": "eligible"}
STATUS = {"eligibilityStatus": "submitted"}


@pytest.mark.django_db(transaction=True)
def test_event_record_refuses_to_run_outside_a_transaction(workspace):
    with pytest.raises(RuntimeError, match="inside the change's transaction"):
        event_record(workspace=workspace, type="enrollment.created", obj={"id": "x"})


def test_unknown_event_type_is_a_programming_error(workspace):
    with transaction.atomic(), pytest.raises(ValueError, match=r"enrollment\.exploded"):
        event_record(workspace=workspace, type="enrollment.exploded", obj={"id": "x"})


def test_rolled_back_change_leaves_no_event_delivery_or_task(workspace):
    webhook_create(workspace=workspace, url="http://127.0.0.1:9/hook")
    tasks_before = DBTaskResult.objects.count()
    with pytest.raises(Boom), transaction.atomic():
        event_record(workspace=workspace, type="enrollment.created", obj={"id": "x"})
        assert Event.objects.count() == 1  # visible inside the transaction...
        raise Boom
    assert Event.objects.count() == 0  # ...and gone with it
    assert WebhookDelivery.objects.count() == 0
    assert DBTaskResult.objects.count() == tasks_before


def test_committed_change_has_its_event_deliveries_and_tasks(workspace, other_workspace):
    mine, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/a")
    webhook_create(
        workspace=workspace, url="http://127.0.0.1:9/b", event_types=["programInstance.created"]
    )
    disabled, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/c")
    webhook_update(endpoint=disabled, enabled=False)
    webhook_create(workspace=other_workspace, url="http://127.0.0.1:9/d")

    with transaction.atomic():
        event = event_record(
            workspace=workspace,
            type="enrollment.status_changed",
            obj={"id": "enr1", "eligibilityStatus": "eligible"},
            previous_status="candidate",
            enrollment_id="enr1",
        )

    assert event.data == {
        "object": {"id": "enr1", "eligibilityStatus": "eligible"},
        "previousStatus": "candidate",
    }
    deliveries = WebhookDelivery.objects.filter(event=event)
    assert [d.endpoint_id for d in deliveries] == [mine.pk]
    assert deliveries.get().workspace_id == workspace.pk
    # The delivery row is the queue: due now, for the delivery engine to claim; no task row.
    assert list(due_queryset(timezone.now())) == [deliveries.get()]
    assert not DBTaskResult.objects.filter(task_path="events.tasks.webhook_deliver").exists()


@pytest.fixture
def dummy_task_backend():
    from django.tasks import task_backends
    from django.tasks.backends.dummy import DummyBackend

    original = task_backends["default"]
    task_backends["default"] = DummyBackend(alias="default", params={})
    yield task_backends["default"]
    task_backends["default"] = original


def test_other_task_backends_get_the_task_only_after_commit(
    workspace, dummy_task_backend, django_capture_on_commit_callbacks
):
    """A backend that does not store tasks in our database must not see (or run) a task
    before the change commits, nor ever for a change that rolls back."""
    webhook_create(workspace=workspace, url="http://127.0.0.1:9/a")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        event_record(workspace=workspace, obj={"id": "x", **STATUS}, **SUBMITTED)
        raise Boom
    assert dummy_task_backend.results == []

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = event_record(workspace=workspace, obj={"id": "y", **STATUS}, **SUBMITTED)
        assert dummy_task_backend.results == []
    (result,) = dummy_task_backend.results
    assert result.task.name == "enrollment_status_notify" and result.args == [event.pk]


def test_bulk_task_rows_are_the_rows_enqueue_writes(workspace):
    """A bulk action's notification tasks (one COPY) are row for row what `enqueue` writes,
    and ready for the worker."""
    from django_tasks_db.backend import DatabaseBackend

    from events import tasks
    from events.services import _enqueue_many

    if not isinstance(tasks.enrollment_status_notify.get_backend(), DatabaseBackend):
        pytest.skip("the task rows are the database backend's")
    with transaction.atomic():
        tasks.enrollment_status_notify.enqueue("one")
        _enqueue_many(tasks.enrollment_status_notify, ["two", "three"])
    columns = ("status", "priority", "task_path", "queue_name", "backend_name", "run_after")
    columns += ("worker_ids", "return_value", "exception_class_path", "traceback")
    rows = {row.args_kwargs["args"][0]: row for row in DBTaskResult.objects.order_by("enqueued_at")}
    assert set(rows) == {"one", "two", "three"}
    for name in ("two", "three"):
        assert rows[name].args_kwargs == {"args": [name], "kwargs": {}}
        for column in columns:
            assert getattr(rows[name], column) == getattr(rows["one"], column), column
        assert rows[name].enqueued_at >= rows["one"].enqueued_at
    assert DBTaskResult.objects.ready().count() == 3
