"""Row versions: the source of the API's strong ETags and of `If-Match`.

`VersionedModel.version` starts at 1 and every `save()` of an existing row sets it to
`version + 1` in the UPDATE itself (an SQL expression, refreshed through RETURNING), so two
concurrent writers never produce the same version for different content. Set-based writes
(`queryset.update(...)`) must bump it too: use `versioned_update()`.

`If-Match`: the API layer calls `expect_version(obj, version)` before running a service; the
next UPDATE of that row then carries `WHERE version = <expected>`, and a row changed meanwhile
(by another request, between our check and our write) raises 412 instead of silently
overwriting. The expectation moves on with each successful save, so a service that saves the
same row twice in one request is not refused by its own first write.
"""

import contextvars
import hashlib

from django.db import models

from config.errors import PreconditionFailedError

_expected: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "expected_versions", default=None
)


def etag_of(obj) -> str:
    """The strong ETag of one API object: its id and its row version, quoted. A row without a
    version column (an import, whose counters move while it runs) gets a digest of its stored
    values instead, so a row that changed never answers 304."""
    version = getattr(obj, "version", None)
    if version is None:
        values = "|".join(str(f.value_from_object(obj)) for f in obj._meta.concrete_fields)
        version = hashlib.sha256(values.encode()).hexdigest()[:16]
    return f'"{obj.pk}.{version}"'


def start_expectations():
    """Begin a request's expectations; returns the token for `end_expectations`."""
    return _expected.set({})


def end_expectations(token) -> None:
    _expected.reset(token)


def expect_version(obj, version: int) -> None:
    """From now on in this request, an UPDATE of `obj`'s row requires this version."""
    expected = _expected.get()
    if expected is not None:
        expected[(obj._meta.label, obj.pk)] = version


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Incremented by every write; the API's ETag."
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding:
            return super().save(*args, **kwargs)
        previous = self.version
        self.version = models.F("version") + 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        try:
            super().save(*args, **kwargs)
        except BaseException:
            self.version = previous
            raise
        if not isinstance(self.version, int):  # no RETURNING on this backend: read it back
            self.refresh_from_db(fields=["version"])
        expected = _expected.get()
        key = (self._meta.label, self.pk)
        if expected and key in expected:
            expected[key] = self.version

    def _do_update(self, base_qs, using, pk_val, values, update_fields, *args, **kwargs):
        expected = _expected.get()
        wanted = expected.get((self._meta.label, pk_val)) if expected else None
        if wanted is not None:
            base_qs = base_qs.filter(version=wanted)
        results = super()._do_update(base_qs, using, pk_val, values, update_fields, *args, **kwargs)
        if wanted is not None and not results:
            current = type(self)._base_manager.filter(pk=pk_val).values_list("version", flat=True)
            raise PreconditionFailedError(
                "This object was changed by someone else since you read it. Get it again, "
                "then retry your change.",
                details={"etag": f'"{pk_val}.{next(iter(current), 0)}"'},
            )
        return results


def versioned_update(queryset, **values) -> int:
    """`queryset.update(**values)` that also bumps every row's version (set-based writes)."""
    return queryset.update(version=models.F("version") + 1, **values)
