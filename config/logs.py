"""Logs: one request id on every line, carried from the web request into the tasks it enqueues.

`RequestIdMiddleware` sets the id for the request's duration (`request_id_var`); `RequestIdFilter`
adds it to every log record as `request_id`; `events.tasks.enqueue` passes it to a task as a
`request_id` keyword and the task runs inside `request_context(request_id)`, so a worker's lines
about an email sent for an API call carry that call's id. With `LOG_FORMAT=json` (what
`make serve` and docs/deployment.md use) each line is one JSON object (python-json-logger).
"""

import contextlib
import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return request_id_var.get()


@contextlib.contextmanager
def request_context(request_id: str):
    token = request_id_var.set(request_id or "")
    try:
        yield
    finally:
        request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


def logging_config(*, fmt: str, level: str) -> dict:
    """The LOGGING dict: plain text for people at a terminal, JSON for log pipelines."""
    formatters = {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
        "formatters": formatters,
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if fmt == "json" else "plain",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
