"""Request ids: every response carries `X-Request-Id`, and a 500 body names it."""

import uuid

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
