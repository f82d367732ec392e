"""The generated city is consistent with what the services would write, and
settled: the scheduler finds nothing to do in it. Its volunteers' inspections
and its points ledger (added by the volunteers and loyalty extensions) have
the rows the real flows write, under the same rules.

One city is generated per run (it takes a while): the checks are split into
helpers named for what they assert."""

import datetime as dt
from collections import defaultdict

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import Role, User
from issues import scheduler
from issues.generator import GENERATED_DOMAIN, generate_city
from issues.models import EventKind, Report, ReportEvent, Status, Topic
from loyalty import selectors
from loyalty import services as loyalty
from loyalty.models import Code, Donation, Entry, ProgrammeSettings, Reason, TopicPoints
from loyalty.services import CONFIRMING_OUTCOMES
from volunteers import conf
from volunteers.models import ACTIVE_STATUSES, Application, Inspection, Volunteer

pytestmark = pytest.mark.django_db

CAP = 15  # below the inspection award (20): the cap is sure to cut some awards


def test_a_generated_city_is_consistent_settled_and_has_inspections_and_points(settings):
    # A high share, so that a small city has inspections in every state.
    settings.CITY_GENERATOR_INSPECTION_SHARE = 0.5
    ProgrammeSettings.load()
    ProgrammeSettings.objects.filter(pk=1).update(daily_cap=CAP)
    # A topic with its own points: its reports earn those instead of the default 10.
    own = Topic.objects.filter(needs_building=True).order_by("pk").first()
    TopicPoints.objects.create(topic=own, points=3)
    summary = generate_city(600, seed=7, days=90, batch=250)
    assert summary.reports == 600
    assert summary.counts["inspections"] == Inspection.objects.count()
    assert summary.counts["ledger entries"] == Entry.objects.count()

    _reports_form_unbroken_chains_and_the_scheduler_has_nothing_to_do()
    _volunteers_are_approved_and_inspections_exist_in_every_state_with_their_events()
    _every_accepted_inspection_pays_its_volunteer_once()
    _every_confirming_answer_pays_its_author_once_under_the_daily_cap(own)
    _spending_never_takes_a_balance_below_zero()
    _replaying_the_receivers_adds_nothing()


def _reports_form_unbroken_chains_and_the_scheduler_has_nothing_to_do():
    statuses = set(Report.objects.values_list("status", flat=True))
    assert {Status.IN_WORK, Status.ANSWERED, Status.RESOLVED, Status.REJECTED} <= statuses
    assert Report.objects.filter(is_overdue=True, escalation_level__gte=1).exists()
    # Every report's state changes form one unbroken chain ending in its status
    # (returns on an inspection's verdict included).
    chains = {}
    for report_id, frm, to in (
        ReportEvent.objects.exclude(to_status="")
        .order_by("created_at", "pk")
        .values_list("report_id", "from_status", "to_status")
    ):
        chain = chains.setdefault(report_id, [])
        assert frm == (chain[-1] if chain else ""), (report_id, chain, frm, to)
        chain.append(to)
    for pk, status in Report.objects.values_list("pk", "status"):
        assert chains[pk][-1] == status
    assert not ReportEvent.objects.values("report").annotate(n=Count("pk")).filter(n=0).exists()
    assert ReportEvent.objects.filter(kind=EventKind.CREATED).count() == 600
    # The answer's events point at it, as issues.services writes them.
    published = ReportEvent.objects.filter(kind=EventKind.ANSWER_PUBLISHED).select_related("report").first()
    answer = published.report.answers.get(pk=published.payload["answer"])
    assert answer.event.kind == EventKind.ANSWERED and published.payload["outcome"] == answer.outcome
    assert scheduler.run_all() == {"reminded": 0, "overdue": 0, "escalated_further": 0, "auto_closed": 0}


def _volunteers_are_approved_and_inspections_exist_in_every_state_with_their_events():
    moderator = User.objects.get(email=f"moderator@{GENERATED_DOMAIN}")
    volunteers = Volunteer.objects.select_related("user", "application")
    assert volunteers.count() >= 10
    for v in volunteers:
        assert v.user.role == Role.VOLUNTEER and v.is_active
        assert v.application.status == Application.Status.APPROVED and v.application.user_id == v.user_id
    assert Application.objects.filter(status=Application.Status.PENDING).exists()

    now = timezone.now()
    inspections = list(Inspection.objects.select_related("report", "answer"))
    states = {i.status for i in inspections}
    assert {"open", "taken", "submitted", "accepted", "declined"} <= states
    returned = [i for i in inspections if i.returned_at]
    assert returned, "no inspection led to a return to the organization"
    events = defaultdict(list)
    for e in ReportEvent.objects.filter(kind=EventKind.INSPECTION).order_by("created_at", "pk"):
        events[e.payload["inspection_id"]].append(e)
    held = defaultdict(int)
    for i in inspections:
        assert i.answer.report_id == i.report_id and i.answer.outcome == "done"
        stages = [e.payload["stage"] for e in events[i.pk]]
        assert stages[0] == ("sampled" if i.source == Inspection.Source.SAMPLE else "ordered")
        assert (i.ordered_by_id is None) == (i.source == Inspection.Source.SAMPLE)
        # Only an accepted verdict is public, and the public entry names no volunteer.
        assert [e.payload["stage"] for e in events[i.pk] if e.is_public] == (
            ["accepted"] if i.status == "accepted" else []
        )
        if i.status == "open":
            assert i.volunteer_id is None and i.taken_at is None and i.verdict == ""
            assert stages == stages[:1]
            continue
        assert i.volunteer_id != i.report.author_id
        assert i.created_at <= i.taken_at <= now and i.taken_until == i.taken_at + conf.take_duration()
        if i.status == "taken":
            assert i.taken_until > now and i.verdict == "" and stages == stages[:1]
            held[i.volunteer_id] += 1
            continue
        assert i.verdict and i.taken_at <= i.submitted_at <= i.taken_until
        submitted = events[i.pk][1]
        assert (submitted.payload["stage"], submitted.actor_id) == ("submitted", i.volunteer_id)
        assert submitted.payload["verdict"] == i.verdict and submitted.text == i.comment
        if i.status == "submitted":
            assert i.reviewed_at is None and stages == [
                "sampled" if i.source == "sample" else "ordered",
                "submitted",
            ]
            continue
        assert i.reviewed_by_id == moderator.pk and i.submitted_at <= i.reviewed_at <= now
        assert stages[2] == ("accepted" if i.status == "accepted" else "declined")
        if i.status == "declined":
            # decline_verdict(reopen=True): a fresh task for the report, ordered at once.
            again = (
                Inspection.objects.filter(report=i.report, created_at=i.reviewed_at).exclude(pk=i.pk).get()
            )
            assert again.source == Inspection.Source.ORDERED
    assert max(held.values(), default=0) <= conf.MAX_TAKEN_AT_ONCE
    assert not (
        Inspection.objects.filter(status__in=ACTIVE_STATUSES)
        .values("report")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    for i in returned:
        assert i.status == "accepted" and i.needs_return and i.returned_at == i.reviewed_at
        back = ReportEvent.objects.get(kind=EventKind.RETURNED, payload__inspection_id=i.pk)
        assert back.to_status == Status.IN_WORK and back.created_at == i.returned_at
        report = Report.objects.get(pk=i.report_id)
        assert report.status == Status.IN_WORK and report.returns_count == back.payload["returns"] == 1
        assert report.deadline > now and report.verdict_due is None and report.closed_at is None


def _every_accepted_inspection_pays_its_volunteer_once():
    accepted = Inspection.objects.filter(status=Inspection.Status.ACCEPTED)
    assert accepted.exists()
    paid = {
        e.inspection_id: e
        for e in Entry.objects.filter(reason=Reason.INSPECTION_ACCEPTED).select_related("inspection")
    }
    assert set(paid) == set(accepted.values_list("pk", flat=True))
    for entry in paid.values():
        assert entry.user_id == entry.inspection.volunteer_id
        assert (
            entry.report_id == entry.inspection.report_id and entry.created_at == entry.inspection.reviewed_at
        )
        assert entry.nominal == 20 and entry.amount <= CAP  # always cut: the award is above the cap


def _every_confirming_answer_pays_its_author_once_under_the_daily_cap(own):
    first = {}
    for e in (
        ReportEvent.objects.filter(kind=EventKind.ANSWER_PUBLISHED)
        .select_related("report")
        .order_by("created_at", "pk")
    ):
        if e.payload["outcome"] in CONFIRMING_OUTCOMES:
            first.setdefault(e.report_id, e)
    awards = list(Entry.objects.filter(reason=Reason.REPORT_CONFIRMED))
    assert len(awards) == len({a.report_id for a in awards}) == len(first) > 100
    for a in awards:
        event = first[a.report_id]
        assert (a.user_id, a.event_id, a.created_at) == (event.report.author_id, event.pk, event.created_at)
        nominal = a.amount if a.nominal is None else a.nominal
        assert 0 <= a.amount <= nominal == (3 if event.report.topic_id == own.pk else 10)
    # The cap holds for every user's Moscow day, and cut only what would cross it.
    days = defaultdict(int)
    earnings = Entry.objects.filter(reason__in=(Reason.REPORT_CONFIRMED, Reason.INSPECTION_ACCEPTED))
    for e in earnings.order_by("created_at", "pk"):
        key = (e.user_id, timezone.localtime(e.created_at).date())
        if e.nominal is not None:
            assert days[key] + e.amount == CAP, "a cut award must fill the day exactly"
        else:
            assert days[key] + e.amount <= CAP
        days[key] += e.amount
    assert earnings.filter(nominal__isnull=False, report__isnull=False).exists()


def _spending_never_takes_a_balance_below_zero():
    assert Entry.objects.filter(reason=Reason.REWARD).exists() and Donation.objects.exists()
    for e in Entry.objects.filter(reason=Reason.REWARD).select_related("code", "reward"):
        assert e.code.issued_to_id == e.user_id and e.code.issued_at == e.created_at
        assert e.code.reward_id == e.reward_id and e.amount == -e.reward.price
    for d in Donation.objects.select_related("entry"):
        assert d.entry.amount == -d.amount and d.entry.user_id == d.user_id
    assert Code.objects.filter(issued_to__isnull=True).exists()  # stock left in the catalog
    running = defaultdict(int)
    for user_id, amount in Entry.objects.order_by("created_at", "pk").values_list("user_id", "amount"):
        running[user_id] += amount
        assert running[user_id] >= 0, user_id
    totals = Entry.objects.values("user").annotate(s=Sum("amount"))
    assert min(t["s"] for t in totals) >= 0
    user_id = Entry.objects.filter(reason=Reason.DONATION).values_list("user_id", flat=True).first()
    assert selectors.balance(user_id) == running[user_id]


def _replaying_the_receivers_adds_nothing():
    entries = Entry.objects.count()
    award = Entry.objects.filter(reason=Reason.REPORT_CONFIRMED).first()
    assert loyalty.award_for_answer(award.event_id) is None
    accepted = Entry.objects.filter(reason=Reason.INSPECTION_ACCEPTED).first()
    assert loyalty.award_for_inspection(accepted.inspection_id) is None
    # A later confirming answer of an already paid report pays nothing either.
    later = (
        ReportEvent.objects.filter(kind=EventKind.ANSWER_PUBLISHED, report_id=award.report_id)
        .exclude(pk=award.event_id)
        .first()
    )
    if later is not None:
        assert loyalty.award_for_answer(later.pk) is None
    assert Entry.objects.count() == entries
    # The generated city's now is recent: nothing here sits in the future.
    assert not Entry.objects.filter(created_at__gt=timezone.now() + dt.timedelta(seconds=1)).exists()


@pytest.mark.parametrize("moscow_hour", [0, 2, 9, 23])
def test_the_generated_reminders_are_the_schedulers_at_any_hour(moscow_hour):
    """The generator marks as reminded what the scheduler would remind by
    now, also in the small hours of Moscow's day (the scheduler reminds from
    the start of the working day before the deadline's)."""
    import time_machine

    moment = dt.datetime(2026, 12, 8, moscow_hour, 30, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=False):
        generate_city(200, seed=11, days=30, batch=250)
        assert scheduler.send_reminders() == 0
