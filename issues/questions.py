"""The answers to a topic's extra questions (TopicQuestion): one check for
the web form and for Open311 service attributes.

`clean_answers(topic, raw)` takes what the client sent, by question code, as
lists of strings (one string for most types, several for a multi-value list)
and returns what is stored on the report: a string, a number, an ISO 8601
datetime with its offset, or a list of keys. Every problem is reported at
once, each as a DomainError naming its question; codes the topic does not ask
about are ignored, as Open311 ignores unknown parameters.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import dateparse, timezone

from issues.errors import DomainError
from issues.models import QuestionType, Topic, TopicQuestion

MAX_STRING = 300
MAX_TEXT = 2000


class AnswerError(DomainError):
    """One question's answer refused; `question` is its code."""

    def __init__(self, question: TopicQuestion, message: str, code: str):
        super().__init__(f"«{question.description}» ({question.code}): {message}", code, field=question.code)
        self.question = question.code


def ordered_questions() -> Prefetch:
    """A topic's questions in their order, read with the topics
    (prefetch_related): questions_of() then takes them from the topic."""
    return Prefetch(
        "questions", queryset=TopicQuestion.objects.order_by("order", "pk"), to_attr="ordered_questions"
    )


def questions_of(topic: Topic) -> list[TopicQuestion]:
    if hasattr(topic, "ordered_questions"):
        return topic.ordered_questions
    return list(topic.questions.order_by("order", "pk"))


def clean_answers(
    topic: Topic, raw: Mapping[str, Iterable[str]], questions: list[TopicQuestion] | None = None
) -> dict:
    """The stored answers, or ValidationError listing an AnswerError per question."""
    questions = questions_of(topic) if questions is None else questions
    cleaned, errors = {}, []
    for question in questions:
        values = [str(v).strip() for v in raw.get(question.code, ()) if v is not None]
        # An empty parameter is the same as one not sent (Open311's rule).
        values = [v for v in values if v]
        if not values:
            if question.required:
                errors.append(AnswerError(question, "ответ обязателен.", "answer_required"))
            continue
        try:
            cleaned[question.code] = _clean(question, values)
        except AnswerError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean(question: TopicQuestion, values: list[str]):
    if question.datatype == QuestionType.MULTI:
        return _keys(question, values)
    if len(values) > 1:
        raise AnswerError(question, "здесь возможен только один ответ.", "answer_single_value")
    value = values[0]
    match question.datatype:
        case QuestionType.STRING:
            if "\n" in value or "\r" in value:
                raise AnswerError(question, "ответ должен быть одной строкой.", "answer_invalid")
            return _limited(question, value, MAX_STRING)
        case QuestionType.TEXT:
            return _limited(question, value.replace("\r\n", "\n"), MAX_TEXT)
        case QuestionType.NUMBER:
            return _number(question, value)
        case QuestionType.DATETIME:
            return _datetime(question, value)
        case QuestionType.SINGLE:
            return _keys(question, values)[0]
    raise AnswerError(question, "неизвестный тип вопроса.", "answer_invalid")


def _limited(question: TopicQuestion, value: str, limit: int) -> str:
    if len(value) > limit:
        raise AnswerError(question, f"ответ длиннее {limit} символов.", "answer_too_long")
    return value


def _number(question: TopicQuestion, value: str) -> int | float:
    try:
        number = Decimal(value.replace(",", ".", 1) if value.count(",") == 1 and "." not in value else value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not math.isfinite(float(number)):
        raise AnswerError(question, f"«{value[:40]}» — не число.", "answer_invalid")
    return int(number) if number == number.to_integral_value() and abs(number) < 2**53 else float(number)


def _datetime(question: TopicQuestion, value: str) -> str:
    """ISO 8601: a date, or a date and time; without an offset, Moscow time."""
    parsed: dt.datetime | None = None
    try:
        parsed = dateparse.parse_datetime(value)
        if parsed is None and (day := dateparse.parse_date(value)) is not None:
            parsed = dt.datetime.combine(day, dt.time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise AnswerError(
            question,
            f"«{value[:40]}» — не дата ISO 8601 (например, 2026-05-25T14:30:00+03:00).",
            "answer_invalid",
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed.isoformat(timespec="seconds")


def _keys(question: TopicQuestion, values: list[str]) -> list[str]:
    allowed = question.value_names()
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise AnswerError(
            question,
            f"нет варианта «{unknown[0][:40]}»; возможны: {', '.join(allowed)}.",
            "answer_not_in_list",
        )
    return list(dict.fromkeys(values))


def answers_display(topic: Topic, answers: Mapping, questions: list[TopicQuestion] | None = None) -> list:
    """(question, shown answer) pairs for a report's page, in question order."""
    questions = questions_of(topic) if questions is None else questions
    shown = []
    for question in questions:
        if question.code not in answers:
            continue
        value = answers[question.code]
        if question.is_list:
            names = question.value_names()
            keys = value if isinstance(value, list) else [value]
            value = ", ".join(names.get(str(k), str(k)) for k in keys)
        shown.append((question, value))
    return shown
