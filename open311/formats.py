"""One document, two formats: XML and JSON the way GeoReport v2 shows them.

A document is a root element name and a value: a dict (child elements in
order), `Many` (a container of repeated elements: <services><service/>…,
a JSON array) or a scalar. XML starts with the declaration and has no
namespace; JSON follows the Spark convention, as the standard does: the
root is dropped, a container of repeated elements is an array even with one
element, an empty element is null, booleans are booleans. Datetimes are W3C
with their offset and no fractions, in Moscow time.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET  # noqa: S405 - building XML, never parsing it

from django.http import HttpResponse
from django.utils import timezone

XML, JSON = "xml", "json"
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# Characters XML 1.0 cannot carry at all (a stray control character in a
# description would otherwise make the whole document unreadable).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Many:
    item: str
    items: list


def w3c(value: dt.datetime) -> str:
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3c(value)
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, Many):
        for item in value.items:
            _fill(ET.SubElement(element, value.item), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value) -> str:
    element = ET.Element(root)
    _fill(element, value)
    ET.indent(element)
    return DECLARATION + ET.tostring(element, encoding="unicode") + "\n"


def _plain(value):
    if isinstance(value, dict):
        return {name: _plain(child) for name, child in value.items()}
    if isinstance(value, Many):
        return [_plain(item) for item in value.items]
    if isinstance(value, dt.datetime):
        return w3c(value)
    return value


def to_json(value) -> str:
    # Compact: the C encoder (indent would switch to the pure-Python one, 10x slower).
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


def render(fmt: str, root: str, value, status: int = 200) -> HttpResponse:
    body = to_json(value) if fmt == JSON else to_xml(root, value)
    return HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, errors: list[tuple[int, str]], status: int) -> HttpResponse:
    document = Many("error", [{"code": code, "description": description} for code, description in errors])
    return render(fmt, "errors", document, status=status)
