"""Fixtures of the Open311 tests: a registered client application with its
key, a topic that asks one question of every datatype, and calls through
the Django test client in either format."""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from issues.models import QuestionType, Topic, TopicQuestion
from open311 import services

BASE = "/open311/v2/"
FORMATS = ["xml", "json"]
RED_SQUARE = {"lat": "55.7539", "long": "37.6208"}  # Тверской район, ЦАО


@pytest.fixture
def app_key(db):
    """A registered client application and its api_key."""
    return services.register_client("FixMyStreet Москва", "fms@example.test")


@pytest.fixture
def key(app_key):
    return app_key[1]


@pytest.fixture
def topic(db):
    """«Неубранная дворовая территория» with a question of each of the six
    datatypes; no photo needed, so that form-encoded calls can file it."""
    topic = Topic.objects.get(code="yard-not-cleaned")
    Topic.objects.filter(pk=topic.pk).update(photo_required=False)
    topic.refresh_from_db()
    questions = [
        ("where", QuestionType.STRING, True, "Где именно мусор", "", []),
        ("bags", QuestionType.NUMBER, False, "Сколько мешков", "Число", []),
        ("seen_at", QuestionType.DATETIME, False, "Когда заметили", "Дата и время", []),
        ("details", QuestionType.TEXT, False, "Подробности", "", []),
        (
            "kind",
            QuestionType.SINGLE,
            True,
            "Что за мусор",
            "",
            [{"key": "household", "name": "Бытовой"}, {"key": "building", "name": "Строительный"}],
        ),
        (
            "near",
            QuestionType.MULTI,
            False,
            "Что рядом",
            "Можно несколько",
            [{"key": "playground", "name": "Детская площадка"}, {"key": "entrance", "name": "Подъезд"}],
        ),
    ]
    for order, (code, datatype, required, description, hint, values) in enumerate(questions, start=1):
        TopicQuestion.objects.create(
            topic=topic,
            code=code,
            datatype=datatype,
            required=required,
            description=description,
            datatype_description=hint,
            order=order,
            values=values,
        )
    return topic


VALID_ANSWERS = {"attribute[where]": "У третьего подъезда", "attribute[kind]": "household"}


def photo_file(name="photo.jpg", size=(640, 480)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 120, 100)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def url(path: str, fmt: str) -> str:
    return f"{BASE}{path}.{fmt}"


FORM_ENCODED = "application/x-www-form-urlencoded; charset=utf-8"


def post_form(client, path: str, data: dict):
    """POST a body the way the standard's example does: form-encoded, a
    list value as the same key repeated (attribute[code][]=a&attribute[code][]=b)."""
    return client.post(path, urlencode(data, doseq=True), content_type=FORM_ENCODED)


def body(response):
    """The parsed document: ElementTree root for XML, Python for JSON."""
    content_type = response["Content-Type"]
    if content_type == "text/xml; charset=utf-8":
        text = response.content.decode("utf-8")
        assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
        root = ET.fromstring(response.content)
        assert "xmlns" not in text and not root.tag.startswith("{")
        return root
    assert content_type == "application/json; charset=utf-8"
    return json.loads(response.content)


def rows(response, item: str = "request") -> list[dict]:
    """The documents' repeated elements as dicts of strings, whatever the
    format (XML text; JSON values must already be strings or null there)."""
    parsed = body(response)
    if isinstance(parsed, list):
        return parsed
    return [{child.tag: child.text for child in element} for element in parsed.findall(item)]


def errors(response, status: int) -> list[str]:
    """The standard's error list; every error's code is the HTTP status."""
    assert response.status_code == status, response.content.decode()
    parsed = body(response)
    if isinstance(parsed, list):
        assert parsed and all(set(e) == {"code", "description"} and e["code"] == status for e in parsed)
        return [e["description"] for e in parsed]
    assert parsed.tag == "errors"
    found = parsed.findall("error")
    assert found and all(e.findtext("code") == str(status) for e in found)
    return [e.findtext("description") for e in found]
