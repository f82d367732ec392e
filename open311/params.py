"""The parameters of Open311 calls, read and checked before anything is
looked up. Every problem is an open311.errors exception naming the parameter.

Dates are W3C datetimes with a timezone (2010-01-01T00:00:00Z,
2010-01-01T03:00:00+03:00) or plain dates (midnight, Moscow time; a plain
end_date covers its whole day). A "+" in an offset that was not escaped
arrives as a space and is read as "+".
Optional parameters that are empty count as not sent (the standard's rule).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import QueryDict
from django.utils import timezone

from open311.errors import BadRequest

MAX_SPAN = dt.timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = MAX_RESULTS
STATUSES = ("open", "closed")

_W3C = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2}))?$"
)
_UNESCAPED_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def _optional(params: QueryDict, name: str) -> str:
    return (params.get(name) or "").strip()


def _w3c_match(value: str) -> re.Match | None:
    return _W3C.match(_UNESCAPED_PLUS.sub(r"\1+\2", value.strip()))


def is_plain_date(value: str) -> bool:
    """2026-05-01, with no time of day."""
    match = _w3c_match(value)
    return match is not None and match["hour"] is None


def parse_datetime(value: str, name: str) -> dt.datetime:
    """A W3C datetime with its timezone, or a date (midnight Moscow time)."""
    match = _w3c_match(value)
    try:
        if match is None:
            raise ValueError(value)
        day = dt.date.fromisoformat(match["date"])
        if match["hour"] is None:
            return timezone.make_aware(dt.datetime.combine(day, dt.time()))
        tz = match["tz"]
        offset = dt.UTC
        if tz != "Z":
            sign = -1 if tz[0] == "-" else 1
            hours, minutes = int(tz[1:3]), int(tz[-2:])
            if hours > 14 or minutes > 59:
                raise ValueError(tz)
            offset = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
        microsecond = int((match["fraction"] or "0")[:6].ljust(6, "0"))
        return dt.datetime.combine(
            day,
            dt.time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0), microsecond),
            tzinfo=offset,
        )
    except ValueError:
        raise BadRequest(
            f"{name}: «{value[:40]}» — не дата в формате W3C с часовым поясом, например 2010-01-01T00:00:00Z."
        ) from None


def _optional_datetime(params: QueryDict, name: str) -> dt.datetime | None:
    value = _optional(params, name)
    return parse_datetime(value, name) if value else None


def _comma_list(params: QueryDict, name: str) -> list[str]:
    """Comma-delimited, and the parameter may also be repeated."""
    items = []
    for value in params.getlist(name):
        items.extend(part.strip() for part in value.split(","))
    return list(dict.fromkeys(item for item in items if item))


def _positive_int(params: QueryDict, name: str, default: int, maximum: int | None = None) -> int:
    value = _optional(params, name)
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise BadRequest(f"{name}: нужно целое число больше нуля.")
    number = int(value)
    if maximum is not None and number > maximum:
        raise BadRequest(f"{name}: не больше {maximum}.")
    return number


@dataclass(frozen=True)
class Window:
    """A datetime range: start inclusive, end inclusive."""

    start: dt.datetime | None
    end: dt.datetime | None


def _through_the_day(midnight: dt.datetime) -> dt.datetime:
    """The last microsecond of the day that starts at `midnight`."""
    return midnight + dt.timedelta(days=1) - dt.timedelta(microseconds=1)


def date_window(params: QueryDict, now: dt.datetime, *, default: bool = True) -> Window:
    """start_date and end_date: at most 90 days apart; the most recent 90
    days when neither is given (unless `default` is off), 90 days from the
    one given otherwise.

    A plain-date end_date (2026-05-01) includes that whole day; the 90 days
    are counted to its midnight, as written, so that 2026-02-01…2026-05-02
    is a valid window and end_date=2026-05-01 alone starts on 2026-01-31."""
    start = _optional_datetime(params, "start_date")
    end = _optional_datetime(params, "end_date")
    if start is None and end is None:
        return Window(now - MAX_SPAN, now) if default else Window(None, None)
    if end is None:
        return Window(start, start + MAX_SPAN)
    last = _through_the_day(end) if is_plain_date(_optional(params, "end_date")) else end
    if start is None:
        return Window(end - MAX_SPAN, last)
    if start > last:
        raise BadRequest("start_date позже end_date.")
    if end - start > MAX_SPAN:
        raise BadRequest("Между start_date и end_date не может быть больше 90 дней.")
    return Window(start, last)


@dataclass(frozen=True)
class Page:
    number: int = 1
    size: int = MAX_RESULTS

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def slice(self, queryset):
        return queryset[self.offset : self.offset + self.size]


def page(params: QueryDict) -> Page:
    """The pagination extension: page (from 1) and page_size (at most 1,000,
    the standard's limit, which is also the default)."""
    return Page(
        number=_positive_int(params, "page", 1, maximum=10**6),
        size=_positive_int(params, "page_size", MAX_RESULTS, maximum=MAX_RESULTS),
    )


@dataclass(frozen=True)
class RequestsQuery:
    ids: list[int] = field(default_factory=list)  # when given, overrides everything else
    service_codes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    window: Window = Window(None, None)
    updated: Window = Window(None, None)
    page: Page = Page()


def requests_query(params: QueryDict, now: dt.datetime) -> RequestsQuery:
    raw_ids = _comma_list(params, "service_request_id")
    if raw_ids:
        bad = [i for i in raw_ids if not i.isdigit() or len(i) > 18]
        if bad:
            raise BadRequest(f"service_request_id: «{bad[0][:40]}» — не номер сообщения.")
        if len(raw_ids) > MAX_IDS:
            raise BadRequest(f"service_request_id: не больше {MAX_IDS} номеров за раз.")
        return RequestsQuery(ids=[int(i) for i in raw_ids])
    statuses = _comma_list(params, "status")
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise BadRequest(f"status: «{unknown[0][:40]}» — возможны open и closed.")
    updated = Window(
        _optional_datetime(params, "updated_after"), _optional_datetime(params, "updated_before")
    )
    if updated.start and updated.end and updated.start > updated.end:
        raise BadRequest("updated_after позже updated_before.")
    # A client that follows changes (updated_after/before) asks about requests
    # of any age: the default 90 days of requested_datetime would hide them.
    following = updated.start is not None or updated.end is not None
    return RequestsQuery(
        service_codes=_comma_list(params, "service_code"),
        statuses=statuses,
        window=date_window(params, now, default=not following),
        updated=updated,
        page=page(params),
    )


@dataclass(frozen=True)
class UpdatesQuery:
    window: Window
    page: Page


def updates_query(params: QueryDict, now: dt.datetime) -> UpdatesQuery:
    return UpdatesQuery(window=date_window(params, now), page=page(params))


# -- POST requests ------------------------------------------------------------


@dataclass
class NewRequest:
    service_code: str
    lat: float | None = None
    long: float | None = None
    address_string: str = ""
    address_id: int | None = None
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    media_url: str = ""
    device_id: str = ""
    account_id: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)
    media: list = field(default_factory=list)  # uploaded files, in the order sent

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.long is not None


def _coordinate(value: str, name: str, limit: float) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > limit:
        raise BadRequest(f"{name}: «{value[:40]}» — не координата WGS84.")
    return number


def attributes(params: QueryDict) -> dict[str, list[str]]:
    """attribute[code]=value and attribute[code][]=value1&attribute[code][]=value2."""
    found: dict[str, list[str]] = {}
    for key in params:
        match = _ATTRIBUTE.match(key)
        if match:
            found.setdefault(match[1], []).extend(params.getlist(key))
    return found


def new_request(post: QueryDict, files) -> NewRequest:
    """The parameters of POST requests; the rest (the service code, the
    place, the answers, the photos) is checked against the catalog later."""
    service_code = _optional(post, "service_code")
    if not service_code:
        raise BadRequest("service_code: не указан код услуги.")
    lat = _coordinate(_optional(post, "lat"), "lat", 90)
    long = _coordinate(_optional(post, "long"), "long", 180)
    if (lat is None) != (long is None):
        raise BadRequest("lat и long передаются вместе.")
    address_id = _optional(post, "address_id")
    if address_id and (not address_id.isdigit() or len(address_id) > 18):
        raise BadRequest(f"address_id: «{address_id[:40]}» — не номер дома из реестра.")
    address_string = _optional(post, "address_string")
    if lat is None and not address_id and not address_string:
        raise BadRequest("Укажите место: lat и long, address_string или address_id.")
    email = _optional(post, "email")
    if not email:
        raise BadRequest(
            "email: укажите e-mail автора — по нему сообщение привязывается к его учётной записи."
        )
    try:
        validate_email(email)
    except ValidationError:
        raise BadRequest(f"email: «{email[:60]}» — не адрес электронной почты.") from None
    media_url = _optional(post, "media_url")
    if media_url:
        if len(media_url) > 2000:
            raise BadRequest("media_url: адрес длиннее 2000 символов.")
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise BadRequest("media_url: нужен адрес http:// или https://.") from None
    return NewRequest(
        service_code=service_code,
        lat=lat,
        long=long,
        address_string=address_string[:300],
        address_id=int(address_id) if address_id else None,
        email=email,
        first_name=_optional(post, "first_name")[:100],
        last_name=_optional(post, "last_name")[:100],
        phone=_optional(post, "phone")[:32],
        description=(post.get("description") or "").strip(),
        media_url=media_url,
        device_id=_optional(post, "device_id")[:200],
        account_id=_optional(post, "account_id")[:200],
        attributes=attributes(post),
        media=[f for name in files for f in files.getlist(name)],
    )
