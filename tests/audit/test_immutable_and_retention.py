"""Entries cannot be changed or deleted through the app; retention prunes by age, as the README
documents it."""

import datetime as dt
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from audit.models import AuditEntry, AuditLogImmutable
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


def test_entries_cannot_be_changed_or_deleted(workspace, make_entry):
    entry = make_entry(workspace)
    entry.action = "forged"
    with pytest.raises(AuditLogImmutable):
        entry.save()
    with pytest.raises(AuditLogImmutable):
        entry.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AuditLogImmutable), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert AuditEntry.objects.get(pk=entry.pk).action == "programInstance.updated"


def test_admin_is_read_only_even_for_superusers(workspace, make_entry):
    entry = make_entry(workspace)
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = site._registry[AuditEntry]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert not model_admin.get_actions(request)


def _entry_at(workspace, at):
    """An entry written `at` in the past (inserting is allowed; only changes are not)."""
    return AuditEntry.objects.create(
        workspace=workspace, at=at, actor_type="system", action="program.updated", object_type="x"
    )


def _documented(command: str) -> list[str]:
    """The arguments of a `manage.py <command>` line as README.md writes it."""
    line = next(
        line
        for line in README.read_text().splitlines()
        if line.strip().startswith(f".venv/bin/python manage.py {command}")
    )
    argv = shlex.split(line)
    return argv[argv.index("manage.py") + 1 :]


def test_prune_as_documented_keeps_the_retention_period(workspace, make_entry, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    _old = _entry_at(workspace, timezone.now() - dt.timedelta(days=31))
    recent = make_entry(workspace)
    argv = _documented("prune_audit_log")
    assert argv[0] == "prune_audit_log"
    out = StringIO()
    call_command(*argv, stdout=out)
    assert "Deleted 1 audit entries older than 30 days." in out.getvalue()
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [recent.pk]


def test_prune_with_zero_retention_keeps_everything(workspace, settings):
    settings.AUDIT_RETENTION_DAYS = 0
    entry = _entry_at(workspace, timezone.now() - dt.timedelta(days=900))
    out = StringIO()
    call_command("prune_audit_log", stdout=out)
    assert "kept forever" in out.getvalue()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
