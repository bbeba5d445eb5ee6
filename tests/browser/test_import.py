"""The dashboard's import in a real browser: upload, the dry run's report, then the import in
the worker with a progress bar that moves (htmx polling), and the report download."""

import threading
import time

import pytest
from playwright.sync_api import expect

from enrollments.imports.models import Import
from enrollments.imports.service import import_run
from enrollments.models import Enrollment
from tests.concurrency import Concurrently
from tests.imports.helpers import csv_rows, instance_in

pytestmark = pytest.mark.django_db(transaction=True)


class Worker:
    """Runs queued imports like `manage.py db_worker` would, slowly enough (a pause per chunk)
    for the page to show the progress in between; in the harness's thread, so an error in it
    fails the test."""

    def __init__(self):
        self.stop = threading.Event()
        self.seen: list[tuple[int, int]] = []

    def run(self):
        while not self.stop.is_set():
            for pk in Import.objects.filter(status="queued").values_list("pk", flat=True):
                import_run(import_id=pk, progress=self._slowly)
            time.sleep(0.2)

    def _slowly(self, done, total):
        self.seen.append((done, total))
        time.sleep(0.6)


def test_import_candidates_with_progress(
    live_server, page, signed_in, workspace, settings, shoot, tmp_path
):
    settings.IMPORT_CHUNK_SIZE = 5
    instance = instance_in(workspace, name="Battery Rebate NY")
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_rows(30))
    worker = Worker()
    running = Concurrently(worker.run, [()], timeout=120).start()
    try:
        signed_in(role="operator")
        page.goto(f"{live_server.url}/instances/{instance.pk}/")
        page.get_by_role("link", name="Import candidates").click()
        page.get_by_label("File").set_input_files(str(path))
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_text("Nothing was changed")).to_be_visible(timeout=20_000)
        expect(page.get_by_label("Program code")).to_have_value("meta")
        shoot(page, "20-import-dry-run")
        assert not Enrollment.objects.exists()
        page.get_by_role("button", name="Import 30 rows").click()
        bar = page.get_by_label("Rows done")
        expect(bar).to_be_visible()
        expect(page.get_by_text("of 30 rows")).to_be_visible()
        expect(bar).not_to_have_attribute("value", "0", timeout=10_000)
        shoot(page, "21-import-progress")
        expect(page.locator("#import-summary")).to_contain_text("Completed", timeout=30_000)
        shoot(page, "22-import-done")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the report (CSV)").click()
        assert download.value.suggested_filename.endswith("-report.csv")
    finally:
        worker.stop.set()
        running.join()
    assert Enrollment.objects.filter(program_instance=instance, status="eligible").count() == 30
    real = [s for s in worker.seen if s[1] == 30]
    assert len(real) >= 12  # two runs (check and import) of six chunks each
