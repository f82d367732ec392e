"""One error shape for every failure of the API:

    {"error": {"code": "...", "message": "...", "field": "..." | null, "details": {...}}}

`code` is machine-readable (a DRF code such as "required" or "throttled", or
a domain code of issues.errors / issues.photos / places.geo such as
"topic_unavailable", "photo_too_large", "outside_moscow"); `field` names the
input it concerns; `details` holds every field's errors when there are
several, or what else the client needs (the seconds to wait).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signals
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.log import log_response
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from issues.errors import DomainError, TransitionNotAllowed

logger = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"
# Domain codes that are not a bad input but a refusal or a conflict.
DOMAIN_STATUS = {
    "forbidden": status.HTTP_403_FORBIDDEN,
    "duplicate_submission_key": status.HTTP_409_CONFLICT,
    "request_pending": status.HTTP_409_CONFLICT,
}


def error_body(code: str, message: str, field: str | None = None, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field, "details": details or {}}}


SERVER_ERROR = (
    "Внутренняя ошибка сервера: запрос не выполнен. Повторите его позже; "
    "если ошибка не проходит, сообщите в редакцию портала."
)


def handle(exc, context):
    """DRF's EXCEPTION_HANDLER: every exception a view raises, as one shape."""
    response = _response_for(exc)
    if response is None:
        request = context.get("request")
        if request is None or settings.DEBUG or settings.DEBUG_PROPAGATE_EXCEPTIONS:
            return None  # Django's own handling: the debug page, or the exception raised
        response = _server_error(getattr(request, "_request", request), exc)
    set_rollback()
    return response


def _server_error(request, exc: Exception) -> Response:
    """A bug: reported the way Django reports one (got_request_exception, the
    django.request log with its traceback), answered in the API's shape."""
    signals.got_request_exception.send(sender=None, request=request)
    response = Response(
        error_body("server_error", SERVER_ERROR), status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )
    log_response(
        "%s: %s", response.reason_phrase, request.path, response=response, request=request, exception=exc
    )
    return response


def _response_for(exc) -> Response | None:
    if isinstance(exc, DomainError):
        return _domain(exc)
    if isinstance(exc, DjangoValidationError):
        return _invalid(_django_errors(exc), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response(error_body("not_found", str(exc) or "Не найдено."), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        message = str(exc) or "Недостаточно прав."
        return Response(error_body("permission_denied", message), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, exceptions.ValidationError):
        return _invalid(_drf_errors(exc.detail), exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("request_too_large", "Запрос слишком большой."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        # Raised while the body is parsed: too many fields (TooManyFieldsSent),
        # a broken multipart. The request is refused, as Django itself would.
        return Response(
            error_body("bad_request", "Запрос не разобран: слишком много полей или неверный формат."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.APIException):
        return _api_exception(exc)
    return None


def _domain(exc: DomainError) -> Response:
    if isinstance(exc, TransitionNotAllowed):
        code = status.HTTP_409_CONFLICT
    else:
        code = DOMAIN_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST)
    message = " ".join(exc.messages)
    return Response(error_body(exc.code, message, exc.field), status=code)


def _api_exception(exc: exceptions.APIException) -> Response:
    detail = exc.detail
    message = str(detail if not isinstance(detail, list | dict) else exc.default_detail)
    code = detail.code if isinstance(detail, exceptions.ErrorDetail) else exc.default_code
    details = {}
    headers = {}
    if isinstance(exc, exceptions.Throttled):
        details["retry_after"] = exc.wait and int(exc.wait + 0.999)
        if exc.wait is not None:
            headers["Retry-After"] = str(details["retry_after"])
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        code = exc.default_code if code in ("", None) else code
    response = Response(
        error_body(str(code), message, None, details), status=exc.status_code, headers=headers
    )
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        response["WWW-Authenticate"] = auth_header
    return response


# -- validation errors: {field: [{"message", "code"}]} ----------------------------


def _invalid(errors: dict[str, list[dict]], http_status: int) -> Response:
    """The first error gives the code, the message and the field; all of them
    are in details.fields."""
    field, first = next(((f, e[0]) for f, e in errors.items() if e), (None, None))
    if first is None:
        first = {"message": "Неверные данные.", "code": "invalid"}
    return Response(
        error_body(
            first["code"], first["message"], None if field == NON_FIELD else field, {"fields": errors}
        ),
        status=http_status,
    )


def _drf_errors(detail, prefix: str = "") -> dict[str, list[dict]]:
    """DRF's nested detail flattened to dotted field names ("photos.1")."""
    errors: dict[str, list[dict]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for sub, items in _drf_errors(value, name).items():
                errors.setdefault(sub, []).extend(items)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                for sub, items in _drf_errors(value, f"{prefix}.{index}" if prefix else str(index)).items():
                    errors.setdefault(sub, []).extend(items)
            else:
                errors.setdefault(prefix or NON_FIELD, []).append(_item(value))
    else:
        errors.setdefault(prefix or NON_FIELD, []).append(_item(detail))
    return errors


def _item(detail) -> dict:
    return {"message": str(detail), "code": str(getattr(detail, "code", None) or "invalid")}


def _django_errors(exc: DjangoValidationError) -> dict[str, list[dict]]:
    """A Django form's or model's ValidationError, with each error's code."""
    field = getattr(exc, "field", None)
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD if name == "__all__" else name): [_django_item(e) for e in items]
            for name, items in exc.error_dict.items()
        }
    return {field or NON_FIELD: [_django_item(e) for e in exc.error_list]}


def _django_item(error: DjangoValidationError) -> dict:
    message = error.message % error.params if error.params else error.message
    return {"message": str(message), "code": error.code or "invalid"}


def form_errors(form) -> DjangoValidationError:
    """A Django form's errors as one ValidationError for the handler."""
    return DjangoValidationError(form.errors.as_data())
