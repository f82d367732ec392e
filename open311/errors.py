"""Open311 errors: the standard's list of `code` and `description`.

The HTTP status is 404 for what does not exist, 403 for a missing or bad
api_key and 400 for anything else; each error's code is that status (the
standard's example), so clients that read only the body see it too.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = list(descriptions)

    @property
    def errors(self) -> list[tuple[int, str]]:
        return [(self.status, d) for d in self.descriptions]


class BadRequest(Open311Error):
    def __init__(self, *descriptions: str):
        super().__init__(400, *descriptions)


class NotFound(Open311Error):
    def __init__(self, *descriptions: str):
        super().__init__(404, *descriptions)


class Forbidden(Open311Error):
    def __init__(self, *descriptions: str):
        super().__init__(403, *descriptions)


def from_validation_error(exc: ValidationError) -> BadRequest:
    """A domain or form error (issues.errors.DomainError, a list of answer
    errors, a photo error, a point outside Moscow) as a 400 with each message."""
    messages = [m for m in exc.messages if m] or ["Запрос не может быть выполнен."]
    return BadRequest(*messages)
