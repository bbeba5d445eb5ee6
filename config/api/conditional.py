"""Conditional requests (RFC 9110 §13): strong ETags, `If-None-Match` → 304, `If-Match` → 412,
and 428 where a workspace or key requires `If-Match` on PATCH.

The ETag is the object's id and row version (`config.versioning`), never a hash of the JSON:
it costs nothing to compute, so a 304 is answered without serializing anything. The base
viewset calls `check_preconditions()` from `check_object_permissions()`, which every detail
route runs (DRF's `get_object()` and the views that override it), so every object route,
present and future, gets the same rules.
"""

from rest_framework import exceptions

from config.errors import PreconditionFailedError, PreconditionRequiredError
from config.versioning import etag_of, expect_version


class NotModified(exceptions.APIException):
    """Raised for a GET whose If-None-Match matches: answered as an empty 304 with the ETag."""

    status_code = 304

    def __init__(self, etag: str):
        super().__init__("Not modified.")
        self.etag = etag


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _weak_match(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: `W/"x"` matches `"x"`."""
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in _tags(header))


def _strong_match(header: str, etag: str) -> bool:
    """If-Match uses the strong comparison: a weak tag never matches."""
    return any(tag == "*" or tag == etag for tag in _tags(header))


def sub_object_response(request, obj, data):
    """A GET of one object below another route's object (a webhook's delivery): the same strong
    ETag and If-None-Match → 304 as a retrieve."""
    from rest_framework.response import Response

    etag = etag_of(obj)
    header = request.headers.get("If-None-Match")
    if header and _weak_match(header, etag):
        return Response(status=304, headers={"ETag": etag})
    return Response(data, headers={"ETag": etag})


def requires_if_match(tenant) -> bool:
    if tenant is None:
        return False
    key = tenant.api_key
    return bool(tenant.workspace.require_if_match or (key is not None and key.require_if_match))


def check_preconditions(view, request, obj) -> None:
    """Answer If-None-Match / If-Match for the object a detail route is about to use."""
    etag = etag_of(obj)
    if request.method in ("GET", "HEAD"):
        if getattr(view, "action", None) == "retrieve":
            header = request.headers.get("If-None-Match")
            if header and _weak_match(header, etag):
                raise NotModified(etag)
        return
    header = request.headers.get("If-Match")
    if header is None:
        if request.method in ("PATCH", "PUT") and requires_if_match(view.tenant):
            raise PreconditionRequiredError(
                "This workspace requires an If-Match header on changes: GET the object first "
                "and send its ETag as If-Match.",
                details={"etag": etag},
            )
        return
    if not _strong_match(header, etag):
        raise PreconditionFailedError(
            "This object was changed since you read it (its ETag is no longer the one you "
            "sent). Get it again, then retry your change.",
            details={"etag": etag},
        )
    # The write itself must still find this version, or it is a 412 (config.versioning).
    expect_version(obj, getattr(obj, "version", 1))


def current_etag(obj) -> str:
    """The ETag of the row as stored now (after a write the view's copy may be stale)."""
    model = type(obj)
    if not hasattr(obj, "version"):
        return etag_of(obj)
    version = model._base_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
    return f'"{obj.pk}.{version}"' if version is not None else ""
