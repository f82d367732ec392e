"""A topic's extra questions: what the catalog seeds, what the admin may
save, and how issues.questions checks the answers for the web form and
Open311 alike (every bad answer reported at once; nothing stored)."""

import pytest
from django.core.exceptions import ValidationError

from issues.catalog import QUESTIONS_FILE, load_questions, read_catalog
from issues.models import QuestionType, Report, Topic, TopicQuestion
from issues.questions import AnswerError, answers_display, clean_answers
from tests.factories import UserFactory, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    topic = Topic.objects.get(code="yard-not-cleaned")
    make = TopicQuestion.objects.create
    make(topic=topic, code="where", datatype=QuestionType.STRING, required=True, description="Где", order=1)
    make(topic=topic, code="bags", datatype=QuestionType.NUMBER, description="Сколько мешков", order=2)
    make(topic=topic, code="seen", datatype=QuestionType.DATETIME, description="Когда", order=3)
    make(topic=topic, code="text", datatype=QuestionType.TEXT, description="Подробности", order=4)
    make(
        topic=topic,
        code="kind",
        datatype=QuestionType.SINGLE,
        required=True,
        description="Что",
        order=5,
        values=[{"key": "a", "name": "Бытовой"}, {"key": "b", "name": "Строительный"}],
    )
    make(
        topic=topic,
        code="near",
        datatype=QuestionType.MULTI,
        description="Рядом",
        order=6,
        values=[{"key": "p", "name": "Площадка"}, {"key": "e", "name": "Подъезд"}],
    )
    return topic


def test_the_catalog_seeds_optional_questions_and_a_rerun_changes_nothing():
    rows = read_catalog(QUESTIONS_FILE)
    assert TopicQuestion.objects.count() == len(rows) > 0
    # Seeded questions are optional: reports made without answers (demo city,
    # other clients) stay valid.
    assert not TopicQuestion.objects.filter(required=True).exists()
    lists = TopicQuestion.objects.filter(datatype__in=["singlevaluelist", "multivaluelist"])
    assert lists.exists() and all(q.values and {"key", "name"} <= set(q.values[0]) for q in lists)
    again = load_questions()
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))


def test_answers_are_cleaned_to_their_types(topic):
    cleaned = clean_answers(
        topic,
        {
            "where": [" у подъезда "],
            "bags": ["2,5"],
            "seen": ["2026-11-20T10:00"],
            "text": ["a\r\nb"],
            "kind": ["b"],
            "near": ["e", "p", "e"],
            "unknown": ["ignored"],
        },
    )
    assert cleaned == {
        "where": "у подъезда",
        "bags": 2.5,
        "seen": "2026-11-20T10:00:00+03:00",
        "text": "a\nb",
        "kind": "b",
        "near": ["e", "p"],
    }
    assert clean_answers(topic, {"where": ["x"], "kind": ["a"], "bags": ["3"], "seen": ["2026-11-20"]}) == {
        "where": "x",
        "kind": "a",
        "bags": 3,
        "seen": "2026-11-20T00:00:00+03:00",
    }


def test_every_bad_answer_is_reported_at_once(topic):
    with pytest.raises(ValidationError) as caught:
        clean_answers(topic, {"where": [""], "bags": ["NaN"], "kind": ["a", "b"], "near": ["x"]})
    problems = caught.value.error_list
    assert all(isinstance(p, AnswerError) for p in problems)
    assert [(p.question, p.code) for p in problems] == [
        ("where", "answer_required"),
        ("bags", "answer_invalid"),
        ("kind", "answer_single_value"),
        ("near", "answer_not_in_list"),
    ]


def test_a_report_keeps_its_answers_and_a_bad_one_stores_nothing(topic):
    resident = UserFactory()
    report = submit(resident, topic, answers={"where": ["у качелей"], "kind": ["a"]})
    assert Report.objects.get(pk=report.pk).question_answers == {"where": "у качелей", "kind": "a"}
    assert answers_display(topic, report.question_answers)[1][1] == "Бытовой"
    with pytest.raises(ValidationError):
        submit(resident, topic, answers={"where": ["у качелей"]})
    assert Report.objects.count() == 1


def test_a_topic_without_questions_takes_no_answers():
    report = submit(UserFactory(), Topic.objects.get(code="road-potholes"), answers={"x": ["y"]})
    assert report.question_answers == {}


@pytest.mark.parametrize(
    ("datatype", "values", "message"),
    [
        (QuestionType.SINGLE, [], "нужны варианты"),
        (QuestionType.STRING, [{"key": "a", "name": "A"}], "только у вопросов-списков"),
        (QuestionType.MULTI, [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}], "повторяются"),
        (QuestionType.MULTI, [{"key": "", "name": "A"}], "непустыми"),
    ],
)
def test_the_admin_cannot_save_a_question_with_bad_values(datatype, values, message):
    question = TopicQuestion(
        topic=Topic.objects.get(code="road-potholes"),
        code="q",
        datatype=datatype,
        description="?",
        values=values,
    )
    with pytest.raises(ValidationError, match=message):
        question.full_clean()
