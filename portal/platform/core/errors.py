"""One family of domain errors with stable codes.

Services raise these; the API turns them into ``{"code": ..., "detail": ...}``
with a 4xx status, and forms show ``message`` next to ``field``.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation. Nothing was written."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, **params):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.params = params

    def as_dict(self) -> dict:
        data = {"code": self.code, "detail": str(self.message)}
        if self.field:
            data["field"] = self.field
        return data


class ValidationFailed(DomainError):
    code = "invalid"


class NotFound(DomainError):
    """Also raised when an object exists but the actor may not see it: never leak existence."""

    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409
