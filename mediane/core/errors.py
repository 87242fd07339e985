"""Domain errors raised by services; views turn them into French messages, the API into JSON."""

from __future__ import annotations


class MedianeError(Exception):
    """Base error with a stable machine code and a human message."""

    code = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field_errors: dict[str, list[str]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field_errors = field_errors or {}


class ValidationFailed(MedianeError):
    code = "validation_error"


class NotFound(MedianeError):
    code = "not_found"


class Conflict(MedianeError):
    code = "conflict"
