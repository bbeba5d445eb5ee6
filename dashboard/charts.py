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


def nice_ticks(top: int, *, count: int = 4) -> list[int]:
    """Round y-axis ticks from 0 covering `top` (1, 2, 5 times 10^n steps)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** max(len(str(int(raw))) - 1, 0)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    ticks = list(range(0, top + step, step))
    return ticks if ticks[-1] >= top else [*ticks, ticks[-1] + step]


def timeseries(
    series: list[tuple[str, str, dict[date, int]]],
    *,
    first: date,
    last: date,
    width: int = 560,
    height: int = 200,
) -> dict:
    """Stacked bars per day from `first` to `last`, with a y axis (ticks and grid lines) and
    an x axis (about six date labels). `series` is [(key, colour, {day: n})]; every bar has a
    tooltip text naming the day and each series' number."""
    days = (last - first).days + 1
    dates = [first + timedelta(days=i) for i in range(days)]
    totals = [sum(values.get(d, 0) for _, _, values in series) for d in dates]
    ticks = nice_ticks(max(totals, default=0))
    top = ticks[-1] or 1
    left, bottom, pad_top = 36, 22, 8
    plot_w, plot_h = width - left - 4, height - bottom - pad_top
    slot = plot_w / days
    bars = []
    for i, day in enumerate(dates):
        y = pad_top + plot_h
        parts = []
        for key, color, values in series:
            value = values.get(day, 0)
            part_h = plot_h * value / top
            y -= part_h
            if value:
                parts.append(Bar(key, value, left + i * slot, y, max(slot - 1, 1), part_h, color))
        tip = f"{day:%a %d %b %Y}: " + ", ".join(
            f"{values.get(day, 0)} {key}" for key, _, values in series
        )
        bars.append({"day": day, "parts": parts, "tip": tip, "x": left + i * slot, "w": slot})
    label_every = max(1, round(days / 6))
    x_labels = [
        {"x": left + i * slot + slot / 2, "text": f"{day:%b} {day.day}"}
        for i, day in enumerate(dates)
        if i % label_every == 0
    ]
    y_ticks = [{"y": pad_top + plot_h - plot_h * t / top, "value": t} for t in ticks]
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "left": left,
        "plot_bottom": pad_top + plot_h,
        "plot_top": pad_top,
        "right": width - 4,
        "x_labels": x_labels,
        "y_ticks": y_ticks,
        "first": first,
        "last": last,
        "days": days,
        "totals": {key: sum(values.values()) for key, _, values in series},
        "legend": [(key, color) for key, color, _ in series],
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
