from tests.dashboard.conftest import dash  # noqa: F401  (the signed-in dashboard client)
