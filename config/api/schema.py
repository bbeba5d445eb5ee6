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
    "409": "The object's current state conflicts (CONFLICT, INVALID_TRANSITION).",
    "415": "The body is not application/json (UNSUPPORTED_MEDIA_TYPE).",
    "429": "Over the key's rate limit (RATE_LIMITED); see Retry-After.",
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
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code, {"description": _DESCRIPTIONS[code], "content": reference}
                )
    return result
