"""The OpenAPI schema's one addition to drf-spectacular: every operation
documents the error shape (api.exceptions) for the failures it can meet, so
that a client (and Schemathesis) knows every status it may get."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    "400": "Неверные данные или действие отклонено правилами (код ошибки — в error.code).",
    "401": "Нужен вход: токен (Authorization: Token …) или сессия.",
    "403": "Недостаточно прав.",
    "404": "Не найдено (или недоступно этому пользователю).",
    "409": "Конфликт: сообщение уже изменили, или такой запрос уже ждёт решения.",
    "415": "Неподдерживаемый формат тела запроса.",
    "429": "Слишком много запросов: повторите через error.details.retry_after секунд.",
}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Машиночитаемый код: required, topic_unavailable, throttled …")
    message = serializers.CharField(help_text="Сообщение для человека, по-русски.")
    field = serializers.CharField(allow_null=True, help_text="Поле запроса, к которому относится ошибка.")
    details = serializers.DictField(help_text="fields: ошибки всех полей; retry_after: секунды ожидания.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += ["409", "415"]
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]), code
                )
        return responses
