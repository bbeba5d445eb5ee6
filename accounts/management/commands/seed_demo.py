"""Load the demo data (idempotently) and, with --banner, print how to use the running demo."""

import importlib
import importlib.util

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo
from accounts.models import ApiKey
from accounts.services import api_key_create, api_key_revoke

# Each app that has demo data offers `<app>.demo.seed(context)`; order matters (programs before
# instances before enrollments).
APP_SEEDERS = ["programs.demo", "instances.demo", "enrollments.demo", "events.demo"]
DEMO_KEY_NAME = "Demo key (make run)"


class Command(BaseCommand):
    help = "Load demo organizations, users, programs, instances and enrollments."

    def add_arguments(self, parser):
        parser.add_argument("--banner", action="store_true", help="Print URLs, login and a key.")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, **options):
        with transaction.atomic():
            context = demo.seed()
            for module_name in APP_SEEDERS:
                if importlib.util.find_spec(module_name) is not None:
                    importlib.import_module(module_name).seed(context)
        if options["banner"]:
            self._banner(context, options["port"])
        else:
            self.stdout.write("Demo data is loaded.")

    def _banner(self, context, port):
        # Raw keys are never stored, so each run mints a fresh demo key and retires the last.
        for old in ApiKey.objects.filter(workspace=context.workspace, name=DEMO_KEY_NAME):
            api_key_revoke(api_key=old)
        _, raw = api_key_create(workspace=context.workspace, name=DEMO_KEY_NAME)
        base = f"http://localhost:{port}"
        lines = [
            "",
            "GridPrograms is starting (web server + background worker). Ctrl-C stops both.",
            f"  Dashboard : {base}/",
            f"  Admin     : {base}/admin/",
            f"  API docs  : {base}/api/v1/docs/  (ReDoc: {base}/api/v1/redoc/)",
            f"  Demo login: {demo.DEMO_USERNAME} / {demo.DEMO_PASSWORD}  (staff, owner of "
            f"{context.organization.name})",
            f"  Demo key  : {raw}",
            f"  Try       : curl -H 'Authorization: Bearer {raw}' {base}/api/v1/me",
            "",
        ]
        self.stdout.write("\n".join(lines))
