"""Worker heartbeats: each worker process upserts one row every few seconds.

`/readyz` fails when no webhook worker has beaten recently (`WORKER_HEARTBEAT_MAX_AGE_SECONDS`):
events would pile up unseen otherwise. Rows of dead processes are pruned after a day.
"""

import os
import socket
from datetime import timedelta

from django.utils import timezone

from events.models import WorkerHeartbeat


def heartbeat_beat(*, name: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        name=f"{name}@{socket.gethostname()}:{os.getpid()}"[:200], defaults={"beat_at": now}
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - timedelta(days=1)).delete()


def heartbeat_latest(*, prefix: str = "webhook_worker"):
    """When the most recent worker of that kind last beat, or None."""
    row = (
        WorkerHeartbeat.objects.filter(name__startswith=prefix + "@")
        .order_by("-beat_at")
        .values_list("beat_at", flat=True)
        .first()
    )
    return row
