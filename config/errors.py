"""Domain errors: raised by services, mapped once to the API's `{code, message, details}` body.

They live outside the API package so that services, the admin and the dashboard can raise and
catch them without importing DRF.
"""

from typing import Any


class DomainError(Exception):
    code = "VALIDATION_ERROR"
    status = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class DomainValidationError(DomainError):
    code = "VALIDATION_ERROR"
    status = 400


class ConflictError(DomainError):
    code = "CONFLICT"
    status = 409


class InvalidTransitionError(DomainError):
    code = "INVALID_TRANSITION"
    status = 409


class PreconditionFailedError(DomainError):
    code = "PRECONDITION_FAILED"
    status = 412


class ForbiddenError(DomainError):
    code = "FORBIDDEN"
    status = 403


class NotFoundError(DomainError):
    code = "NOT_FOUND"
    status = 404


class PreconditionRequiredError(DomainError):
    code = "PRECONDITION_REQUIRED"
    status = 428
