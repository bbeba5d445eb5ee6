"""The date range of the charts: the last 7, 30 or 90 days, or a custom range (`from`/`to`),
counted in the workspace's time zone. Bad input falls back to 30 days with a message an
operator can act on, never an error page."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class DateRange:
    first: date
    last: date
    choice: str  # "7", "30", "90" or "custom"
    error: str = ""

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        if self.choice == "custom":
            return f"{self.first:%d %b %Y} to {self.last:%d %b %Y}"
        return f"last {self.choice} days"


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        return None


def date_range_from(params) -> DateRange:
    """Read `range` (7|30|90|custom), `from` and `to` (YYYY-MM-DD) from the query string."""
    today = timezone.localdate()
    choice = params.get("range", "") or str(DEFAULT_DAYS)
    if choice != "custom":
        days = int(choice) if choice in {str(p) for p in PRESETS} else DEFAULT_DAYS
        error = "" if choice == str(days) else "Choose 7, 30 or 90 days, or a custom range."
        return DateRange(today - timedelta(days=days - 1), today, str(days), error)
    first, last = _date(params.get("from", "")), _date(params.get("to", ""))
    fallback = DateRange(today - timedelta(days=DEFAULT_DAYS - 1), today, str(DEFAULT_DAYS))
    if first is None or last is None:
        return DateRange(**{**fallback.__dict__, "error": "Give both dates as YYYY-MM-DD."})
    if last < first:
        return DateRange(**{**fallback.__dict__, "error": "The end date is before the start."})
    if last > today:
        last = today
    if (last - first).days + 1 > MAX_DAYS:
        return DateRange(
            **{**fallback.__dict__, "error": f"A custom range covers at most {MAX_DAYS} days."}
        )
    return DateRange(first, max(first, last), "custom")
