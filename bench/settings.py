"""Settings of the benchmark's gunicorn: the app's, plus the minimal yardstick view."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.minimal"
