"""Keys that held every workspace scope before `audit:read` existed are full keys: give them the
new scope too, so that "a full key holds every workspace scope" stays true for existing keys."""

from django.db import migrations

OLD_WORKSPACE_SCOPES = {
    "programs:read",
    "instances:read",
    "instances:write",
    "enrollments:read",
    "enrollments:write",
    "enrollments:review",
    "customers:read",
    "customers:write",
    "webhooks:manage",
    "events:read",
    "apiKeys:manage",
}


def add_audit_read(apps, schema_editor):
    ApiKey = apps.get_model("accounts", "ApiKey")
    for key in ApiKey.objects.all().only("id", "scopes").iterator():
        scopes = list(key.scopes or [])
        if OLD_WORKSPACE_SCOPES <= set(scopes) and "audit:read" not in scopes:
            key.scopes = [*scopes, "audit:read"]
            key.save(update_fields=["scopes"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_audit_log"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_audit_read, migrations.RunPython.noop)]
