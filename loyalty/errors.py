"""Refusals of the loyalty programme, with machine-readable codes for the API."""

from issues.errors import DomainError


class PointsError(DomainError):
    """Base of the loyalty refusals: nothing has been taken when one is raised."""


class NotAMember(PointsError):
    def __init__(self):
        super().__init__("Баллы доступны только жителям и волонтёрам.", "forbidden")


class InsufficientPoints(PointsError):
    def __init__(self, needed: int, available: int):
        super().__init__(
            f"Недостаточно баллов: нужно {needed}, на вашем счёте {available}.", "insufficient_points"
        )
        self.needed, self.available = needed, available


class OutOfStock(PointsError):
    def __init__(self, title: str):
        super().__init__(
            f"Коды для «{title}» закончились. Загляните позже: партнёры пополняют каталог.", "out_of_stock"
        )


class RewardUnavailable(PointsError):
    def __init__(self):
        super().__init__("Это поощрение больше не выдаётся.", "reward_unavailable")


class FundUnavailable(PointsError):
    def __init__(self):
        super().__init__("Этот фонд сейчас не принимает пожертвования.", "fund_unavailable")


class InvalidAmount(PointsError):
    def __init__(self, message: str = "Укажите целое число баллов больше нуля."):
        super().__init__(message, "invalid_amount", field="amount")


class KeyReused(PointsError):
    def __init__(self):
        super().__init__(
            "Эта форма уже была отправлена для другого действия. Обновите страницу и повторите.",
            "duplicate_request",
        )


class InvalidCodes(PointsError):
    def __init__(self, message: str):
        super().__init__(message, "invalid_codes", field="codes")
