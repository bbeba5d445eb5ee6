"""Server-rendered SVG charts: plain geometry computed here, drawn by templates as inline SVG.

No JavaScript and no CDN; tests can read the numbers; each chart also has its numbers as text
for screen readers.
"""

from dataclasses import dataclass
from datetime import date, timedelta

STATUS_COLORS = {
    "candidate": "#9aa5b8",
    "eligible": "#4f9d69",
    "ineligible": "#d08770",
    "submitted": "#e0b040",
    "approved": "#1e7d3a",
    "rejected": "#b3261e",
    "unenrolled": "#6b7280",
}
FUNNEL_STAGES = ("candidate", "eligible", "submitted", "approved")
# Which current statuses have passed each stage of the funnel.
REACHED = {
    "candidate": set(STATUS_COLORS),
    "eligible": {"eligible", "submitted", "approved", "rejected", "unenrolled"},
    "submitted": {"submitted", "approved", "rejected", "unenrolled"},
    "approved": {"approved", "unenrolled"},
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    color: str = "#0b6bcb"
    note: str = ""


def funnel(totals: dict[str, int], *, width: int = 560, row: int = 34) -> dict:
    """candidate → eligible → submitted → approved: how many reached each stage, and the
    conversion from the stage before (None when the stage before is empty)."""
    reached = [(s, sum(totals.get(t, 0) for t in REACHED[s])) for s in FUNNEL_STAGES]
    top = max((n for _, n in reached), default=0) or 1
    label_w = 110
    bars, previous = [], None
    for index, (stage, count) in enumerate(reached):
        rate = None if previous in (None, 0) else count / previous
        bar_w = (width - label_w - 90) * count / top
        bars.append(
            Bar(
                label=stage,
                value=count,
                x=label_w,
                y=index * row + 4,
                width=max(bar_w, 1 if count else 0),
                height=row - 10,
                color=STATUS_COLORS[stage],
                note="" if rate is None else f"{rate:.0%}",
            )
        )
        previous = count
    return {"bars": bars, "width": width, "height": len(bars) * row + 4, "label_w": label_w}


def daily_bars(
    counts: dict[date, int], *, end: date, days: int = 30, width: int = 560, height: int = 160
) -> dict:
    """One bar per day for the `days` days ending on `end` (missing days are 0)."""
    dates = [end - timedelta(days=days - 1 - i) for i in range(days)]
    top = max((counts.get(d, 0) for d in dates), default=0) or 1
    plot_h = height - 24
    slot = width / days
    bars = []
    for i, day in enumerate(dates):
        value = counts.get(day, 0)
        bar_h = plot_h * value / top
        bars.append(
            Bar(
                label=day.isoformat(),
                value=value,
                x=i * slot + 1,
                y=plot_h - bar_h,
                width=max(slot - 2, 1),
                height=bar_h,
            )
        )
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "top": top,
        "first": dates[0],
        "last": dates[-1],
        "total": sum(b.value for b in bars),
        "axis_y": plot_h,
    }


def stacked(counts: dict[str, int], *, width: int = 240, height: int = 14) -> dict:
    """A single horizontal bar split by status (an instance's enrollments)."""
    total = sum(counts.values())
    x, parts = 0.0, []
    for status, color in STATUS_COLORS.items():
        value = counts.get(status, 0)
        if not value:
            continue
        part_w = width * value / total
        parts.append(
            Bar(label=status, value=value, x=x, y=0, width=part_w, height=height, color=color)
        )
        x += part_w
    return {"parts": parts, "width": width, "height": height, "total": total}
