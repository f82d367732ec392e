"""The portal's objects as GeoReport v2 documents (open311.formats renders
them as XML or JSON). Ids and codes are strings; booleans are booleans.

Status: a report is `open` until it is resolved, rejected or merged into
another (`closed`). status_notes is the published answer (the rejection's
reason, or the report it was merged into); agency_responsible the
organization; expected_datetime the deadline; updated_datetime the last
public event.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from issues.models import FINAL_STATUSES, EventKind, Photo, Report, ReportEvent, Status, Topic, TopicQuestion
from open311.formats import Many
from open311.models import ClientApplication, ResponseType, ServiceRequest

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET_FLOOR = "2026-11-23 00:00:00"

Absolute = Callable[[str], str]  # a path or URL -> an absolute URL


def open_or_closed(status: str) -> str:
    return "closed" if status in FINAL_STATUSES else "open"


# -- discovery ------------------------------------------------------------------


def discovery(endpoint_url: str, changeset: str) -> dict:
    return {
        "changeset": changeset,
        "contact": getattr(
            settings,
            "OPEN311_CONTACT",
            "«Наш город»: вопросы об API — через редакцию портала, раздел «Обратная связь».",
        ),
        "key_service": getattr(
            settings,
            "OPEN311_KEY_SERVICE",
            "Ключ api_key для отправки сообщений выдаёт администратор портала по заявке "
            "с названием приложения и контактом ответственного.",
        ),
        "endpoints": Many(
            "endpoint",
            [
                {
                    "specification": SPECIFICATION,
                    "url": endpoint_url,
                    "changeset": changeset,
                    "type": "production",
                    "formats": Many("format", ["text/xml", "application/json"]),
                }
            ],
        ),
    }


def changeset(latest) -> str:
    """Sortable, as the standard asks: the last change of the service list or
    a service definition (to the second, so that two changes in one minute
    are told apart), never before the API's release."""
    stamp = timezone.localtime(latest).strftime("%Y-%m-%d %H:%M:%S") if latest else ""
    return max(stamp, CHANGESET_FLOOR)


# -- services ---------------------------------------------------------------------


def _keywords(topic: Topic) -> str:
    words = [topic.group.name, topic.get_responsible_kind_display()]
    if topic.season_id:
        words.append(topic.season.name)
    return ", ".join(w for w in words if w)


def service(topic: Topic) -> dict:
    return {
        "service_code": topic.code,
        "service_name": topic.name,
        "description": topic.hint or topic.name,
        "metadata": topic.question_count > 0,
        "type": "realtime",
        "keywords": _keywords(topic),
        "group": topic.group.name,
    }


def services(topics: list[Topic]) -> Many:
    return Many("service", [service(t) for t in topics])


def attribute(question: TopicQuestion) -> dict:
    row = {
        "variable": True,
        "code": question.code,
        "datatype": question.datatype,
        "required": question.required,
        "datatype_description": question.datatype_description or None,
        "order": question.order,
        "description": question.description,
    }
    if question.is_list:
        row["values"] = Many(
            "value", [{"key": str(v["key"]), "name": str(v["name"])} for v in question.values or []]
        )
    return row


def service_definition(topic: Topic, questions: list[TopicQuestion]) -> dict:
    return {"service_code": topic.code, "attributes": Many("attribute", [attribute(q) for q in questions])}


# -- requests ---------------------------------------------------------------------


def service_notice(topic: Topic) -> str:
    days = "календарных" if topic.calendar_days else "рабочих"
    return (
        "Сообщение проверит редакция портала; после публикации у исполнителя "
        f"{topic.deadline_days} {days} дн. на ответ."
    )


def _status_notes(report: Report) -> str | None:
    if report.status == Status.REJECTED:
        rejection = report.rejections[0] if report.rejections else None
        return (rejection.text if rejection else "") or "Отклонено редакцией."
    if report.status == Status.DUPLICATE:
        return f"Объединено с сообщением №{report.duplicate_of_id}."
    if report.published_answers:
        return report.published_answers[0].text
    return None


def _media_url(report: Report, absolute: Absolute) -> str | None:
    link: ServiceRequest | None = getattr(report, "open311", None)
    if link is not None and link.media_url:
        return link.media_url
    photos: list[Photo] = report.report_photos
    return absolute(photos[0].image.url) if photos else None


def request_row(report: Report, absolute: Absolute) -> dict:
    building = report.building
    return {
        "service_request_id": str(report.pk),
        "status": open_or_closed(report.status),
        "status_notes": _status_notes(report),
        "service_name": report.topic.name,
        "service_code": report.topic.code,
        "description": report.description or None,
        "agency_responsible": report.organization.name if report.organization_id else None,
        "service_notice": service_notice(report.topic),
        "requested_datetime": report.created_at,
        "updated_datetime": report.last_event_at or report.updated_at,
        "expected_datetime": report.deadline,
        "address": report.address or (building.short_address if building else None),
        "address_id": str(building.pk) if building else None,
        "zipcode": None,
        "lat": round(report.point.y, 6),
        "long": round(report.point.x, 6),
        "media_url": _media_url(report, absolute),
    }


def requests(reports: list[Report], absolute: Absolute) -> Many:
    return Many("request", [request_row(r, absolute) for r in reports])


def created(report: Report, link: ServiceRequest, client: ClientApplication) -> Many:
    """The answer to POST requests: the new id (or, for a batch client, its token)."""
    row = (
        {"token": link.token}
        if client.response_type == ResponseType.BATCH
        else {"service_request_id": str(report.pk)}
    )
    row["service_notice"] = service_notice(report.topic)
    row["account_id"] = None
    return Many("request", [row])


def token(link: ServiceRequest) -> Many:
    return Many("request", [{"service_request_id": str(link.report_id), "token": link.token}])


# -- updates (FixMyStreet) ----------------------------------------------------------


def _update_description(event: ReportEvent) -> str:
    if event.kind in (EventKind.ANSWER_PUBLISHED, EventKind.REJECTED) and event.text:
        return event.text
    if event.kind == EventKind.MERGED and event.payload.get("into"):
        return f"Объединено с сообщением №{event.payload['into']}."
    if event.kind == EventKind.PUBLISHED and event.organization_id:
        return f"{event.get_kind_display()}: {event.organization.name}."
    return event.get_kind_display()


def update(event: ReportEvent, photos: dict[int, Photo], absolute: Absolute) -> dict:
    photo = photos.get(event.payload.get("answer")) if event.kind == EventKind.ANSWER_PUBLISHED else None
    return {
        "update_id": str(event.pk),
        "service_request_id": str(event.report_id),
        "status": open_or_closed(event.to_status),
        "external_status_code": event.to_status,
        "updated_datetime": event.created_at,
        "description": _update_description(event),
        "media_url": absolute(photo.image.url) if photo else None,
    }


def updates(events: list[ReportEvent], photos: dict[int, Photo], absolute: Absolute) -> Many:
    return Many("request_update", [update(e, photos, absolute) for e in events])
