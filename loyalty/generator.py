"""The points ledger of a generated city (manage.py generate_city runs
`generate_ledger` once after the reports and the inspections, through
settings.CITY_GENERATOR_EXTENSIONS).

Earnings are the rows loyalty.receivers would have written, made by one
INSERT ... SELECT over the generated events: the author's award for the first
published answer of a report that confirms the defect (done or planned), with
the topic's points, and the volunteer's award for each accepted inspection;
each at the moment of its event, with the same references and reasons, so the
ledger's unique constraints make a replay of the real receivers a no-op. The
daily cap is applied the way loyalty.services does it, as a window over each
user's Moscow day: an award gets what the day still has room for, possibly
zero, and keeps its nominal amount when cut. Spending (rewards with their
codes, donations to funds) comes after each user's last earning and never
exceeds the balance, so no balance goes below zero at any moment.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role
from issues.generator import GENERATED_DOMAIN, aware, copy_rows
from loyalty import demo
from loyalty.models import Account, Code, Donation, Entry, Fund, ProgrammeSettings, Reason, Reward
from loyalty.services import CONFIRMING_OUTCOMES

# Share of the users with enough points who redeem a reward, and who donate.
REDEEM_SHARE = 0.35
DONATE_SHARE = 0.15
UNUSED_CODES = 200
USER_SLICE = 50_000
MEMBER_ROLES = (Role.RESIDENT, Role.VOLUNTEER)  # those who may EARN_POINTS
ENTRY_COLUMNS = [
    "id",
    "user_id",
    "amount",
    "reason",
    "report_id",
    "event_id",
    "inspection_id",
    "reward_id",
    "code_id",
    "donation_id",
    "nominal",
    "key",
    "created_at",
]


def generate_ledger(reports: range, *, now: dt.datetime, seed: int) -> dict[str, int]:
    """Awards for the reports with ids in `reports` (and their inspections),
    then some spending by the generated users."""
    if not reports:
        return {}
    programme = ProgrammeSettings.load()
    counts: Counter = Counter()
    with transaction.atomic():
        counts["ledger awards"] = _award(reports, programme)
        _open_accounts()
    counts += _spend(now, random.Random(seed * 11 + 3))  # noqa: S311 - synthetic data
    counts["ledger entries"] = counts["ledger awards"] + counts["rewards redeemed"] + counts["donations"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Entry, Account, Code, Donation):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return dict(counts)


def _dialect() -> dict[str, str]:
    """The few expressions that differ between PostgreSQL and SQLite."""
    if connection.vendor == "postgresql":
        return {
            "outcome": "e.payload ->> 'outcome'",
            "day": "((%s AT TIME ZONE '" + settings.TIME_ZONE + "')::date)",
            "least": "LEAST",
            "greatest": "GREATEST",
        }
    # SQLite keeps UTC text; Moscow has had one offset since 2014.
    offset = timezone.localtime(timezone.now()).utcoffset().total_seconds() / 3600
    return {
        "outcome": "json_extract(e.payload, '$.outcome')",
        "day": "date(%s, '" + f"{offset:+.0f} hours" + "')",
        "least": "MIN",
        "greatest": "MAX",
    }


def _award(reports: range, programme: ProgrammeSettings) -> int:
    """One INSERT ... SELECT: every award the receivers would have made for
    these reports, cut by the daily cap where it applies."""
    d = _dialect()
    day = d["day"]
    cap = programme.daily_cap or 2**40  # no cap: room for everything
    roles = ", ".join(f"'{r}'" for r in MEMBER_ROLES)
    outcomes = ", ".join(f"'{o}'" for o in CONFIRMING_OUTCOMES)
    sql = f"""
        WITH confirming AS (
            SELECT e.id AS event_id, e.report_id, e.created_at,
                   ROW_NUMBER() OVER (PARTITION BY e.report_id ORDER BY e.created_at, e.id) AS nth
            FROM issues_reportevent e
            WHERE e.kind = 'answer_published' AND e.report_id >= %s AND e.report_id < %s
              AND {d["outcome"]} IN ({outcomes})
        ),
        earning AS (
            SELECT r.author_id AS user_id, COALESCE(tp.points, %s) AS nominal,
                   '{Reason.REPORT_CONFIRMED}' AS reason, c.report_id, c.event_id,
                   NULL AS inspection_id, c.created_at
            FROM confirming c
            JOIN issues_report r ON r.id = c.report_id
            JOIN accounts_user u ON u.id = r.author_id
            LEFT JOIN loyalty_topicpoints tp ON tp.topic_id = r.topic_id
            WHERE c.nth = 1 AND u.is_active AND u.role IN ({roles})
              AND NOT EXISTS (
                  SELECT 1 FROM loyalty_entry x
                  WHERE x.reason = '{Reason.REPORT_CONFIRMED}' AND x.report_id = c.report_id
              )
            UNION ALL
            SELECT i.volunteer_id, %s, '{Reason.INSPECTION_ACCEPTED}', i.report_id, NULL, i.id, i.reviewed_at
            FROM volunteers_inspection i
            JOIN accounts_user u ON u.id = i.volunteer_id
            WHERE i.status = 'accepted' AND i.report_id >= %s AND i.report_id < %s
              AND u.is_active AND u.role IN ({roles})
              AND NOT EXISTS (
                  SELECT 1 FROM loyalty_entry x
                  WHERE x.reason = '{Reason.INSPECTION_ACCEPTED}' AND x.inspection_id = i.id
              )
        ),
        dated AS (
            SELECT earning.*, {day % "earning.created_at"} AS day FROM earning WHERE nominal > 0
        ),
        held AS (
            -- What a user's day holds already (an earlier run): the cap counts it too.
            SELECT x.user_id, {day % "x.created_at"} AS day, SUM(x.amount) AS amount
            FROM loyalty_entry x
            WHERE x.reason IN ('{Reason.REPORT_CONFIRMED}', '{Reason.INSPECTION_ACCEPTED}')
              AND x.user_id IN (SELECT user_id FROM dated)
            GROUP BY x.user_id, {day % "x.created_at"}
        ),
        running AS (
            SELECT d.*, {d["greatest"]}(%s - COALESCE(h.amount, 0), 0) AS room,
                   SUM(d.nominal) OVER (
                       PARTITION BY d.user_id, d.day
                       ORDER BY d.created_at, d.reason, d.report_id, d.inspection_id
                       ROWS UNBOUNDED PRECEDING
                   ) AS total
            FROM dated d LEFT JOIN held h ON h.user_id = d.user_id AND h.day = d.day
        ),
        granted AS (
            -- Cut by the cap: what the day had room for; the sum over a day
            -- is min(room, nominal so far), exactly as awards made one by one.
            SELECT running.*,
                   {d["least"]}(room, total) - {d["least"]}(room, total - nominal) AS amount
            FROM running
        )
        INSERT INTO loyalty_entry
            (user_id, amount, reason, report_id, event_id, inspection_id, nominal, created_at)
        SELECT user_id, amount, reason, report_id, event_id, inspection_id,
               CASE WHEN amount <> nominal THEN nominal END, created_at
        FROM granted
    """  # noqa: S608 - constants of this module only
    params = [
        reports.start,
        reports.stop,
        programme.report_points,
        programme.inspection_points,
        reports.start,
        reports.stop,
        cap,
    ]
    earnings = Entry.objects.filter(reason__in=(Reason.REPORT_CONFIRMED, Reason.INSPECTION_ACCEPTED))
    before = earnings.count()  # SQLite reports no rowcount for an INSERT led by WITH
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return earnings.count() - before


def _open_accounts() -> None:
    """The per-user lock rows the services would have made on first use."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO loyalty_account (user_id, created_at)
            SELECT x.user_id, MIN(x.created_at) FROM loyalty_entry x
            WHERE NOT EXISTS (SELECT 1 FROM loyalty_account a WHERE a.user_id = x.user_id)
            GROUP BY x.user_id
            """
        )


def _catalog() -> tuple[list[Reward], list[Fund]]:
    """The demo partners' rewards and funds (the same ones load_demo_rewards makes)."""
    rewards = []
    for position, (title, partner, kind, price, how) in enumerate(demo.REWARDS):
        reward, _ = Reward.objects.get_or_create(
            title=title,
            defaults={
                "partner": partner,
                "kind": kind,
                "price": price,
                "how_to_use": how,
                "position": position,
            },
        )
        if reward.is_active:
            rewards.append(reward)
    for position, (name, description) in enumerate(demo.FUNDS):
        Fund.objects.get_or_create(name=name, defaults={"description": description, "position": position})
    return rewards, list(Fund.objects.filter(is_active=True))


def _spend(now: dt.datetime, rng: random.Random) -> Counter:
    """Some of the generated users with points redeem a reward (a code issued
    to them) or give to a fund, some time after their last entry: what they
    spend never exceeds their balance at that moment."""
    counts: Counter = Counter()
    with transaction.atomic():
        rewards, funds = _catalog()
    if not rewards and not funds:
        return counts
    cheapest = min([r.price for r in rewards] or [1])
    code_ids = itertools.count(_next_id(Code))
    donation_ids = itertools.count(_next_id(Donation))
    entry_ids = itertools.count(_next_id(Entry))
    pattern = f"%@{GENERATED_DOMAIN}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM accounts_user WHERE email LIKE %s", [pattern])
        low, high = cursor.fetchone()
    roles = ", ".join(f"'{r}'" for r in MEMBER_ROLES)
    for first in range(low or 0, (high or -1) + 1, USER_SLICE):
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT x.user_id, SUM(x.amount), MAX(x.created_at) FROM loyalty_entry x
                JOIN accounts_user u ON u.id = x.user_id
                WHERE x.user_id >= %s AND x.user_id < %s AND u.email LIKE %s
                  AND u.is_active AND u.role IN ({roles})
                GROUP BY x.user_id HAVING SUM(x.amount) >= %s
                ORDER BY x.user_id
                """,  # noqa: S608 - constants of this module only
                [first, first + USER_SLICE, pattern, min(cheapest, 5)],
            )
            balances = cursor.fetchall()
        codes, donations, entries = [], [], []
        for user_id, balance, last in balances:
            last = aware(last)
            t = last + (min(now, last + dt.timedelta(days=10)) - last) * rng.uniform(0.05, 0.95)
            affordable = [r for r in rewards if r.price <= balance]
            if affordable and rng.random() < REDEEM_SHARE:
                reward = rng.choice(affordable)
                code = next(code_ids)
                codes.append((code, reward.pk, f"GEN-{code:08d}", user_id, t, t - dt.timedelta(days=30)))
                entries.append(
                    _entry(
                        next(entry_ids), user_id, -reward.price, Reason.REWARD, t, reward=reward.pk, code=code
                    )
                )
                balance -= reward.price
                counts["rewards redeemed"] += 1
            if funds and balance >= 5 and rng.random() < DONATE_SHARE:
                amount = max(1, int(balance * rng.uniform(0.1, 0.5)))
                fund = rng.choice(funds)
                t = t + dt.timedelta(minutes=rng.uniform(1, 600))
                t = min(t, now)
                donation = next(donation_ids)
                donations.append((donation, user_id, fund.pk, amount, t))
                entries.append(
                    _entry(next(entry_ids), user_id, -amount, Reason.DONATION, t, donation=donation)
                )
                counts["donations"] += 1
        with transaction.atomic():
            copy_rows(
                Code._meta.db_table,
                ["id", "reward_id", "value", "issued_to_id", "issued_at", "loaded_at"],
                codes,
            )
            copy_rows(
                Donation._meta.db_table, ["id", "user_id", "fund_id", "amount", "created_at"], donations
            )
            copy_rows(Entry._meta.db_table, ENTRY_COLUMNS, entries)
    # Stock still on offer in the catalog.
    stock = [
        (code, reward.pk, f"GEN-{code:08d}", None, None, now - dt.timedelta(days=30))
        for reward in rewards
        for code in itertools.islice(code_ids, UNUSED_CODES)
    ]
    with transaction.atomic():
        copy_rows(
            Code._meta.db_table, ["id", "reward_id", "value", "issued_to_id", "issued_at", "loaded_at"], stock
        )
        _reset_sequences()
    counts["codes loaded"] = counts["rewards redeemed"] + len(stock)
    return counts


def _entry(pk, user_id, amount, reason, at, *, reward=None, code=None, donation=None) -> tuple:
    values = {
        "id": pk,
        "user_id": user_id,
        "amount": amount,
        "reason": reason,
        "reward_id": reward,
        "code_id": code,
        "donation_id": donation,
        "created_at": at,
    }
    return tuple(values.get(c) for c in ENTRY_COLUMNS)


def _next_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Code, Donation, Entry]):
            cursor.execute(sql)
