"""docs/architecture.md shows the lifecycle table; it must be the code's table."""

from pathlib import Path

from enrollments.transitions import TABLE

DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"


def render() -> list[str]:
    rows = [
        "| from | to | method | scope | reason | customer told | staff told | label | bulk |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in TABLE:
        reason = "required" if row.reason_required else "asked" if row.reason_prompt else "—"
        rows.append(
            f"| {row.source} | {row.target} | `{row.method}` | `{row.scope}` | {reason} "
            f"| {row.customer_subject or '—'} | {row.staff_subject or '—'} | {row.label} "
            f"| {'yes' if row.bulk else '—'} |"
        )
    return rows


def test_the_documented_lifecycle_table_is_the_codes():
    text = DOC.read_text()
    start = text.index("<!-- transition-table")
    end = text.index("<!-- /transition-table -->")
    documented = [line for line in text[start:end].splitlines()[1:] if line.strip()]
    assert documented == render()
