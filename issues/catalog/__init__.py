"""The project's own topic catalog (topics.csv beside this file), the
topics' extra questions (questions.csv) and their loaders."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from issues.models import SeasonalProject, Topic, TopicGroup, TopicQuestion
from places.importers import ImportResult, changed_fields

CATALOG_FILE = Path(__file__).with_name("topics.csv")
QUESTIONS_FILE = Path(__file__).with_name("questions.csv")

GROUPS = [
    ("building", "Жилой дом"),
    ("yard", "Двор"),
    ("roads", "Дороги и тротуары"),
    ("transport", "Общественный транспорт"),
    ("parks", "Парки и скверы"),
    ("institutions", "Учреждения"),
    ("school-grounds", "Спортивные и детские площадки на территории школ"),
    ("ecology", "Экология и благоустройство"),
    ("trade", "Торговля и услуги"),
    ("clocks", "Городские часы"),
]
SEASONS = [
    ("winter", "Зима", "11-01", "04-15"),
    ("safe-summer", "Безопасное лето", "05-25", "09-30"),
]


def _flag(value: str) -> bool:
    return value.strip() == "1"


def read_catalog(path: Path = CATALOG_FILE) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@transaction.atomic
def load_catalog(path: Path = CATALOG_FILE, update: bool = False) -> ImportResult:
    """Create the groups, seasonal projects and topics of the catalog file.

    Topics already in the database are left as the administrator edited them
    unless `update` is set, which makes them match the file again.
    """
    result = ImportResult()
    groups = {}
    for position, (code, name) in enumerate(GROUPS):
        groups[code], _ = TopicGroup.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
    seasons = {}
    for code, name, starts, ends in SEASONS:
        seasons[code], _ = SeasonalProject.objects.get_or_create(
            code=code, defaults={"name": name, "starts": starts, "ends": ends}
        )
    existing = {t.code: t for t in Topic.objects.all()}
    for position, row in enumerate(read_catalog(path)):
        values = {
            "group": groups[row["group"]],
            "name": row["name"].strip(),
            "hint": row["hint"].strip(),
            "responsible_kind": row["responsible_kind"].strip(),
            "responsible_code": row["responsible_code"].strip(),
            "deadline_days": int(row["deadline_days"]),
            "calendar_days": _flag(row["calendar_days"]),
            "photo_required": _flag(row["photo_required"]),
            "needs_building": _flag(row["needs_building"]),
            "season": seasons[row["season"]] if row["season"].strip() else None,
            "position": position,
        }
        topic = existing.get(row["code"])
        if topic is None:
            Topic.objects.create(code=row["code"], **values)
            result.created += 1
            continue
        changed = changed_fields(topic, values) if update else []
        if not changed:
            result.unchanged += 1
            continue
        for name in changed:
            setattr(topic, name, values[name])
        topic.save(update_fields=changed)
        result.updated += 1
    return result


def _values(text: str) -> list[dict]:
    """ "key:name|key:name" -> [{"key": ..., "name": ...}, ...]."""
    pairs = [item.split(":", 1) for item in text.split("|") if item.strip()]
    return [{"key": key.strip(), "name": name.strip()} for key, name in pairs]


@transaction.atomic
def load_questions(path: Path = QUESTIONS_FILE, update: bool = False) -> ImportResult:
    """Create the topics' extra questions of the file (a topic missing from
    the database is skipped). Questions already there are left as the
    administrator edited them unless `update` is set."""
    result = ImportResult()
    topics = {t.code: t for t in Topic.objects.all()}
    existing = {(q.topic.code, q.code): q for q in TopicQuestion.objects.select_related("topic")}
    for row in read_catalog(path):
        topic = topics.get(row["topic"].strip())
        if topic is None:
            result.skipped += 1
            result.notes.append(f"нет темы {row['topic']}")
            continue
        values = {
            "datatype": row["datatype"].strip(),
            "required": _flag(row["required"]),
            "order": int(row["order"]),
            "description": row["description"].strip(),
            "datatype_description": row["datatype_description"].strip(),
            "values": _values(row["values"]),
        }
        question = existing.get((topic.code, row["code"].strip()))
        if question is None:
            question = TopicQuestion(topic=topic, code=row["code"].strip(), **values)
            question.full_clean()
            question.save()
            result.created += 1
            continue
        changed = changed_fields(question, values) if update else []
        if not changed:
            result.unchanged += 1
            continue
        for name in changed:
            setattr(question, name, values[name])
        question.full_clean()
        question.save(update_fields=[*changed, "updated_at"])
        result.updated += 1
    return result
