"""The test suite's settings: production's (config/settings/base.py) with what tests need.

pytest selects this module (pyproject.toml's DJANGO_SETTINGS_MODULE); nothing else does, so a
subprocess a test starts with `manage.py` runs on base unless it passes this module on.
"""

from config.settings.base import *
from config.settings.security import https_settings

import os
from pathlib import Path

from config.env import env_bool, env_list

# Tests run without DEBUG (Django's test runner forces it off) and sign cookies and links.
SECRET_KEY = SECRET_KEY or "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

# Plain http, as the test client speaks it.
SECURE_HTTPS = env_bool("SECURE_HTTPS", default=False)
globals().update(https_settings(SECURE_HTTPS))

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's default shared in-memory database: threads with their own
    # connections then get SQLite's real locking (WAL, busy timeout, IMMEDIATE), so the
    # concurrency tests run on SQLite too. One file per test process: parallel runs never
    # share one.
    _test_db = Path(os.environ.get("TMPDIR", "/tmp")) / f"gridprograms-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}
# Without a real replica, a `replica` alias mirrors the test database, so the read routing
# (config/replicas.py) is exercised all the same.
if "replica" not in DATABASES:
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Static files straight from the source folders: no collectstatic before a test run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
