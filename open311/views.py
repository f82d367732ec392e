"""Open311 GeoReport v2 at /open311/v2/: thin views over open311.params
(reading the call), open311.selectors and open311.services (doing it) and
open311.serializers + open311.formats (answering in XML or JSON, chosen by
the path's extension). Every refusal is the standard's error list."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from open311 import failures, formats, params, selectors, serializers, services
from open311.errors import BadRequest, NotFound, Open311Error, from_validation_error


def _jurisdictions(request: HttpRequest) -> set[str]:
    """This endpoint serves one jurisdiction; it answers to its configured
    id, the site's host name and the host name it was called by."""
    names = {getattr(settings, "OPEN311_JURISDICTION_ID", ""), urlsplit(settings.SITE_URL).hostname or ""}
    names.add(request.get_host().rsplit(":", 1)[0])
    return {n.lower().removeprefix("www.") for n in names if n}


def _check_jurisdiction(request: HttpRequest) -> None:
    """jurisdiction_id is optional here (one jurisdiction); another one is 404.
    On POST it is read from the form and, like api_key, from the query string."""
    sources = [request.POST, request.GET] if request.method == "POST" else [request.GET]
    for values in sources:
        jurisdiction = (values.get("jurisdiction_id") or "").strip().lower().removeprefix("www.")
        if jurisdiction and jurisdiction not in _jurisdictions(request):
            raise NotFound(f"jurisdiction_id «{jurisdiction[:60]}» не найден: здесь одна юрисдикция.")


def endpoint(*methods: str):
    """Method check, jurisdiction_id and the standard's errors, in the
    format the path asked for: the call's own refusals, a body Django will
    not read (open311.failures: 400) and a server error (500)."""
    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            try:
                if request.method not in allowed:
                    raise BadRequest(f"Метод {request.method} здесь не поддерживается: {', '.join(methods)}.")
                _check_jurisdiction(request)
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                response = formats.render_errors(fmt, exc.errors, exc.status)
            except ValidationError as exc:
                error = from_validation_error(exc)
                response = formats.render_errors(fmt, error.errors, error.status)
            except (SuspiciousOperation, MultiPartParserError) as exc:
                # Raised when the body is first read: too large, too many fields or files, broken.
                response = failures.bad_request(request, fmt, exc)
            except Exception as exc:
                response = failures.server_error(request, fmt, exc)
            if request.method not in allowed:
                response["Allow"] = ", ".join(sorted(allowed))
            return response

        return wrapper

    return decorate


def _absolute(request: HttpRequest):
    return request.build_absolute_uri


def _reader(request: HttpRequest):
    """The calling client, when it sent its api_key (optional on GET; a bad one is refused)."""
    return services.client_for_key(request.GET.get("api_key", ""), required=False)


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("open311:discovery", args=[fmt])).rsplit("/discovery.", 1)[0]
    changed_at = services.catalog_changed_at(timezone.now())
    return formats.render(fmt, "discovery", serializers.discovery(url, serializers.changeset(changed_at)))


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return formats.render(fmt, "services", serializers.services(selectors.available_topics()))


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    found = selectors.service_definition(service_code)
    if found is None:
        raise NotFound(f"service_code «{service_code[:60]}» не найден.")
    return formats.render(fmt, "service_definition", serializers.service_definition(*found))


@endpoint("GET", "POST")
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        # The standard sends api_key in the form; some clients put it in the query string.
        api_key = request.POST.get("api_key") or request.GET.get("api_key", "")
        client = services.client_for_key(api_key, required=True)
        report, link = services.file_request(client, params.new_request(request.POST, request.FILES))
        return formats.render(fmt, "service_requests", serializers.created(report, link, client))
    client = _reader(request)
    query = params.requests_query(request.GET, timezone.now())
    if query.service_codes:
        known = set(selectors.known_service_codes(query.service_codes))
        unknown = [c for c in query.service_codes if c not in known]
        if unknown:
            raise NotFound(f"service_code «{unknown[0][:60]}» не найден.")
    reports = selectors.requests(client, query)
    return formats.render(fmt, "service_requests", serializers.requests(reports, _absolute(request)))


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    report = selectors.request(_reader(request), service_request_id)
    if report is None:
        raise NotFound(f"service_request_id {service_request_id[:40]} не найден.")
    return formats.render(fmt, "service_requests", serializers.requests([report], _absolute(request)))


@endpoint("GET")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    link = selectors.request_by_token(token)
    if link is None:
        raise NotFound("token не найден.")
    return formats.render(fmt, "service_requests", serializers.token(link))


@endpoint("GET")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _reader(request)
    events, photos = selectors.updates(client, params.updates_query(request.GET, timezone.now()))
    return formats.render(
        fmt, "service_request_updates", serializers.updates(events, photos, _absolute(request))
    )


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    fmt = formats.JSON if path.endswith(".json") else formats.XML
    return formats.render_errors(
        fmt,
        [
            (
                404,
                "Нет такого ресурса Open311: discovery, services, requests, tokens, servicerequestupdates (.xml или .json).",
            )
        ],
        404,
    )
