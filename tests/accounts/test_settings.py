"""Settings come from the environment with safe production defaults."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings(env: dict, expr: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    # pytest imported first: the production settings must not change under a test runner.
    code = (
        "import pytest, django; django.setup(); from django.conf import settings as s; "
        f"print({expr})"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.base", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_to_serve_when_not_debugging():
    """The web server refuses to start without a key; settings alone load (commands that sign
    nothing, like `create_api_key`, run on a fresh checkout)."""
    assert _settings({}, "s.DEBUG").returncode == 0
    for entry_point in ("config.wsgi", "config.asgi"):
        result = _settings({}, f"__import__('{entry_point}')")
        assert result.returncode != 0, entry_point
        assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    result = _settings({"SECRET_KEY": "x" * 50}, "__import__('config.wsgi') and 'served'")
    assert result.returncode == 0, result.stderr


def test_production_defaults_are_safe():
    result = _settings(
        {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "grid.example.com"},
        "s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, "
        "s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True True True True ['grid.example.com']"


def test_sqlite_is_configured_for_concurrent_writers():
    result = _settings(
        {"DEBUG": "1", "DATABASE_URL": "sqlite:////tmp/gp-settings-check.sqlite3"},
        "s.DATABASES['default']['OPTIONS']",
    )
    assert result.returncode == 0, result.stderr
    assert "'transaction_mode': 'IMMEDIATE'" in result.stdout
    assert "journal_mode=WAL" in result.stdout


def test_database_url_selects_postgresql():
    result = _settings(
        {"DEBUG": "1", "DATABASE_URL": "postgres://u:p@db.example:5432/grid"},
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']",
    )
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout and "grid" in result.stdout


def test_the_suite_runs_on_the_test_settings(settings):
    """pytest reads config.settings.test; what tests need lives there, not in base."""
    assert settings.SETTINGS_MODULE == "config.settings.test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.DATABASES["replica"]["TEST"]["MIRROR"] == "default"


def test_base_settings_carry_no_test_behaviour():
    result = _settings(
        {"SECRET_KEY": "x" * 50},
        "s.PASSWORD_HASHERS[0].rsplit('.', 1)[-1], 'replica' in s.DATABASES, "
        "'TEST' in s.DATABASES['default'] and s.DATABASES['default']['TEST'].get('NAME'), "
        "s.WHITENOISE_USE_FINDERS, s.ALLOWED_HOSTS",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "PBKDF2PasswordHasher False None False []"
