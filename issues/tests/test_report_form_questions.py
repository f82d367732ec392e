"""The web form asks the chosen topic's extra questions and keeps the
answers on the report; a bad or missing answer is shown at its question and
nothing is stored."""

import uuid

import pytest

from issues.models import QuestionType, Report, Topic, TopicQuestion
from tests.factories import RED_SQUARE, UserFactory

pytestmark = pytest.mark.django_db
URL = "/report/new/"


@pytest.fixture
def topic():
    topic = Topic.objects.get(code="yard-not-cleaned")
    Topic.objects.filter(pk=topic.pk).update(photo_required=False)
    topic.refresh_from_db()
    TopicQuestion.objects.create(
        topic=topic,
        code="where",
        datatype=QuestionType.STRING,
        required=True,
        description="Где именно",
        order=1,
    )
    TopicQuestion.objects.create(
        topic=topic,
        code="near",
        datatype=QuestionType.MULTI,
        description="Что рядом",
        order=2,
        values=[{"key": "playground", "name": "Детская площадка"}, {"key": "entrance", "name": "Подъезд"}],
    )
    TopicQuestion.objects.create(
        topic=topic, code="seen", datatype=QuestionType.DATETIME, description="Когда заметили", order=3
    )
    return topic


@pytest.fixture
def resident(client):
    user = UserFactory()
    client.force_login(user)
    return user


def form_data(topic, **extra):
    return {
        "topic": topic.pk,
        "lat": RED_SQUARE.y,
        "lon": RED_SQUARE.x,
        "description": "Мусор",
        "submission_key": str(uuid.uuid4()),
        **extra,
    }


def test_the_form_shows_the_questions_grouped_by_topic(client, resident, topic):
    html = client.get(URL).content.decode()
    assert f'data-topic="{topic.pk}"' in html
    assert "Где именно" in html and "Детская площадка" in html
    assert f'name="q_{topic.pk}_seen"' in html and 'type="datetime-local"' in html


def test_the_answers_are_stored_on_the_report(client, resident, topic):
    response = client.post(
        URL,
        form_data(
            topic,
            **{
                f"q_{topic.pk}_where": "у качелей",
                f"q_{topic.pk}_near": ["playground", "entrance"],
                f"q_{topic.pk}_seen": "2026-11-20T10:30",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get()
    assert report.question_answers == {
        "where": "у качелей",
        "near": ["playground", "entrance"],
        "seen": "2026-11-20T10:30:00+03:00",
    }


def test_a_missing_required_answer_is_shown_at_its_question(client, resident, topic):
    response = client.post(URL, form_data(topic, **{f"q_{topic.pk}_seen": "вчера"}))
    assert response.status_code == 200
    form = response.context["form"]
    assert "ответ обязателен" in str(form.errors[f"q_{topic.pk}_where"])
    assert "не дата" in str(form.errors[f"q_{topic.pk}_seen"])
    assert not Report.objects.exists()


def test_answers_to_another_topics_questions_are_ignored(client, resident, topic):
    other = (
        Topic.objects.filter(photo_required=False, needs_building=False, season=None)
        .exclude(pk=topic.pk)
        .first()
    )
    response = client.post(URL, form_data(other, **{f"q_{topic.pk}_where": "неважно"}))
    assert response.status_code == 302
    assert Report.objects.get().question_answers == {}


def test_the_offered_topics_come_with_their_questions_in_order(topic, django_assert_num_queries):
    from issues.questions import questions_of
    from issues.topics import available_topics

    with django_assert_num_queries(2):  # the topic(s), then all their questions
        [one] = available_topics(topic.pk)
    with django_assert_num_queries(0):
        assert [q.code for q in questions_of(one)] == ["where", "near", "seen"]
        assert all(q.topic is one for q in questions_of(one))
    everything = available_topics()
    assert [q.code for q in questions_of(next(t for t in everything if t.pk == topic.pk))] == [
        "where",
        "near",
        "seen",
    ]
    assert all(questions_of(t) == [] for t in everything if t.pk != topic.pk and not t.questions.exists())
