"""Volunteers and their inspections (общественные проверки).

A resident applies (Application), a moderator approves them (Volunteer,
and the user's role becomes «волонтёр») or declines; a volunteer can be
suspended. An Inspection is a task to check on site whether a report's
problem was really fixed: open in the pool, taken by one volunteer for a
limited time, submitted with a verdict and photos, then accepted or declined
by the editorial team. Only volunteers.services writes these states.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

# Inspections that still hold their report: at most one per report.
ACTIVE_STATUSES = ("open", "taken", "submitted")


class Application(models.Model):
    """A resident's request to become a volunteer."""

    class Status(models.TextChoices):
        PENDING = "pending", "на рассмотрении"
        APPROVED = "approved", "одобрена"
        DECLINED = "declined", "отклонена"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="заявитель",
        on_delete=models.CASCADE,
        related_name="volunteer_applications",
    )
    motivation = models.TextField("почему хотите стать волонтёром", max_length=2000)
    district = models.ForeignKey(
        "places.District",
        verbose_name="район, где готовы проверять",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField("статус", max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("решение принято", null=True, blank=True)
    comment = models.TextField("комментарий редакции", blank=True)
    created_at = models.DateTimeField("подана", auto_now_add=True)

    class Meta:
        verbose_name = "заявка волонтёра"
        verbose_name_plural = "заявки волонтёров"
        ordering = ["created_at", "pk"]
        constraints = [
            # A second click cannot file a second application while one waits.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="volunteer_application_one_pending",
            ),
        ]
        indexes = [
            # The desk's queue of applications awaiting a decision, oldest first.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending"),
                name="volunteer_application_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"Заявка №{self.pk} ({self.get_status_display()})"


class Volunteer(models.Model):
    """An approved volunteer: their standing and whether they may inspect."""

    class Status(models.TextChoices):
        ACTIVE = "active", "активен"
        SUSPENDED = "suspended", "приостановлен"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="пользователь",
        on_delete=models.CASCADE,
        related_name="volunteer",
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField("статус", max_length=20, choices=Status.choices, default=Status.ACTIVE)
    approved_at = models.DateTimeField("одобрен")
    suspended_at = models.DateTimeField("приостановлен", null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suspension_reason = models.TextField("причина приостановки", blank=True)
    # Tasks taken and let go: given back, or kept past their time (part of the standing).
    lapsed_count = models.PositiveIntegerField("задач не выполнено в срок", default=0)

    class Meta:
        verbose_name = "волонтёр"
        verbose_name_plural = "волонтёры"
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Inspection(models.Model):
    """A task to check on site whether a report's problem was fixed."""

    class Status(models.TextChoices):
        OPEN = "open", "ждёт волонтёра"
        TAKEN = "taken", "взята волонтёром"
        SUBMITTED = "submitted", "ждёт решения редакции"
        ACCEPTED = "accepted", "принята"
        DECLINED = "declined", "отклонена редакцией"
        CANCELLED = "cancelled", "отменена"

    class Source(models.TextChoices):
        ORDERED = "ordered", "назначена редакцией"
        SAMPLE = "sample", "выборочная проверка"

    class Verdict(models.TextChoices):
        FIXED = "fixed", "Устранено"
        PARTLY = "partly", "Устранено частично"
        NOT_FIXED = "not_fixed", "Не устранено"

    report = models.ForeignKey(
        "issues.Report", verbose_name="сообщение", on_delete=models.CASCADE, related_name="inspections"
    )
    # The published answer being checked, when there is one (a sample is drawn per answer).
    answer = models.ForeignKey(
        "issues.Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="inspections"
    )
    source = models.CharField("основание", max_length=20, choices=Source.choices, default=Source.ORDERED)
    status = models.CharField("статус", max_length=20, choices=Status.choices, default=Status.OPEN)
    note = models.TextField("задание редакции", max_length=2000, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="волонтёр",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    taken_at = models.DateTimeField("взята", null=True, blank=True)
    taken_until = models.DateTimeField("взята до", null=True, blank=True)
    verdict = models.CharField("вердикт", max_length=20, choices=Verdict.choices, blank=True)
    comment = models.TextField("комментарий волонтёра", max_length=4000, blank=True)
    submitted_at = models.DateTimeField("отправлена", null=True, blank=True)
    # How many of the verdict's photos were taken more than FAR_METRES from the report.
    far_photos = models.PositiveSmallIntegerField("фото далеко от места", default=0)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("рассмотрена", null=True, blank=True)
    review_comment = models.TextField("комментарий редакции", blank=True)
    # When the editorial team sent the report back to the organization on this verdict.
    returned_at = models.DateTimeField("возвращено исполнителю", null=True, blank=True)
    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)

    class Meta:
        verbose_name = "общественная проверка"
        verbose_name_plural = "общественные проверки"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One live inspection per report: ordering twice, or the sample
            # drawing a report already under inspection, adds nothing.
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="inspection_one_active_per_report",
            ),
            # The sample draws each published answer at most once, however often it runs.
            models.UniqueConstraint(
                fields=["answer"],
                condition=models.Q(source="sample"),
                name="inspection_sample_once_per_answer",
            ),
            models.CheckConstraint(
                name="inspection_taken_has_volunteer",
                condition=~models.Q(status="taken")
                | models.Q(volunteer__isnull=False, taken_until__isnull=False),
            ),
            models.CheckConstraint(
                name="inspection_decided_has_verdict",
                condition=~models.Q(status__in=["submitted", "accepted", "declined"]) | ~models.Q(verdict=""),
            ),
        ]
        indexes = [
            # The pool: open tasks, and taken ones whose time ran out (release_expired).
            models.Index(fields=["status", "taken_until"], name="inspection_pool"),
            # The desk's queue of verdicts awaiting review, oldest first.
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(status="submitted"),
                name="inspection_review_queue",
            ),
            # A volunteer's page: their inspections, newest first.
            models.Index(fields=["volunteer", "-created_at"], name="inspection_by_volunteer"),
        ]

    def __str__(self) -> str:
        return f"Проверка №{self.pk} ({self.get_status_display()})"

    @property
    def needs_return(self) -> bool:
        return self.verdict in (self.Verdict.NOT_FIXED, self.Verdict.PARTLY)


class InspectionPhoto(models.Model):
    """A photo of a verdict (an issues.Photo of the report, role «inspection»)
    and how far from the report its original said it was taken."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="inspection_photos")
    photo = models.OneToOneField("issues.Photo", on_delete=models.CASCADE, related_name="inspection_link")
    # Metres from the report's point to the photo's EXIF position; null when the photo had none.
    distance_m = models.FloatField("расстояние до места, м", null=True, blank=True)
    is_far = models.BooleanField("далеко от места", default=False)

    class Meta:
        verbose_name = "фото проверки"
        verbose_name_plural = "фото проверок"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Фото {self.photo_id} проверки №{self.inspection_id}"
