from django.db import models

from issues.models import Outcome


class ResponseTemplateQuerySet(models.QuerySet):
    def for_topic(self, topic):
        """The active templates offered for a report of this topic: the
        topic's own first, then the generic ones (no topic)."""
        return (
            self.filter(is_active=True)
            .filter(models.Q(topic=topic) | models.Q(topic__isnull=True))
            .order_by(models.F("topic").asc(nulls_last=True), "outcome", "title", "pk")
        )


class ResponseTemplate(models.Model):
    """A ready answer text that the staff pick and then adjust; kept by an
    administrator in the Django admin."""

    topic = models.ForeignKey(
        "issues.Topic",
        verbose_name="тема",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="response_templates",
        help_text="Пусто — шаблон для любой темы.",
    )
    outcome = models.CharField("результат", max_length=20, choices=Outcome.choices)
    title = models.CharField("название", max_length=120)
    text = models.TextField("текст ответа", max_length=4000)
    is_active = models.BooleanField("действует", default=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    objects = ResponseTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = "шаблон ответа"
        verbose_name_plural = "шаблоны ответов"
        ordering = ["topic__name", "outcome", "title"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "outcome", "title"], name="response_template_unique"),
        ]
        indexes = [
            # The answer form: the active templates of one topic (and the generic ones).
            models.Index(fields=["topic", "is_active"], name="response_template_topic"),
        ]

    def __str__(self) -> str:
        return self.title
