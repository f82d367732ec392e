"""The process's copy of the topic catalog (issues.topics): read once, read
again after any change, never trusted without a version."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from issues import topics as catalog
from issues.models import QuestionType, SeasonalProject, Topic, TopicGroup, TopicQuestion
from tests.test_cache import redis_down  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    return (
        Topic.objects.filter(is_active=True, season__isnull=True, questions__isnull=True)
        .order_by("pk")
        .first()
    )


def offered(pk=None) -> set[int]:
    return {t.pk for t in catalog.available_topics(pk)}


def test_the_catalog_is_read_once_then_served_from_the_copy(topic, django_assert_num_queries):
    with django_assert_num_queries(2):  # the active topics, then their questions
        first = catalog.available_topics()
    with django_assert_num_queries(0):
        again = catalog.available_topics()
        [one] = catalog.available_topics(topic.pk)
    assert [t.pk for t in again] == [t.pk for t in first]
    assert one is next(t for t in again if t.pk == topic.pk)
    assert one.group.name and catalog.available_topics(-1) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda t: Topic.objects.filter(pk=t.pk).get().save(),
        lambda t: TopicGroup.objects.get(pk=t.group_id).save(),
        lambda t: SeasonalProject.objects.first().save(),
        lambda t: TopicQuestion.objects.create(
            topic=t, code="floor", order=2, datatype=QuestionType.NUMBER, description="Этаж"
        ),
        lambda t: TopicQuestion.objects.filter(topic=t).delete(),
    ],
    ids=["topic", "group", "season", "question-added", "questions-deleted"],
)
def test_every_change_to_the_catalog_is_read_again(topic, change, django_assert_num_queries):
    TopicQuestion.objects.create(topic=topic, code="seen", datatype=QuestionType.TEXT, description="Когда")
    catalog.available_topics()
    change(topic)
    with django_assert_num_queries(2):
        catalog.available_topics()


def test_a_hidden_topic_leaves_the_offer_and_a_new_question_joins_it(topic):
    assert topic.pk in offered()
    topic.is_active = False
    topic.save(update_fields=["is_active"])
    assert topic.pk not in offered() and offered(topic.pk) == set()
    other = (
        Topic.objects.filter(is_active=True, season__isnull=True, questions__isnull=True)
        .exclude(pk=topic.pk)
        .first()
    )
    TopicQuestion.objects.create(topic=other, code="floor", datatype=QuestionType.NUMBER, description="Этаж")
    [again] = catalog.available_topics(other.pk)
    assert [q.code for q in again.ordered_questions] == ["floor"]
    assert again.ordered_questions[0].topic is again


def test_a_write_without_a_signal_is_seen_once_announced(topic):
    assert topic.pk in offered()
    Topic.objects.filter(pk=topic.pk).update(is_active=False)  # no save(), no signal
    assert topic.pk in offered()  # the copy: that is why such a write must announce itself
    catalog.catalog_changed()
    assert topic.pk not in offered()


def test_a_copy_is_trusted_for_a_bounded_time_only(topic, monkeypatch):
    catalog.available_topics()
    Topic.objects.filter(pk=topic.pk).update(is_active=False)
    monkeypatch.setattr(catalog, "COPY_MAX_AGE", 0.0)
    assert topic.pk not in offered()


def test_an_emptied_cache_means_the_catalog_is_read_again(topic, django_assert_num_queries):
    catalog.available_topics()
    cache.clear()  # Redis restarted empty: whatever version the copy had is gone
    with django_assert_num_queries(2):
        catalog.available_topics()
    with django_assert_num_queries(0):
        catalog.available_topics()


def test_with_redis_down_the_catalog_is_read_from_the_database_every_time(
    redis_down,  # noqa: F811
    topic,
    django_assert_num_queries,
):
    for _ in range(2):
        with django_assert_num_queries(2):
            assert topic.pk in offered()


@pytest.mark.django_db(transaction=True)
def test_what_a_transaction_read_is_not_kept_when_it_rolls_back(topic, django_assert_num_queries):
    with pytest.raises(RuntimeError), transaction.atomic():
        topic.is_active = False
        topic.save(update_fields=["is_active"])
        assert topic.pk not in offered()  # its own write, inside
        raise RuntimeError("rolled back")
    assert topic.pk in offered()  # the rows as committed, not the copy of the rolled-back write
    with django_assert_num_queries(0):
        assert topic.pk in offered()
