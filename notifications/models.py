from django.conf import settings
from django.db import models
from django.utils import timezone


class Category(models.TextChoices):
    """Which of the user's e-mail preferences governs a notice."""

    STATUS = "status", "статус моих сообщений"
    ANSWERS = "answers", "ответы организаций"
    WORK = "work", "работа организации"


# The accounts.User field that says whether a category goes out by e-mail too.
# The in-portal notice is made whatever the preference.
EMAIL_PREFERENCE: dict[str, str] = {
    Category.STATUS: "notify_email_status",
    Category.ANSWERS: "notify_email_answers",
    Category.WORK: "notify_email_work",
}


class Notification(models.Model):
    """An in-portal notice to one user, made from a report's event by
    notifications.subscribers; the bell counts the unread ones. When the
    user wanted it by e-mail too (`email_due`), a task sends the letter and
    `emailed_at` records that it was claimed for sending."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="получатель",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    report = models.ForeignKey(
        "issues.Report",
        verbose_name="сообщение",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    event = models.ForeignKey(
        "issues.ReportEvent",
        verbose_name="событие",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The event's kind (issues.models.EventKind) for notices made from events.
    kind = models.CharField("вид", max_length=30)
    category = models.CharField("категория", max_length=20, choices=Category.choices)
    title = models.CharField("заголовок", max_length=200)
    text = models.TextField("текст", blank=True)
    url = models.CharField("ссылка", max_length=500, blank=True, help_text="Путь на портале, от «/».")
    created_at = models.DateTimeField("создано", default=timezone.now)
    read_at = models.DateTimeField("прочитано", null=True, blank=True)
    # Decided from the user's preference when the notice was made; the task
    # checks the preference again before sending.
    email_due = models.BooleanField("отправить письмо", default=False)
    # Set by a conditional UPDATE … WHERE emailed_at IS NULL just before the
    # letter is handed to the mail server: of two workers, one sends.
    emailed_at = models.DateTimeField("письмо отправлено", null=True, blank=True)

    class Meta:
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The bell on every page: SELECT COUNT(*) … WHERE user_id = %s AND
            # read_at IS NULL; and «mark all read», the UPDATE with the same WHERE.
            models.Index(fields=["user", "read_at"], name="notice_user_read"),
            # /notifications/: a user's notices, newest first, a page at a time.
            models.Index(fields=["user", "-created_at"], name="notice_user_created"),
            # The e-mail sweep: notices whose letter is due and not sent, by age.
            models.Index(
                fields=["created_at"],
                condition=models.Q(email_due=True, emailed_at__isnull=True),
                name="notice_email_pending",
            ),
        ]
        constraints = [
            # A replayed event (the hook run twice, a retried subscriber) makes
            # no second notice: bulk_create(ignore_conflicts=True) skips it.
            models.UniqueConstraint(fields=["user", "event"], name="notice_one_per_user_event"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
