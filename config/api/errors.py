"""The one exception handler: every API error becomes `{code, message, details}`."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from config.api.serializers import to_camel
from config.errors import DomainError

logger = logging.getLogger("gridprograms.api")

_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


def error_body(code: str, message: str, details=None) -> dict:
    return {"code": code, "message": message, "details": details or {}}


def _first_message(details, prefix: str = "") -> str:
    """Turn DRF's nested error structure into one line naming the first problem."""
    if isinstance(details, dict):
        for key, value in details.items():
            label = "" if key in ("non_field_errors", "nonFieldErrors") else str(key)
            name = f"{prefix}.{label}" if prefix and label else (label or prefix)
            return _first_message(value, name)
    if isinstance(details, list) and details:
        for index, item in enumerate(details):
            if item in ({}, [], None):
                continue
            nested = isinstance(item, dict | list)
            return _first_message(item, f"{prefix}[{index}]" if nested else prefix)
    text = str(details)
    return f"{prefix}: {text}" if prefix else text


def _validation_details(detail):
    if isinstance(detail, dict):
        return {
            ("nonFieldErrors" if key == "non_field_errors" else key): value
            for key, value in detail.items()
        }
    return {"nonFieldErrors": detail if isinstance(detail, list) else [detail]}


def domain_details(details: dict) -> dict:
    """Services name fields as the domain does (snake_case); the API's names are camelCase.
    The one place that translates: the keys of a domain error's details."""
    return {to_camel(str(key)): value for key, value in (details or {}).items()}


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, DomainError):
        return Response(
            error_body(exc.code, exc.message, domain_details(exc.details)), status=exc.status
        )
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        # A chunked body has no Content-Length, so the limit is only met when DRF reads it.
        from django.conf import settings

        from config.middleware import TOO_LARGE, TOO_MANY, _readable_size

        if isinstance(exc, RequestDataTooBig):
            limit = _readable_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
            return Response(error_body("PAYLOAD_TOO_LARGE", TOO_LARGE.format(limit=limit)), 413)
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return Response(error_body("VALIDATION_ERROR", TOO_MANY.format(limit=limit)), 400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        details = _validation_details(exc.detail)
        message = _first_message(details)
        return Response(error_body("VALIDATION_ERROR", message, details), status=400)

    if isinstance(exc, exceptions.APIException):
        code = _CODES.get(exc.status_code, "ERROR")
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else _first_message(detail)
        if isinstance(exc, exceptions.ParseError):
            message = f"The request body could not be parsed: {message}"
        headers = {}
        details = {}
        if isinstance(exc, exceptions.Throttled):
            wait = int(exc.wait or 1)
            headers["Retry-After"] = str(max(wait, 1))
            message = f"Too many requests. Retry after {max(wait, 1)} seconds."
            details = {"retryAfter": max(wait, 1)}
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        if isinstance(exc, exceptions.MethodNotAllowed):
            allowed = context.get("view").allowed_methods if context.get("view") else []
            details = {"allowed": list(allowed)}
        return Response(error_body(code, message, details), status=exc.status_code, headers=headers)

    request_id = getattr(request, "request_id", None) if request is not None else None
    logger.exception("Unhandled API error (request id %s)", request_id)
    return Response(
        error_body(
            "INTERNAL_ERROR",
            "Something went wrong on our side. Quote the request id if you contact support.",
            {"requestId": request_id},
        ),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


@csrf_exempt
def json_not_found(request, exception=None):
    """Any unknown path under /api/v1. CSRF-exempt: otherwise a POST to a mistyped URL answered
    Django's HTML CSRF page (403, or a 500 without collected static files) instead of this 404."""
    return JsonResponse(error_body("NOT_FOUND", "No such endpoint."), status=404)


def json_server_error(request):
    return JsonResponse(
        error_body(
            "INTERNAL_ERROR",
            "Something went wrong on our side. Quote the request id if you contact support.",
            {"requestId": getattr(request, "request_id", None)},
        ),
        status=500,
    )
