"""Bootstrap a key from the shell; the raw key is the last line of the output (api.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from accounts import scopes as scope_names
from accounts.services import api_key_create, workspace_get_or_create
from config.errors import DomainError


class Command(BaseCommand):
    help = "Create an API key (and the organization and workspace if they do not exist)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization slug.")
        parser.add_argument("--workspace", required=True, help="Workspace slug.")
        parser.add_argument("--name", default="Command-line key")
        parser.add_argument(
            "--scopes", default="", help="Comma-separated scopes; omit for a full key."
        )
        parser.add_argument(
            "--platform-admin",
            action="store_true",
            help="Also grant programs:admin (create and edit programs).",
        )

    def handle(self, *args, **options):
        _require_migrated()
        try:
            scopes = scope_names.parse_scopes(options["scopes"]) or None
        except ValueError as error:
            raise CommandError(str(error)) from None
        workspace = workspace_get_or_create(
            org_slug=options["org"], workspace_slug=options["workspace"]
        )
        try:
            key, raw = api_key_create(
                workspace=workspace,
                name=options["name"],
                scopes=scopes,
                platform_admin=options["platform_admin"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Created key {key.name!r} ({key.prefix}…) for {workspace.organization.slug}/"
            f"{workspace.slug} with scopes: {', '.join(key.scopes)}"
        )
        self.stdout.write(raw)


def _require_migrated() -> None:
    """On a fresh checkout the database has no tables yet: say what to run instead of failing
    with "no such table"."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(
            "The database is not migrated yet: run `make migrate` (or `make run`) first."
        )
