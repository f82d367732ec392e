"""What goes wrong around a call rather than in it: a body that Django
refuses to read (too large, too many fields or files, a broken multipart
body) and a server error. Django would answer these with its HTML pages;
under /open311/ they are the standard's error list in the path's format,
400 and 500, logged and signalled the way Django does it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signals
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.log import log_response

from open311 import formats

SERVER_ERROR = (
    "Внутренняя ошибка сервера: запрос не выполнен. Повторите его позже; "
    "если ошибка не проходит, сообщите в редакцию портала."
)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} МБ"


def _unreadable_body(exc: Exception) -> str:
    if isinstance(exc, RequestDataTooBig):
        return (
            f"Запрос слишком велик: поля формы (без файлов) — не больше "
            f"{_megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}; фотографии передавайте файлами "
            "multipart/form-data."
        )
    if isinstance(exc, TooManyFieldsSent):
        return f"Слишком много параметров: не больше {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}."
    if isinstance(exc, TooManyFilesSent):
        return f"Слишком много файлов: не больше {settings.DATA_UPLOAD_MAX_NUMBER_FILES}."
    if isinstance(exc, MultiPartParserError):
        return f"Тело запроса multipart/form-data не разобрать: {exc}"
    return "Запрос отклонён: он выглядит небезопасным."


def bad_request(
    request: HttpRequest, fmt: str, exc: SuspiciousOperation | MultiPartParserError
) -> HttpResponse:
    """400 for a request Django would not read, logged as Django logs it."""
    response = formats.render_errors(fmt, [(400, _unreadable_body(exc))], 400)
    if isinstance(exc, SuspiciousOperation):
        logger = logging.getLogger(f"django.security.{exc.__class__.__name__}")
        log_response(
            str(exc), exception=exc, request=request, response=response, level="error", logger=logger
        )
    else:
        log_response(
            "Bad request (Unable to parse request body): %s",
            request.path,
            response=response,
            request=request,
            exception=exc,
        )
    return response


def server_error(request: HttpRequest, fmt: str, exc: Exception) -> HttpResponse:
    """500 for an unhandled exception: reported (got_request_exception, the
    django.request log with its traceback) and answered as an error list."""
    if settings.DEBUG_PROPAGATE_EXCEPTIONS:
        raise exc
    signals.got_request_exception.send(sender=None, request=request)
    response = formats.render_errors(fmt, [(500, SERVER_ERROR)], 500)
    log_response(
        "%s: %s", response.reason_phrase, request.path, response=response, request=request, exception=exc
    )
    return response
