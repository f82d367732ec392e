"""The loyalty programme («Миллион призов»): an append-only ledger of points,
the rewards of partners with their stock of codes, and charity funds.

A user's balance is the sum of their ledger entries; nothing else stores it.
Every change of points goes through loyalty.services, which locks the user's
Account row first, so that concurrent awards and spends are serialized per
user.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


class ProgrammeSettings(models.Model):
    """The programme's numbers, edited in the admin (one row, pk=1)."""

    report_points = models.PositiveIntegerField(
        "баллов за подтверждённое сообщение",
        default=10,
        help_text="Для тем, у которых не задано своё число баллов.",
    )
    inspection_points = models.PositiveIntegerField("баллов за принятую проверку", default=20)
    daily_cap = models.PositiveIntegerField(
        "лимит начислений в сутки",
        default=100,
        help_text="Сколько баллов один пользователь может получить за календарные сутки (по Москве). "
        "Начисление сверх лимита записывается урезанным до остатка лимита (или нулём) и не повторяется.",
    )

    class Meta:
        verbose_name = "настройки программы"
        verbose_name_plural = "настройки программы"

    def __str__(self) -> str:
        return "Настройки программы «Миллион призов»"

    @classmethod
    def load(cls) -> ProgrammeSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class TopicPoints(models.Model):
    """Points for a confirmed report of one topic (kept here so that issues
    knows nothing of loyalty)."""

    topic = models.OneToOneField(
        "issues.Topic", verbose_name="тема", on_delete=models.CASCADE, related_name="loyalty_points"
    )
    points = models.PositiveIntegerField("баллов")

    class Meta:
        verbose_name = "баллы за тему"
        verbose_name_plural = "баллы за темы"
        ordering = ["topic__name"]

    def __str__(self) -> str:
        return f"{self.topic}: {self.points}"


class Account(models.Model):
    """The row that is locked (SELECT ... FOR UPDATE) before any change of a
    user's points: two awards cannot both fit under the daily cap, and two
    spends cannot both pass the balance check. It holds no balance."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loyalty_account"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "счёт"
        verbose_name_plural = "счета"

    def __str__(self) -> str:
        return str(self.user)


class Reward(models.Model):
    """A partner's reward: its codes (Code) are handed out one per redemption."""

    class Kind(models.TextChoices):
        PROMO = "promo", "промокод"
        MUSEUM = "museum", "билет в музей"
        PARK = "park", "билет в парк"
        OTHER = "other", "другое"

    title = models.CharField("название", max_length=200)
    partner = models.CharField("партнёр", max_length=200)
    kind = models.CharField("вид", max_length=20, choices=Kind.choices, default=Kind.PROMO)
    description = models.TextField("описание", blank=True)
    how_to_use = models.TextField("как воспользоваться", blank=True)
    price = models.PositiveIntegerField("цена, баллов", validators=[MinValueValidator(1)])
    is_active = models.BooleanField("в каталоге", default=True)
    position = models.PositiveSmallIntegerField("порядок", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "поощрение"
        verbose_name_plural = "поощрения"
        ordering = ["position", "price", "title"]
        constraints = [models.CheckConstraint(name="reward_price_positive", condition=models.Q(price__gte=1))]

    def __str__(self) -> str:
        return f"{self.title} ({self.partner})"


class Code(models.Model):
    """One promo code or ticket number of a reward, loaded by an administrator.
    Issued once: issued_to is set under the row's lock, and the ledger entry
    that pays for it refers to it through a one-to-one key."""

    reward = models.ForeignKey(
        Reward, verbose_name="поощрение", on_delete=models.PROTECT, related_name="codes"
    )
    value = models.CharField("код", max_length=200)
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кому выдан",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loyalty_codes",
    )
    issued_at = models.DateTimeField("выдан", null=True, blank=True)
    loaded_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        verbose_name = "код"
        verbose_name_plural = "коды"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["reward", "value"], name="code_unique_per_reward"),
            models.CheckConstraint(
                name="code_issued_consistent",
                condition=models.Q(issued_to__isnull=True, issued_at__isnull=True)
                | models.Q(issued_to__isnull=False, issued_at__isnull=False),
            ),
        ]
        indexes = [
            # Redemption picks the oldest unused code of a reward; the catalog counts them.
            models.Index(
                fields=["reward", "id"], condition=models.Q(issued_to__isnull=True), name="code_unused"
            ),
        ]

    def __str__(self) -> str:
        return self.value


class Fund(models.Model):
    """A charity fund that accepts donations of points."""

    name = models.CharField("название", max_length=200, unique=True)
    description = models.TextField("описание", blank=True)
    url = models.URLField("сайт", blank=True)
    is_active = models.BooleanField("принимает пожертвования", default=True)
    position = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "благотворительный фонд"
        verbose_name_plural = "благотворительные фонды"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Donation(models.Model):
    """Points given to a fund; paid for by one negative ledger entry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="donations")
    fund = models.ForeignKey(Fund, verbose_name="фонд", on_delete=models.PROTECT, related_name="donations")
    amount = models.PositiveIntegerField("баллов")
    created_at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "пожертвование"
        verbose_name_plural = "пожертвования"
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(name="donation_positive", condition=models.Q(amount__gte=1))]

    def __str__(self) -> str:
        return f"{self.amount} → {self.fund}"


class Reason(models.TextChoices):
    REPORT_CONFIRMED = "report_confirmed", "Сообщение подтверждено исполнителем"
    INSPECTION_ACCEPTED = "inspection_accepted", "Проверка принята"
    REWARD = "reward", "Получено поощрение"
    DONATION = "donation", "Пожертвование в фонд"


EARNING_REASONS = (Reason.REPORT_CONFIRMED, Reason.INSPECTION_ACCEPTED)
SPENDING_REASONS = (Reason.REWARD, Reason.DONATION)


class Entry(models.Model):
    """One line of the append-only ledger. Rows are only ever inserted (by
    loyalty.services); the admin shows them read-only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="пользователь", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.IntegerField("баллов")
    reason = models.CharField("за что", max_length=30, choices=Reason.choices)
    # What the entry concerns: one of these, by reason (see the constraints).
    report = models.ForeignKey(
        "issues.Report",
        verbose_name="сообщение",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event = models.ForeignKey(
        "issues.ReportEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(
        "volunteers.Inspection",
        verbose_name="проверка",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reward = models.ForeignKey(
        Reward, verbose_name="поощрение", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.OneToOneField(
        Code, verbose_name="код", null=True, blank=True, on_delete=models.PROTECT, related_name="entry"
    )
    donation = models.OneToOneField(
        Donation, null=True, blank=True, on_delete=models.PROTECT, related_name="entry"
    )
    # An award cut by the daily cap keeps what it would have been.
    nominal = models.PositiveIntegerField("полагалось баллов", null=True, blank=True)
    # The client's key for a spend: the same form sent twice spends once.
    key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "запись журнала баллов"
        verbose_name_plural = "журнал баллов"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A report earns its author points once, however often its answer
            # is published or the event announced again.
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(reason="report_confirmed"),
                name="entry_report_award_once",
            ),
            # A volunteer is paid once per accepted inspection.
            models.UniqueConstraint(
                fields=["inspection"],
                condition=models.Q(reason="inspection_accepted"),
                name="entry_inspection_award_once",
            ),
            models.UniqueConstraint(
                fields=["user", "key"], condition=models.Q(key__isnull=False), name="entry_user_key_once"
            ),
            # Earnings are never negative (zero when the daily cap was reached),
            # spends always are.
            models.CheckConstraint(
                name="entry_amount_sign",
                condition=models.Q(reason__in=["report_confirmed", "inspection_accepted"], amount__gte=0)
                | models.Q(reason__in=["reward", "donation"], amount__lt=0),
            ),
            models.CheckConstraint(
                name="entry_report_award_has_report",
                condition=~models.Q(reason="report_confirmed") | models.Q(report__isnull=False),
            ),
            models.CheckConstraint(
                name="entry_inspection_award_has_inspection",
                condition=~models.Q(reason="inspection_accepted") | models.Q(inspection__isnull=False),
            ),
            models.CheckConstraint(
                name="entry_reward_has_code",
                condition=~models.Q(reason="reward") | models.Q(code__isnull=False, reward__isnull=False),
            ),
            models.CheckConstraint(
                name="entry_donation_has_donation",
                condition=~models.Q(reason="donation") | models.Q(donation__isnull=False),
            ),
        ]
        indexes = [
            # The balance (sum by user), «Мои баллы» (newest first) and the daily cap (since midnight).
            models.Index(fields=["user", "-created_at"], name="entry_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.get_reason_display()}"

    @property
    def capped(self) -> bool:
        return self.nominal is not None and self.nominal != self.amount
