"""Request ids: every response carries `X-Request-Id`, and a 500 body names it."""

import uuid

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.deprecation import MiddlewareMixin


class RequestIdMiddleware(MiddlewareMixin):
    def process_request(self, request):
        incoming = request.headers.get("X-Request-Id", "")
        # Accept a caller's id only if it is short and harmless, so it cannot inject into logs.
        if incoming and len(incoming) <= 64 and incoming.replace("-", "").isalnum():
            request.request_id = incoming
        else:
            request.request_id = uuid.uuid4().hex

    def process_response(self, request, response):
        request_id = getattr(request, "request_id", None)
        if request_id:
            response["X-Request-Id"] = request_id
        return response


class RejectNulMiddleware:
    """A NUL character in the path or query string is refused with a 400 before any view runs.

    PostgreSQL cannot compare text with U+0000, so such a lookup or filter would otherwise be a
    500 on PostgreSQL and a 404 on SQLite.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            from config.api.errors import error_body

            message = "The URL must not contain NUL (%00) characters."
            if request.path.startswith("/api/"):
                return JsonResponse(error_body("VALIDATION_ERROR", message), status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response: no page needs the camera, location, payment, ...

    Django has no setting for it; a view that needs a feature can set the header itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response


def _limit_response(request, status: int, code: str, message: str):
    from django.http import HttpResponse

    from config.api.errors import error_body

    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code, message), status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


TOO_LARGE = "The request body is too large: the limit is {limit} (files excepted)."
TOO_MANY = "Too many parameters: at most {limit} query or form fields are accepted."
NUL_IN_FORM = "The form must not contain NUL characters."


def _readable_size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


class RequestLimitsMiddleware:
    """Django's request limits as answers a client can act on, on every door.

    Django raises RequestDataTooBig and TooManyFieldsSent lazily, wherever a view first reads
    the body or the query; unhandled, they were a 500 (API) or Django's generic 400. Here a body
    over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 before any view runs, and more than
    DATA_UPLOAD_MAX_NUMBER_FIELDS query or form fields a 400, both with the API's error shape
    under /api/. Form posts (the dashboard, the admin) are also refused when any field name or
    value holds NUL: PostgreSQL cannot store it, and SQLite would store it silently.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        too_large = TOO_LARGE.format(limit=_readable_size(limit or 0))
        too_many = TOO_MANY.format(limit=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        is_form = request.content_type in self.FORM_TYPES
        if limit is not None and length > limit and request.content_type != "multipart/form-data":
            return _limit_response(request, 413, "PAYLOAD_TOO_LARGE", too_large)
        try:
            request.GET  # noqa: B018  (parses the query, raising TooManyFieldsSent)
            # The API takes JSON only (its parser refuses NUL, and a form body is its 415): only
            # the dashboard's and the admin's form posts are parsed here.
            posted = is_form and request.method in ("POST", "PUT", "PATCH")
            posted = posted and not request.path.startswith("/api/")
            if posted and _form_has_nul(request):
                return _limit_response(request, 400, "VALIDATION_ERROR", NUL_IN_FORM)
        except RequestDataTooBig:
            return _limit_response(request, 413, "PAYLOAD_TOO_LARGE", too_large)
        except TooManyFieldsSent:
            return _limit_response(request, 400, "VALIDATION_ERROR", too_many)
        return self.get_response(request)


def _form_has_nul(request) -> bool:
    for key, values in request.POST.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
    return any("\x00" in (upload.name or "") for upload in request.FILES.values())


class ExpectedClientErrorFilter:
    """Logging filter for django.request: a 403 or 404 record loses its traceback."""

    def filter(self, record) -> bool:
        if getattr(record, "status_code", None) in (403, 404):
            record.exc_info = None
            record.exc_text = None
        return True
