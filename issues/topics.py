"""The topic catalog as every filing reads it: a copy per process, checked
against a version kept in the cache.

A filing needs its topic (with the group, the season and the extra
questions); read from the database, that is two queries and their ORM cost
on every report. The catalog changes a few times a year, so each process
keeps the active topics, their groups, seasons and questions, and before
using its copy reads one key from the cache: the catalog's version. Saving
or deleting a topic, a group, a seasonal project or a question writes a new
version (issues.apps connects `catalog_changed` to their signals), at once
and again after the commit, so a process that read the old rows between
the two takes the new ones on its next request.

Where the version cannot be read (Redis away: the forgiving cache answers
None), the catalog is read from the database, as before. A write that sends
no signal (a queryset's update(), raw SQL) must call `catalog_changed()`
itself; COPY_MAX_AGE bounds how long a copy is trusted all the same.

The Topic instances are shared by the requests of a process: read them,
never change them.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from issues.models import Topic, TopicQuestion

VERSION_KEY = "issues:topic-catalog-version"
COPY_MAX_AGE = 300.0  # seconds


@dataclass(frozen=True)
class _Copy:
    version: str
    read_at: float
    topics: tuple[Topic, ...]
    by_pk: dict[int, Topic]


_copy: _Copy | None = None


def read_active_topics() -> list[Topic]:
    """The active topics in the catalog's order, each with its group, season
    and `ordered_questions` (what issues.questions.questions_of reads)."""
    topics = list(Topic.objects.select_related("group", "season").filter(is_active=True))
    by_topic = {t.pk: t for t in topics}
    for topic in topics:
        topic.ordered_questions = []
    if by_topic:
        for question in TopicQuestion.objects.filter(topic__in=list(by_topic)).order_by("order", "pk"):
            question.topic = by_topic[question.topic_id]
            question.topic.ordered_questions.append(question)
    return topics


def current_version() -> str | None:
    """The catalog's version, written now if the cache has none (a Redis
    emptied or restarted); None when the cache cannot be read."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def active_topics() -> tuple[tuple[Topic, ...], dict[int, Topic]]:
    """The active topics (in order, and by pk), from this process's copy
    while the cache's version is the copy's."""
    global _copy
    version = current_version()
    copy = _copy
    now = time.monotonic()
    if copy is not None and copy_holds(copy.version, copy.read_at, version, COPY_MAX_AGE):
        return copy.topics, copy.by_pk
    topics = tuple(read_active_topics())
    by_pk = {t.pk: t for t in topics}
    # Kept only under a version read before the rows (a change committed
    # after that read moves the version, and the next request reads again),
    # and not when read inside a transaction of its own, which may yet roll
    # back what it wrote.
    _copy = _Copy(version, now, topics, by_pk) if version is not None and not in_transaction() else None
    return topics, by_pk


def copy_holds(copy_version: str, read_at: float, version: str | None, max_age: float) -> bool:
    """Whether a per-process copy read under `copy_version` at `read_at`
    (time.monotonic) may still be used: the cache's version is still its
    own (None, unreadable, never is) and it is younger than `max_age`."""
    return version is not None and copy_version == version and time.monotonic() - read_at < max_age


def in_transaction() -> bool:
    """In an atomic block other than a test case's (whose rollback is the
    test's end: the tests' cache, and with it the version, is emptied then)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def available_topics(pk: int | None = None) -> list[Topic]:
    """The topics a resident can report under today (or the one with this
    pk, if it is one of them), with their extra questions."""
    today = timezone.localdate()
    topics, by_pk = active_topics()
    if pk is not None:
        topic = by_pk.get(pk)
        return [topic] if topic is not None and topic.is_available(today) else []
    return [t for t in topics if t.is_available(today)]


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def catalog_changed(**kwargs) -> None:
    """A topic, group, season or question was written: every process reads
    the catalog again. Now, for this transaction's own later reads, and
    after the commit, for the processes that read between the two."""
    global _copy
    _copy = None
    _new_version()
    transaction.on_commit(_new_version)
