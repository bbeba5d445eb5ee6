"""Sync cursors: `?cursor=` pages a list in `(updatedAt, id)` order (docs/api.md).

A sync client asks `?cursor=` (empty) for the first page, then passes each response's
`nextCursor` until `hasMore` is false, and keeps the last `nextCursor` to ask later for what
changed since. The cursor is the position after the last row served: `(updated_at, id)`,
signed so a client cannot forge one (a bad cursor is a 400). A row updated after it was
served moves behind the cursor and comes again with its new version; a row never skips,
because rows updated in the last `API_CURSOR_SETTLE_SECONDS` are held back until the writes
that could still commit with an earlier timestamp are visible.

Lists of rows without `updated_at` (events, API keys, status history: never edited) page by
`created_at`, which never changes; the audit log, whose entries are written once, by `at`.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError

_SALT = "gridprograms.api.cursor"


def cursor_field(queryset) -> str:
    names = {field.name for field in queryset.model._meta.concrete_fields}
    for name in ("updated_at", "created_at", "at"):
        if name in names:
            return name
    # Rows with no time of their own (an import's report rows, fixed once written) have no
    # sync cursor: the client is told to page, never served a 500.
    raise ValidationError({"cursor": ["This list has no sync cursor: use page and perPage."]})


def encode(moment: datetime, pk: str) -> str:
    return signing.dumps([moment.isoformat(), str(pk)], salt=_SALT)


def decode(value: str) -> tuple[datetime, str] | None:
    """The position in a cursor; None for the empty cursor (start)."""
    if value in ("", "start"):
        return None
    try:
        moment, pk = signing.loads(value, salt=_SALT)
        parsed = datetime.fromisoformat(moment)
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError(
            {"cursor": ["Not a cursor from this API: pass nextCursor as it was returned."]}
        ) from None
    return parsed, pk


def cursor_page(queryset, raw_cursor: str, size: int) -> tuple[list, str | None, bool]:
    """(rows, nextCursor, hasMore) for the page after `raw_cursor`."""
    field = cursor_field(queryset)
    position = decode(raw_cursor)
    rows = queryset.order_by(field, "pk")
    if position is not None:
        moment, pk = position
        rows = rows.filter(Q(**{f"{field}__gt": moment}) | Q(**{field: moment, "pk__gt": pk}))
    settle = settings.API_CURSOR_SETTLE_SECONDS
    if settle and field == "updated_at":
        rows = rows.filter(updated_at__lte=timezone.now() - timedelta(seconds=settle))
    page = list(rows[: size + 1])
    has_more = len(page) > size
    page = page[:size]
    if page:
        last = page[-1]
        next_cursor = encode(getattr(last, field), last.pk)
    else:
        next_cursor = raw_cursor or None
    return page, next_cursor, has_more
