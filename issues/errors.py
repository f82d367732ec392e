"""Domain errors of the report's life, mapped to messages and API codes."""

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A request that the rules refuse; `code` is machine-readable."""

    def __init__(self, message: str, code: str, field: str | None = None):
        super().__init__(message, code=code)
        self.field = field


class TransitionNotAllowed(DomainError):
    def __init__(self, message: str = "Это действие недоступно для сообщения в его текущем статусе."):
        super().__init__(message, code="transition_not_allowed")
