"""OpenAPI post-processing: document the error responses every operation can give.

Without this the schema listed only success codes, so clients (and schemathesis' conformance
checks) had no description of the `{code, message, details}` body of a 4xx.
"""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "details"],
    "properties": {
        "code": {"type": "string", "example": "VALIDATION_ERROR"},
        "message": {"type": "string", "example": "email: Enter a valid email address."},
        "details": {"type": "object", "additionalProperties": True},
    },
}
_DESCRIPTIONS = {
    "400": "Invalid input (VALIDATION_ERROR); details maps fields to messages.",
    "401": "No, bad, revoked or expired key (UNAUTHENTICATED).",
    "403": "The key lacks a scope this operation needs (FORBIDDEN).",
    "404": "No such object in your workspace (NOT_FOUND).",
    "409": "The object's current state conflicts (CONFLICT, INVALID_TRANSITION), or a request "
    "with this Idempotency-Key is still running (IDEMPOTENCY_KEY_IN_USE).",
    "415": "The body is not application/json (UNSUPPORTED_MEDIA_TYPE).",
    "429": "Over the key's rate limit (RATE_LIMITED); see Retry-After.",
    "412": "If-Match names an older version (PRECONDITION_FAILED); details.etag is current.",
    "422": "This Idempotency-Key was used for another request (IDEMPOTENCY_KEY_REUSED).",
    "428": "The workspace or key requires If-Match on changes (PRECONDITION_REQUIRED).",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "1-255 printable ASCII characters, unique per request you mean (a UUID). A retry with "
        "the same key and body gets the first response again (with `Idempotent-Replayed: "
        "true`) instead of running twice; kept 24 hours. See docs/api.md."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you read: the change is refused (412) if the object changed since.",
    "schema": {"type": "string"},
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you hold: 304 with no body if the object has not changed.",
    "schema": {"type": "string"},
}
_METHODS = {"get", "post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            codes = ["401", "403", "429"]
            if operation.get("parameters") or operation.get("requestBody"):
                codes.append("400")
            if "{" in path:
                codes.append("404")
            if operation.get("requestBody"):
                codes += ["400", "415"]
            if method != "get":
                codes.append("409")
            detail = "{" in path
            if method == "post":
                _add_parameter(operation, IDEMPOTENCY_KEY)
                codes.append("422")
            transition = path.rstrip("/").endswith("/transitions")
            if (detail and method in ("patch", "delete")) or transition:
                _add_parameter(operation, IF_MATCH)
                codes += ["412", "428"] if method == "patch" else ["412"]
            if (
                detail
                and method == "get"
                and operation.get("operationId", "").endswith("_retrieve")
            ):
                _add_parameter(operation, IF_NONE_MATCH)
                operation.setdefault("responses", {}).setdefault(
                    "304", {"description": "Not modified: your ETag is current."}
                )
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code, {"description": _DESCRIPTIONS[code], "content": reference}
                )
    return result


def _add_parameter(operation, parameter) -> None:
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("name") == parameter["name"] for p in parameters):
        parameters.append(parameter)
