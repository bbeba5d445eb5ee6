"""The real worker for the import tests (the invitation emails of `notifyEligible`)."""

from tests.events.conftest import run_worker  # noqa: F401  (the real worker)
