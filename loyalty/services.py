"""Every change of points: awards, redemptions, donations, loading codes.

Each change runs in one transaction that first locks the user's Account row
(SELECT ... FOR UPDATE), so that for one user awards and spends happen one
after another: the daily cap and the balance are computed from the ledger
inside the lock and cannot be overtaken by a concurrent request. The ledger
is only ever inserted into; its constraints (one award per report, one spend
per client key, one entry per code) hold even if this code were bypassed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Capability, can
from issues.models import Answer, EventKind, Outcome, ReportEvent
from loyalty import selectors
from loyalty.errors import (
    FundUnavailable,
    InsufficientPoints,
    InvalidAmount,
    InvalidCodes,
    KeyReused,
    NotAMember,
    OutOfStock,
    RewardUnavailable,
)
from loyalty.models import (
    Account,
    Code,
    Donation,
    Entry,
    Fund,
    ProgrammeSettings,
    Reason,
    Reward,
    TopicPoints,
)

logger = logging.getLogger(__name__)

# Outcomes of a published answer that confirm the defect.
CONFIRMING_OUTCOMES = (Outcome.DONE, Outcome.PLANNED)
MAX_DONATION = 1_000_000


def _lock_account(user_id: int) -> Account:
    """Lock the user's account row, making it on first use. Everything that
    changes the user's points holds this lock until its transaction ends."""
    account = Account.objects.select_for_update().filter(user_id=user_id).first()
    if account is None:
        # Two first-ever requests at once: the second insert waits for the
        # first to commit, fails on the unique key and reads the row instead.
        Account.objects.get_or_create(user_id=user_id)
        account = Account.objects.select_for_update().get(user_id=user_id)
    return account


def _require_member(user) -> None:
    if not can(user, Capability.EARN_POINTS):
        raise NotAMember()


# --- Earning -----------------------------------------------------------------


def points_for_topic(topic_id: int, programme: ProgrammeSettings | None = None) -> int:
    own = TopicPoints.objects.filter(topic_id=topic_id).values_list("points", flat=True).first()
    if own is not None:
        return own
    return (programme or ProgrammeSettings.load()).report_points


def _award(
    user_id: int, amount: int, reason: Reason, programme: ProgrammeSettings, once: dict, **refs
) -> Entry | None:
    """Credit `amount` (cut to what the daily cap leaves) once per `once` (the
    fields of the unique constraint). Returns the new entry, or None when
    this award was made before (a replayed event).

    An award cut by the cap is recorded with what fitted, possibly zero, and
    its nominal amount: the event has been honoured and a replay (tomorrow,
    under a fresh cap) does not pay it again."""
    with transaction.atomic():
        _lock_account(user_id)
        granted = amount
        if programme.daily_cap:
            room = max(programme.daily_cap - selectors.earned_today(user_id), 0)
            granted = min(amount, room)
        try:
            # A savepoint: the unique constraint turns a replay into a no-op
            # without spoiling an enclosing transaction.
            with transaction.atomic():
                return Entry.objects.create(
                    user_id=user_id,
                    amount=granted,
                    reason=reason,
                    nominal=amount if granted != amount else None,
                    **once,
                    **refs,
                )
        except IntegrityError:
            # Only the award made before is a replay; any other refusal is a bug.
            if Entry.objects.filter(reason=reason, **once).exists():
                return None
            raise


def award_for_answer(event_id: int) -> Entry | None:
    """Points to the report's author for an answer published with an outcome
    that confirms the defect (done or planned). Once per report: a replay of
    the event, or a later answer to the same report, adds nothing."""
    event = (
        ReportEvent.objects.select_related("report__author")
        .filter(pk=event_id, kind=EventKind.ANSWER_PUBLISHED)
        .first()
    )
    if event is None:
        return None
    outcome = (
        Answer.objects.filter(pk=event.payload.get("answer"), report_id=event.report_id)
        .values_list("outcome", flat=True)
        .first()
    ) or event.payload.get("outcome")
    report = event.report
    if outcome not in CONFIRMING_OUTCOMES or not can(report.author, Capability.EARN_POINTS):
        return None
    programme = ProgrammeSettings.load()
    amount = points_for_topic(report.topic_id, programme)
    if amount <= 0:
        return None
    return _award(
        report.author_id,
        amount,
        Reason.REPORT_CONFIRMED,
        programme,
        once={"report_id": report.pk},
        event_id=event.pk,
    )


def award_for_inspection(inspection_id: int) -> Entry | None:
    """Points to the volunteer for an inspection the editorial team accepted;
    once per inspection however often the signal is replayed."""
    from volunteers.models import Inspection

    inspection = (
        Inspection.objects.select_related("volunteer")
        .filter(pk=inspection_id, status=Inspection.Status.ACCEPTED, volunteer__isnull=False)
        .first()
    )
    if inspection is None or not can(inspection.volunteer, Capability.EARN_POINTS):
        return None
    programme = ProgrammeSettings.load()
    if programme.inspection_points <= 0:
        return None
    return _award(
        inspection.volunteer_id,
        programme.inspection_points,
        Reason.INSPECTION_ACCEPTED,
        programme,
        once={"inspection_id": inspection.pk},
        report_id=inspection.report_id,
    )


# --- Spending ----------------------------------------------------------------


def _replayed(user_id: int, key: uuid.UUID | None, reason: Reason) -> Entry | None:
    """The entry this client key already paid for (a second click, a resent
    form), read under the account lock."""
    if key is None:
        return None
    entry = (
        Entry.objects.select_related("code__reward", "donation__fund")
        .filter(user_id=user_id, key=key)
        .first()
    )
    if entry is not None and entry.reason != reason:
        raise KeyReused()
    return entry


def _check_balance(user_id: int, needed: int) -> None:
    available = selectors.balance(user_id)
    if available < needed:
        raise InsufficientPoints(needed, available)


@transaction.atomic
def redeem(user, reward_id: int, key: uuid.UUID | None = None) -> Code:
    """Spend the reward's price and hand out one unused code, in one
    transaction. With a key, the same request sent again returns the code it
    got the first time and spends nothing more."""
    _require_member(user)
    _lock_account(user.pk)
    done = _replayed(user.pk, key, Reason.REWARD)
    if done is not None:
        if done.reward_id != reward_id:
            raise KeyReused()
        return done.code
    reward = Reward.objects.filter(pk=reward_id, is_active=True).first()
    if reward is None:
        raise RewardUnavailable()
    _check_balance(user.pk, reward.price)
    # Another user's redemption may hold a code row right now: skip it and
    # take the next, instead of waiting for it (or getting the same code).
    code = (
        Code.objects.select_for_update(skip_locked=True)
        .filter(reward=reward, issued_to__isnull=True)
        .order_by("pk")
        .first()
    )
    if code is None:
        raise OutOfStock(reward.title)
    code.issued_to, code.issued_at = user, timezone.now()
    code.save(update_fields=["issued_to", "issued_at"])
    Entry.objects.create(
        user=user, amount=-reward.price, reason=Reason.REWARD, reward=reward, code=code, key=key
    )
    return code


def _amount(value) -> int:
    try:
        amount = int(value)
    except (TypeError, ValueError):
        raise InvalidAmount() from None
    if isinstance(value, float) and value != amount:
        raise InvalidAmount()
    if amount < 1:
        raise InvalidAmount()
    if amount > MAX_DONATION:
        raise InvalidAmount(f"Не больше {MAX_DONATION} баллов за раз.")
    return amount


@transaction.atomic
def donate(user, fund_id: int, amount: int, key: uuid.UUID | None = None) -> Donation:
    """Give points to a charity fund. With a key, the same form sent again
    returns the first donation and gives nothing more."""
    _require_member(user)
    amount = _amount(amount)
    _lock_account(user.pk)
    done = _replayed(user.pk, key, Reason.DONATION)
    if done is not None:
        if done.donation.fund_id != fund_id or done.donation.amount != amount:
            raise KeyReused()
        return done.donation
    fund = Fund.objects.filter(pk=fund_id, is_active=True).first()
    if fund is None:
        raise FundUnavailable()
    _check_balance(user.pk, amount)
    donation = Donation.objects.create(user=user, fund=fund, amount=amount)
    Entry.objects.create(user=user, amount=-amount, reason=Reason.DONATION, donation=donation, key=key)
    return donation


# --- Stock -------------------------------------------------------------------


def parse_codes(text: str | Iterable[str]) -> list[str]:
    """One code a line; blanks dropped, spaces around trimmed, repeats kept once."""
    lines = text.splitlines() if isinstance(text, str) else text
    seen: dict[str, None] = {}
    for line in lines:
        value = line.strip()
        if value:
            seen.setdefault(value, None)
    return list(seen)


def load_codes(reward: Reward, text: str | Iterable[str]) -> tuple[int, int]:
    """Add the codes not yet in the reward's stock. Returns (added, skipped):
    skipped counts repeats within the upload and codes already loaded."""
    values = parse_codes(text)
    too_long = [v for v in values if len(v) > Code._meta.get_field("value").max_length]
    if too_long:
        raise InvalidCodes(
            f"Слишком длинный код (больше {Code._meta.get_field('value').max_length} знаков): «{too_long[0][:40]}…»"
        )
    total = len([line for line in (text.splitlines() if isinstance(text, str) else text) if line.strip()])
    with transaction.atomic():
        before = Code.objects.filter(reward=reward).count()
        # ON CONFLICT DO NOTHING: codes loaded before (or by a parallel upload) are skipped.
        Code.objects.bulk_create(
            [Code(reward=reward, value=v) for v in values], ignore_conflicts=True, batch_size=500
        )
        added = Code.objects.filter(reward=reward).count() - before
    return added, total - added
