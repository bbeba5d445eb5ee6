"""Request ids: every response carries `X-Request-Id`, and a 500 body names it."""

import contextlib
import uuid

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.deprecation import MiddlewareMixin

from config.logs import request_id_var


class RequestIdMiddleware(MiddlewareMixin):
    def process_request(self, request):
        incoming = request.headers.get("X-Request-Id", "")
        # Accept a caller's id only if it is short and harmless, so it cannot inject into logs.
        if incoming and len(incoming) <= 64 and incoming.replace("-", "").isalnum():
            request.request_id = incoming
        else:
            request.request_id = uuid.uuid4().hex
        # For log lines and the tasks this request enqueues (config/logs.py).
        request._request_id_token = request_id_var.set(request.request_id)

    def process_response(self, request, response):
        token = getattr(request, "_request_id_token", None)
        if token is not None:
            request._request_id_token = None
            with contextlib.suppress(ValueError):  # (reset from another context: nothing to do)
                request_id_var.reset(token)
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
