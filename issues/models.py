import datetime
import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models.fields.json import KeyTransform

from organizations.models import Kind as OrganizationKind

_month_day = RegexValidator(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", "Формат ММ-ДД, например 05-25.")


class TopicGroup(models.Model):
    """An object type: «Жилой дом», «Двор», «Дороги и тротуары» …"""

    code = models.SlugField("код", max_length=40, unique=True)
    name = models.CharField("название", max_length=120, unique=True)
    position = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "группа тем"
        verbose_name_plural = "группы тем"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SeasonalProject(models.Model):
    """A seasonal project («Безопасное лето», «Зима»): its topics are offered
    only between two dates of every year (the window may wrap the new year)."""

    code = models.SlugField("код", max_length=40, unique=True)
    name = models.CharField("название", max_length=120)
    starts = models.CharField("начало (ММ-ДД)", max_length=5, validators=[_month_day])
    ends = models.CharField("конец (ММ-ДД)", max_length=5, validators=[_month_day])

    class Meta:
        verbose_name = "сезонный проект"
        verbose_name_plural = "сезонные проекты"

    def __str__(self) -> str:
        return self.name

    def is_open(self, day: datetime.date) -> bool:
        md = day.strftime("%m-%d")
        if self.starts <= self.ends:
            return self.starts <= md <= self.ends
        return md >= self.starts or md <= self.ends


class Topic(models.Model):
    code = models.SlugField("код", max_length=60, unique=True)
    group = models.ForeignKey(
        TopicGroup, verbose_name="группа", on_delete=models.PROTECT, related_name="topics"
    )
    name = models.CharField("название", max_length=200, unique=True)
    hint = models.TextField("подсказка", blank=True)
    responsible_kind = models.CharField(
        "тип ответственной организации", max_length=30, choices=OrganizationKind.choices
    )
    responsible_code = models.SlugField(
        "код ответственной организации",
        max_length=80,
        blank=True,
        help_text="Для тем, за которые отвечает одна городская организация (например, mossvet).",
    )
    deadline_days = models.PositiveSmallIntegerField(
        "срок, дней", default=8, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    calendar_days = models.BooleanField("календарные дни", default=False, help_text="Иначе рабочие.")
    photo_required = models.BooleanField("фото обязательно", default=True)
    needs_building = models.BooleanField("нужен дом", default=False, help_text="Тема о жилом доме.")
    season = models.ForeignKey(
        SeasonalProject,
        verbose_name="сезонный проект",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
    )
    is_active = models.BooleanField("активна", default=True)
    position = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "тема"
        verbose_name_plural = "темы"
        ordering = ["group__position", "position", "name"]
        constraints = [
            models.CheckConstraint(name="topic_deadline_positive", condition=models.Q(deadline_days__gte=1)),
        ]

    def __str__(self) -> str:
        return self.name

    def is_available(self, day: datetime.date) -> bool:
        return self.is_active and (self.season is None or self.season.is_open(day))


class QuestionType(models.TextChoices):
    """The datatypes of Open311 GeoReport v2 service attributes."""

    STRING = "string", "строка"
    NUMBER = "number", "число"
    DATETIME = "datetime", "дата и время"
    TEXT = "text", "текст"
    SINGLE = "singlevaluelist", "один вариант из списка"
    MULTI = "multivaluelist", "несколько вариантов из списка"


LIST_QUESTION_TYPES = (QuestionType.SINGLE, QuestionType.MULTI)
_question_code = RegexValidator(r"^[A-Za-z0-9_-]+$", "Латинские буквы, цифры, «_» и «-».")


class TopicQuestion(models.Model):
    """An extra question a topic asks the reporter («Этаж», «Номер подъезда»):
    the web form shows it and Open311 publishes it as a service attribute.
    The answers are kept on the report (Report.question_answers, by code) and
    checked by issues.questions."""

    topic = models.ForeignKey(Topic, verbose_name="тема", on_delete=models.CASCADE, related_name="questions")
    code = models.CharField("код", max_length=40, validators=[_question_code])
    datatype = models.CharField("тип ответа", max_length=20, choices=QuestionType.choices)
    required = models.BooleanField("обязательный", default=False)
    description = models.CharField("вопрос", max_length=300)
    datatype_description = models.CharField("подсказка к ответу", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField("порядок", default=1, validators=[MinValueValidator(1)])
    values = models.JSONField(
        "варианты",
        default=list,
        blank=True,
        help_text='Для списков: [{"key": "1", "name": "Первый подъезд"}, …]; ключ — латиница или цифры.',
    )
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "вопрос темы"
        verbose_name_plural = "вопросы темы"
        ordering = ["topic", "order"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "code"], name="topic_question_code_unique"),
            models.UniqueConstraint(fields=["topic", "order"], name="topic_question_order_unique"),
            models.CheckConstraint(name="topic_question_order_positive", condition=models.Q(order__gte=1)),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_list(self) -> bool:
        return self.datatype in LIST_QUESTION_TYPES

    def value_names(self) -> dict[str, str]:
        return {str(v["key"]): str(v["name"]) for v in self.values or []}

    def clean(self):
        from django.core.exceptions import ValidationError

        values = self.values or []
        if not isinstance(values, list) or not all(
            isinstance(v, dict) and str(v.get("key", "")).strip() and str(v.get("name", "")).strip()
            for v in values
        ):
            raise ValidationError({"values": "Каждый вариант — объект с непустыми key и name."})
        keys = [str(v["key"]).strip() for v in values]
        if len(set(keys)) != len(keys):
            raise ValidationError({"values": "Ключи вариантов повторяются."})
        if self.is_list and not values:
            raise ValidationError({"values": "Для вопроса-списка нужны варианты."})
        if not self.is_list and values:
            raise ValidationError({"values": "Варианты бывают только у вопросов-списков."})
        self.values = [
            {"key": key, "name": str(v["name"]).strip()} for key, v in zip(keys, values, strict=True)
        ]


class Status(models.TextChoices):
    MODERATION = "moderation", "На модерации"
    IN_WORK = "in_work", "В работе"
    ANSWER_REVIEW = "answer_review", "Ответ на проверке"
    ANSWERED = "answered", "Получен ответ"
    DISPUTED = "disputed", "Опровергнуто"
    RESOLVED = "resolved", "Решено"
    REJECTED = "rejected", "Отклонено"
    DUPLICATE = "duplicate", "Дубликат"


# A status's label by its value, for the pages that write rows from plain columns.
STATUS_LABELS = dict(Status.choices)
OPEN_STATUSES = (Status.IN_WORK, Status.ANSWER_REVIEW, Status.ANSWERED, Status.DISPUTED)
PUBLISHED_STATUSES = (*OPEN_STATUSES, Status.RESOLVED)
FINAL_STATUSES = (Status.RESOLVED, Status.REJECTED, Status.DUPLICATE)
# In work and overdue or escalated: the editorial overdue queue, and the
# condition of the partial index that serves it (report_queue_overdue).
OVERDUE_Q = models.Q(status=Status.IN_WORK) & (models.Q(is_overdue=True) | models.Q(escalation_level__gt=0))


class Report(models.Model):
    """A resident's report of a problem. Its status changes only through the
    functions of issues.services; each change writes a ReportEvent."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="автор", on_delete=models.PROTECT, related_name="reports"
    )
    topic = models.ForeignKey(Topic, verbose_name="тема", on_delete=models.PROTECT, related_name="reports")
    status = models.CharField("статус", max_length=20, choices=Status.choices, default=Status.MODERATION)
    point = models.PointField("точка", srid=4326)
    address = models.CharField("адрес", max_length=300, blank=True)
    building = models.ForeignKey(
        "places.Building",
        verbose_name="дом",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    district = models.ForeignKey(
        "places.District", verbose_name="район", on_delete=models.PROTECT, related_name="reports"
    )
    okrug = models.ForeignKey(
        "places.Okrug", verbose_name="округ", on_delete=models.PROTECT, related_name="reports"
    )
    description = models.TextField("описание", max_length=2000, blank=True)
    # The answers to the topic's extra questions, by question code (checked
    # by issues.questions): a string, a number, an ISO datetime or a list of keys.
    question_answers = models.JSONField("ответы на вопросы темы", default=dict, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="исполнитель",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="дубликат сообщения",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    # The client's key for this submission: a double click or a resent form
    # finds the report already made instead of making a second one.
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    created_at = models.DateTimeField("создано", auto_now_add=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)
    published_at = models.DateTimeField("опубликовано", null=True, blank=True)
    deadline = models.DateTimeField("срок ответа", null=True, blank=True)
    planned_date = models.DateField("плановая дата", null=True, blank=True)
    answered_at = models.DateTimeField("ответ дан", null=True, blank=True)
    closed_at = models.DateTimeField("закрыто", null=True, blank=True)
    is_overdue = models.BooleanField("просрочено", default=False)
    escalation_level = models.PositiveSmallIntegerField("уровень эскалации", default=0)
    escalated_at = models.DateTimeField("эскалировано", null=True, blank=True)
    next_escalation_at = models.DateTimeField("следующая эскалация", null=True, blank=True)
    reminded_at = models.DateTimeField("напоминание отправлено", null=True, blank=True)
    verdict_due = models.DateTimeField("ждём оценку автора до", null=True, blank=True)
    # Times a dispute sent the report back to the organization: the second
    # return escalates to the supervisor.
    returns_count = models.PositiveSmallIntegerField("возвратов исполнителю", default=0)

    class Meta:
        verbose_name = "сообщение"
        verbose_name_plural = "сообщения"
        ordering = ["-created_at"]
        indexes = [
            # «Мои сообщения»: an author's reports, newest first.
            models.Index(fields=["author", "-created_at"], name="report_author_created"),
            # Editorial queue and back-office lists: by status, then age/deadline.
            models.Index(fields=["status", "created_at"], name="report_status_created"),
            models.Index(fields=["organization", "status", "deadline"], name="report_org_status_deadline"),
            # The back office's list of all open reports, in deadline order: read
            # off the index instead of sorting all of them (8,000 for a
            # city-wide organization at 1,000,000 reports: 21 to 0.1 ms).
            models.Index(
                fields=["organization", "deadline", "id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="report_office_open",
            ),
            # The back office's topic and district filters: the distinct topics
            # (districts) of an organization's reports, one index probe each.
            models.Index(fields=["organization", "topic"], name="report_org_topic"),
            models.Index(fields=["organization", "district"], name="report_org_district"),
            # The scheduler: open reports whose deadline is near or past.
            models.Index(fields=["status", "deadline"], name="report_status_deadline"),
            # Duplicate hint: open reports of one topic.
            models.Index(fields=["topic", "status"], name="report_topic_status"),
            # The scheduler's auto-close: answered reports whose verdict window ended.
            models.Index(fields=["status", "verdict_due"], name="report_status_verdict_due"),
            # The scheduler's overdue mark: in work, not yet overdue, by deadline.
            models.Index(
                fields=["deadline"],
                condition=models.Q(status="in_work", is_overdue=False),
                name="report_due_overdue",
            ),
            # The scheduler's second escalation: only reports that have one ahead.
            models.Index(
                fields=["next_escalation_at"],
                condition=models.Q(next_escalation_at__isnull=False),
                name="report_next_escalation",
            ),
            # The editorial queues, each in its own order: a page of 20 is read
            # off the index instead of sorting the whole queue (70,000 answers
            # in review at 1,000,000 reports: 143 to 0.03 ms), and the overdue
            # count needs no heap (104 to 6 ms).
            models.Index(
                fields=["answered_at", "id"],
                condition=models.Q(status=Status.ANSWER_REVIEW),
                name="report_queue_answers",
            ),
            models.Index(
                fields=["updated_at", "id"],
                condition=models.Q(status=Status.DISPUTED),
                name="report_queue_disputes",
            ),
            models.Index(
                fields=["deadline", "id"],
                condition=OVERDUE_Q,
                name="report_queue_overdue",
            ),
        ]

    def __str__(self) -> str:
        return f"№{self.pk} {self.topic}"

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES

    @property
    def number(self) -> str:
        # Plain digits: what a resident types into a search or quotes on the phone.
        return str(self.pk) if self.pk else ""


class EventKind(models.TextChoices):
    CREATED = "created", "Сообщение отправлено"
    PUBLISHED = "published", "Опубликовано и направлено исполнителю"
    REJECTED = "rejected", "Отклонено модератором"
    MERGED = "merged", "Объединено с другим сообщением"
    TOPIC_CHANGED = "topic_changed", "Изменена тема"
    POINT_CHANGED = "point_changed", "Уточнено место"
    ANSWERED = "answered", "Исполнитель дал ответ"
    ANSWER_PUBLISHED = "answer_published", "Ответ опубликован"
    ANSWER_RETURNED = "answer_returned", "Ответ возвращён исполнителю"
    CONFIRMED = "confirmed", "Автор подтвердил решение"
    FIX_REJECTED = "fix_rejected", "Автор опроверг решение"
    RETURNED = "returned", "Возвращено исполнителю"
    DISPUTE_DISMISSED = "dispute_dismissed", "Опровержение отклонено"
    REDIRECT_REQUESTED = "redirect_requested", "Запрошена переадресация"
    REDIRECTED = "redirected", "Переадресовано"
    REDIRECT_REFUSED = "redirect_refused", "В переадресации отказано"
    POSTPONE_REQUESTED = "postpone_requested", "Запрошен перенос срока"
    POSTPONED = "postponed", "Срок перенесён"
    POSTPONE_REFUSED = "postpone_refused", "В переносе срока отказано"
    REMINDED = "reminded", "Исполнителю напомнили о сроке"
    OVERDUE = "overdue", "Срок ответа истёк"
    ESCALATED = "escalated", "Передано в контролирующий орган"
    AUTO_CLOSED = "auto_closed", "Закрыто: автор не ответил в срок"
    INSPECTION = "inspection", "Общественная проверка"


class ReportEvent(models.Model):
    """Append-only log of what happened to a report: the timeline, the source
    of statistics and of notifications."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("событие", max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_events",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Исполнитель в момент события.",
    )
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    reason = models.CharField("причина", max_length=100, blank=True)
    text = models.TextField("текст", blank=True)
    payload = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField("в публичной ленте", default=True)
    created_at = models.DateTimeField("когда", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "событие"
        verbose_name_plural = "события"
        ordering = ["created_at", "pk"]
        indexes = [
            # A report's timeline.
            models.Index(fields=["report", "created_at"], name="event_report_created"),
            # A supervisor's escalations: escalated events naming their organization, newest first.
            models.Index(
                KeyTransform("supervisor_id", "payload"),
                models.F("created_at").desc(),
                condition=models.Q(kind="escalated"),
                name="event_escalation_supervisor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d.%m.%Y %H:%M})"


def _photo_path(instance, filename):
    return f"photos/{uuid.uuid4().hex[:2]}/{filename}"


class Photo(models.Model):
    """A photo of a report, an answer, a rejected fix or an inspection. The
    stored file has been decoded, turned upright and re-encoded with no
    metadata (issues.photos)."""

    class Role(models.TextChoices):
        REPORT = "report", "фото проблемы"
        ANSWER = "answer", "фото «после»"
        DISPUTE = "dispute", "фото к опровержению"
        INSPECTION = "inspection", "фото проверки"

    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(
        ReportEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.REPORT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image = models.ImageField(upload_to=_photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=_photo_path, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    # Where the original said it was taken (from its EXIF, which the stored
    # file no longer carries); used to check a volunteer's photo, never shown.
    taken_at_point = models.PointField(srid=4326, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "фото"
        verbose_name_plural = "фото"
        ordering = ["pk"]
        indexes = [
            # The thumbnail sweep: photos still without a thumbnail, by age.
            models.Index(
                fields=["-created_at"], condition=models.Q(thumbnail=""), name="photo_without_thumbnail"
            ),
        ]

    def __str__(self) -> str:
        return self.image.name


class Follower(models.Model):
    """A resident who follows a report (theirs is followed implicitly): they
    get its notices, and it shows under «Мои сообщения»."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_reports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "подписчик"
        verbose_name_plural = "подписчики"
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="follower_unique")]


class Outcome(models.TextChoices):
    DONE = "done", "Выполнено"
    PLANNED = "planned", "Запланировано"
    NO_VIOLATION = "no_violation", "Нарушение не выявлено"


class Answer(models.Model):
    """An organization's answer to a report; the editorial team publishes it
    or returns it."""

    class State(models.TextChoices):
        REVIEW = "review", "на проверке"
        PUBLISHED = "published", "опубликован"
        RETURNED = "returned", "возвращён"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="answers")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="answers"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="answers")
    outcome = models.CharField("результат", max_length=20, choices=Outcome.choices)
    text = models.TextField("текст ответа", max_length=4000)
    planned_date = models.DateField("плановая дата", null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.REVIEW)
    moderator_comment = models.TextField("комментарий редакции", blank=True)
    event = models.OneToOneField(
        ReportEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="answer"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ответ"
        verbose_name_plural = "ответы"
        ordering = ["created_at"]
        constraints = [
            # At most one answer awaits the editorial team per report.
            models.UniqueConstraint(
                fields=["report"], condition=models.Q(state="review"), name="answer_one_in_review"
            ),
        ]


class OrganizationRequest(models.Model):
    """An organization asks to redirect a report that is not theirs, or to
    postpone its deadline; the editorial team grants or refuses."""

    class Kind(models.TextChoices):
        REDIRECT = "redirect", "переадресация"
        POSTPONE = "postpone", "перенос срока"

    class State(models.TextChoices):
        PENDING = "pending", "ожидает решения"
        GRANTED = "granted", "удовлетворён"
        REFUSED = "refused", "отклонён"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="requests_made"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("причина", max_length=2000)
    planned_date = models.DateField("плановая дата", null=True, blank=True)
    suggested_organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField("комментарий редакции", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "запрос исполнителя"
        verbose_name_plural = "запросы исполнителей"
        ordering = ["created_at"]
        constraints = [
            # A second click cannot file the same request twice.
            models.UniqueConstraint(
                fields=["report", "kind"], condition=models.Q(state="pending"), name="request_one_pending"
            ),
            models.CheckConstraint(
                name="postpone_has_date",
                condition=~models.Q(kind="postpone") | models.Q(planned_date__isnull=False),
            ),
        ]
