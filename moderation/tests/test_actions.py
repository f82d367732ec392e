"""Every action of the desk through the web: the POST calls the service, which
changes the report and writes its event; errors come back on the form; a
stale form changes nothing."""

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone

from issues import services
from issues.models import Answer, EventKind, OrganizationRequest, Report, ReportEvent, Status, Topic
from moderation.tests.helpers import post_action, post_decision, seen
from organizations.models import Organization
from places.geo import locate
from tests.factories import SAINT_PETERSBURG, UserFactory, building_at

pytestmark = pytest.mark.django_db

ARBAT = Point(37.5930, 55.7500, srid=4326)  # Старый Арбат: район Арбат, ЦАО


def report_url(report):
    return reverse("moderation:report", args=[report.pk])


def queue_url(slug):
    return reverse("moderation:queue", args=[slug])


def last_event(report) -> ReportEvent:
    return report.events.order_by("-pk").first()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def assert_unchanged(report, events: int):
    fresh = Report.objects.get(pk=report.pk)
    assert fresh.status == report.status and fresh.updated_at == report.updated_at
    assert fresh.events.count() == events


# --- a report in moderation ------------------------------------------------------


def test_publish_with_the_proposed_organization_goes_on_to_the_next_new_report(
    desk, city, moderator, housing
):
    report = city.new()
    following = city.new()
    response = post_action(desk, report, "publish", organization=housing.pk)
    assert response.status_code == 302 and response["Location"] == report_url(following)
    report.refresh_from_db()
    assert report.status == Status.IN_WORK and report.organization == housing
    assert report.published_at is not None and report.deadline > timezone.now()
    event = last_event(report)
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        EventKind.PUBLISHED,
        moderator,
        Status.MODERATION,
        Status.IN_WORK,
    )
    assert event.payload == {"organization": housing.name} and event.organization == housing
    assert f"№{report.number} опубликовано" in messages_of(response)[0]


def test_publish_with_another_organization(desk, city, council):
    report = city.new()
    assert services.proposed_organization(report) != council
    response = post_action(desk, report, "publish", organization=council.pk)
    assert response["Location"] == queue_url("new")  # nothing else to moderate
    report.refresh_from_db()
    assert report.organization == council
    assert last_event(report).payload == {"organization": council.name}


def test_publish_offers_the_proposed_organization_and_finds_any_other(desk, city, housing):
    report = city.new()
    response = desk.get(report_url(report))
    form = response.context["forms"]["publish"]
    assert response.context["proposed"] == housing and form["organization"].initial == housing.pk
    assert f'<option value="{housing.pk}" selected>' in response.content.decode()
    found = desk.get(reverse("moderation:organizations"), {"q": "жилищник района арбат"}).json()
    assert [r["name"] for r in found["results"]] == ["ГБУ «Жилищник района Арбат»"]


def test_publish_to_an_organization_outside_the_offered_ones(desk, city):
    far = Organization.objects.get(kind="housing_service", districts__name="Митино")
    report = city.new()
    post_action(desk, report, "publish", organization=far.pk)
    report.refresh_from_db()
    assert report.organization == far


def test_publish_refuses_an_inactive_organization(desk, city, council):
    council.is_active = False
    council.save(update_fields=["is_active"])
    report = city.new()
    events = report.events.count()
    response = post_action(desk, report, "publish", organization=council.pk)
    assert response.status_code == 400
    assert response.context["forms"]["publish"].errors["organization"]
    assert_unchanged(report, events)


def test_reject_with_a_reason_and_a_comment(desk, city, moderator):
    report = city.new()
    response = post_action(desk, report, "reject", reason="private", comment="Это частная парковка.")
    assert response["Location"] == queue_url("new")
    report.refresh_from_db()
    assert report.status == Status.REJECTED and report.closed_at is not None
    event = last_event(report)
    assert (event.kind, event.reason, event.text, event.actor) == (
        EventKind.REJECTED,
        "private",
        "Это частная парковка.",
        moderator,
    )


def test_reject_without_a_comment_uses_the_reasons_text(desk, city):
    report = city.new()
    post_action(desk, report, "reject", reason="spam")
    assert last_event(report).text == services.REJECT_REASONS["spam"]


def test_reject_needs_a_reason_from_the_list(desk, city):
    report = city.new()
    events = report.events.count()
    response = post_action(desk, report, "reject", reason="because")
    assert response.status_code == 400
    assert "reason" in response.context["forms"]["reject"].errors
    assert_unchanged(report, events)


def test_merge_into_a_duplicate_makes_the_author_follow_the_original(desk, city, moderator, resident):
    original = city.in_work(author=UserFactory())
    report = city.new()
    response = post_action(desk, report, "merge", into=f"№ {original.number}")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DUPLICATE and report.duplicate_of == original
    event = last_event(report)
    assert (event.kind, event.actor, event.payload) == (EventKind.MERGED, moderator, {"into": original.pk})
    assert original.followers.filter(user=resident).exists()


def test_merge_suggests_nearby_reports_of_the_same_topic(desk, city):
    same = city.in_work()
    city.in_work(point=ARBAT)  # too far
    city.new(topic=Topic.objects.get(code="yard-bench-damage"))  # another topic
    report = city.new()
    response = desk.get(report_url(report))
    assert [r.pk for r in response.context["nearby"]] == [same.pk]
    assert f'data-merge-into="{same.pk}"' in response.content.decode()


@pytest.mark.parametrize("target", ["missing", "rejected", "itself"])
def test_merge_refuses_a_bad_target_on_the_form(desk, city, moderator, target):
    report = city.new()
    if target == "rejected":
        other = city.new()
        services.reject(moderator, other, "spam")
        into = str(other.pk)
    elif target == "itself":
        into = str(report.pk)
    else:
        into = "999999"
    events = report.events.count()
    response = post_action(desk, report, "merge", into=into)
    assert response.status_code == 400
    errors = response.context["forms"]["merge"].errors
    assert errors  # on the field or the form
    assert_unchanged(report, events)


def test_fix_the_topic_stays_on_the_report(desk, city, moderator):
    report = city.new()
    bench = Topic.objects.get(code="yard-bench-damage")
    response = post_action(desk, report, "topic", topic=bench.pk)
    assert response["Location"] == report_url(report)
    report.refresh_from_db()
    assert report.status == Status.MODERATION and report.topic == bench
    event = last_event(report)
    assert (event.kind, event.actor) == (EventKind.TOPIC_CHANGED, moderator)
    assert event.payload == {"from": city.topic.name, "to": bench.name}


def test_fix_the_topic_offers_only_active_topics(desk, city):
    inactive = Topic.objects.get(code="yard-bench-damage")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    report = city.new()
    response = post_action(desk, report, "topic", topic=inactive.pk)
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.topic == city.topic


def test_fix_the_point_recomputes_the_district(desk, city, moderator):
    report = city.new()
    response = post_action(desk, report, "point", lat="55,7500", lon="37.5930")  # a comma works too
    assert response["Location"] == report_url(report)
    report.refresh_from_db()
    expected = locate(ARBAT)
    assert expected.district.name == "Арбат"
    assert report.district == expected.district and report.okrug == expected.okrug
    assert (report.point.x, report.point.y) == pytest.approx((37.5930, 55.7500))
    event = last_event(report)
    assert (event.kind, event.actor) == (EventKind.POINT_CHANGED, moderator)
    assert event.payload["district"] == "Арбат"
    # Publishing now routes by the new district.
    assert "Арбат" in services.proposed_organization(report).name


def test_fix_the_point_refuses_a_point_outside_moscow(desk, city):
    report = city.new()
    events = report.events.count()
    response = post_action(desk, report, "point", lat=SAINT_PETERSBURG.y, lon=SAINT_PETERSBURG.x)
    assert response.status_code == 400
    assert "за пределами Москвы" in response.content.decode()
    assert response.context["forms"]["point"].non_field_errors()
    assert_unchanged(report, events)


def test_fix_the_point_of_a_building_topic_ties_it_to_the_nearest_building(desk, city):
    building = building_at("Тверская")
    topic = Topic.objects.get(code="entrance-hall-littered")
    report = city.new(topic=topic, building=building_at("Арбат"))
    post_action(desk, report, "point", lat=building.point.y, lon=building.point.x)
    report.refresh_from_db()
    assert report.building == building and report.address == building.short_address


# --- an answer to check ------------------------------------------------------------


def test_publish_the_answer_with_a_comment(desk, city, moderator):
    report = city.answer_review()
    following = city.answer_review()
    response = post_action(desk, report, "publish-answer", comment="Спасибо, принято.")
    assert response["Location"] == report_url(following)
    report.refresh_from_db()
    assert report.status == Status.ANSWERED and report.verdict_due is not None
    answer = report.answers.get()
    assert (answer.state, answer.moderator_comment) == (Answer.State.PUBLISHED, "Спасибо, принято.")
    event = last_event(report)
    assert (event.kind, event.actor, event.is_public) == (EventKind.ANSWER_PUBLISHED, moderator, True)
    assert event.text == answer.text


def test_the_answer_page_shows_the_answer_and_its_photos(desk, city):
    report = city.answer_review(text="Двор убран полностью.")
    response = desk.get(report_url(report))
    html = response.content.decode()
    assert "Двор убран полностью." in html
    assert report.photos.get(role="answer").image.url in html
    # An answer in doubt may also be sent to a volunteer inspection first.
    assert set(response.context["forms"]) == {"publish-answer", "return-answer", "inspect"}


def test_return_the_answer_needs_a_comment(desk, city, moderator):
    report = city.answer_review()
    events = report.events.count()
    response = post_action(desk, report, "return-answer", comment="  ")
    assert response.status_code == 400
    assert "comment" in response.context["forms"]["return-answer"].errors
    assert_unchanged(report, events)

    deadline = report.deadline
    response = post_action(desk, report, "return-answer", comment="Ответ формальный, нужны фото.")
    assert response["Location"] == queue_url("answers")
    report.refresh_from_db()
    assert report.status == Status.IN_WORK and report.deadline == deadline and report.answered_at is None
    assert report.answers.get().state == Answer.State.RETURNED
    event = last_event(report)
    assert (event.kind, event.text, event.is_public, event.actor) == (
        EventKind.ANSWER_RETURNED,
        "Ответ формальный, нужны фото.",
        False,
        moderator,
    )


# --- a disputed fix ---------------------------------------------------------------


def test_return_to_the_organization(desk, city, moderator):
    report = city.disputed()
    response = post_action(desk, report, "return", comment="Проверьте ещё раз.")
    assert response["Location"] == queue_url("disputes")
    report.refresh_from_db()
    assert report.status == Status.IN_WORK and report.returns_count == 1 and report.deadline > timezone.now()
    event = last_event(report)
    assert (event.kind, event.actor, event.text, event.payload) == (
        EventKind.RETURNED,
        moderator,
        "Проверьте ещё раз.",
        {"returns": 1},
    )


def test_a_second_return_escalates(desk, city, moderator, resident):
    report = city.disputed()
    services.return_to_organization(moderator, report)
    services.answer(city.staff, report, "done", "Сделано")
    services.publish_answer(moderator, report)
    services.reject_fix(resident, report, "Нет")
    response = post_action(desk, report, "return")
    report.refresh_from_db()
    assert report.returns_count == 2 and report.escalation_level == 1
    assert list(report.events.order_by("-pk").values_list("kind", flat=True)[:2]) == [
        EventKind.ESCALATED,
        EventKind.RETURNED,
    ]
    assert "Контролирующий орган уведомлён" in messages_of(response)[0]


def test_dismiss_the_dispute_needs_a_comment(desk, city, moderator):
    report = city.disputed(comment="Мусор лежит.")
    page = desk.get(report_url(report))
    assert "Мусор лежит." in page.content.decode()
    assert 'id="action-inspect"' in page.content.decode()  # or a volunteer inspection first

    events = report.events.count()
    response = post_action(desk, report, "dismiss", comment="")
    assert response.status_code == 400
    assert_unchanged(report, events)

    post_action(desk, report, "dismiss", comment="На фото исполнителя двор чист.")
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.closed_at is not None
    event = last_event(report)
    assert (event.kind, event.actor, event.text) == (
        EventKind.DISPUTE_DISMISSED,
        moderator,
        "На фото исполнителя двор чист.",
    )


# --- an organization's requests ---------------------------------------------------


def test_grant_a_redirect_to_the_suggested_organization(desk, city, moderator, council, housing):
    request = city.redirect_request(suggested=council)
    page = desk.get(report_url(request.report))
    form = page.context["request_forms"][0]
    assert form["organization"].initial == council.pk
    response = post_decision(desk, request, decision="grant", organization=council.pk, comment="Верно.")
    assert response["Location"] == queue_url("requests")
    report = Report.objects.get(pk=request.report_id)
    assert report.organization == council
    request.refresh_from_db()
    assert (request.state, request.decided_by, request.comment) == (
        OrganizationRequest.State.GRANTED,
        moderator,
        "Верно.",
    )
    event = last_event(report)
    assert (event.kind, event.actor, event.payload) == (
        EventKind.REDIRECTED,
        moderator,
        {"from": housing.name, "to": council.name},
    )


def test_grant_a_redirect_to_another_organization_goes_on_to_the_next_request(desk, city, council):
    request = city.redirect_request(suggested=council)
    following = city.postpone_request()
    road = Organization.objects.get(kind="road_service")
    response = post_decision(desk, request, decision="grant", organization=road.pk)
    assert response["Location"] == report_url(following.report)
    assert Report.objects.get(pk=request.report_id).organization == road


def test_grant_a_redirect_needs_an_organization(desk, city):
    request = city.redirect_request()
    events = request.report.events.count()
    response = post_decision(desk, request, decision="grant")
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.state == OrganizationRequest.State.PENDING
    assert request.report.events.count() == events


def test_refuse_a_redirect_with_a_reason(desk, city, moderator, housing):
    request = city.redirect_request()
    response = post_decision(desk, request, decision="refuse", comment="Это ваша территория.")
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == OrganizationRequest.State.REFUSED
    report = Report.objects.get(pk=request.report_id)
    assert report.organization == housing
    event = last_event(report)
    assert (event.kind, event.actor, event.text, event.is_public) == (
        EventKind.REDIRECT_REFUSED,
        moderator,
        "Это ваша территория.",
        False,
    )


def test_a_refusal_needs_a_reason(desk, city):
    request = city.postpone_request()
    response = post_decision(desk, request, decision="refuse")
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.state == OrganizationRequest.State.PENDING


def test_grant_a_postponement_shows_and_sets_the_planned_date(desk, city, moderator):
    request = city.postpone_request(days=40)
    page = desk.get(report_url(request.report))
    assert request.planned_date.strftime("%d.%m.%Y") in page.content.decode()
    post_decision(desk, request, decision="grant")
    report = Report.objects.get(pk=request.report_id)
    assert report.planned_date == request.planned_date
    assert timezone.localtime(report.deadline).date() == request.planned_date
    event = last_event(report)
    assert (event.kind, event.actor, event.is_public) == (EventKind.POSTPONED, moderator, True)
    assert event.payload == {"planned_date": request.planned_date.isoformat()}


def test_refuse_a_postponement(desk, city, moderator):
    request = city.postpone_request()
    deadline = request.report.deadline
    post_decision(desk, request, decision="refuse", comment="Срок достаточный.")
    report = Report.objects.get(pk=request.report_id)
    assert report.deadline == deadline and report.planned_date is None
    assert last_event(report).kind == EventKind.POSTPONE_REFUSED
    assert OrganizationRequest.objects.get(pk=request.pk).state == OrganizationRequest.State.REFUSED


# --- the report page ---------------------------------------------------------------


def test_the_page_shows_the_full_timeline_with_private_events(desk, city, moderator):
    report = city.answer_review(text="Сделано.")
    services.return_answer(moderator, report, "Нужны фото «после».")
    response = desk.get(report_url(report))
    kinds = [e.kind for e in response.context["timeline"]]
    assert kinds == [EventKind.CREATED, EventKind.PUBLISHED, EventKind.ANSWERED, EventKind.ANSWER_RETURNED]
    html = response.content.decode()
    assert "Нужны фото «после»." in html and "не публикуется" in html


def test_a_closed_report_has_no_actions(desk, city, moderator):
    report = city.new()
    services.reject(moderator, report, "spam")
    response = desk.get(report_url(report))
    assert response.context["forms"] == {} and response.context["request_forms"] == []
    assert "действий редакции нет" in response.content.decode()


# --- stale forms ----------------------------------------------------------------------

STALE = "Сообщение уже изменил другой редактор"


def test_a_form_shown_before_another_moderator_acted_changes_nothing(desk, city, other_moderator):
    report = city.new()
    shown = seen(report, "reject")
    services.publish(other_moderator, report)
    report.refresh_from_db()
    events = report.events.count()
    response = post_action(desk, report, "reject", shown, reason="spam")
    assert response["Location"] == report_url(report)
    assert STALE in messages_of(response)[0]
    assert_unchanged(report, events)
    assert STALE in desk.get(report_url(report)).content.decode()


def test_a_topic_fixed_meanwhile_makes_the_publish_form_stale(desk, city, other_moderator, housing):
    report = city.new()
    shown = seen(report, "publish")
    services.change_topic(other_moderator, report, Topic.objects.get(code="yard-bench-damage"))
    report.refresh_from_db()
    events = report.events.count()
    response = post_action(desk, report, "publish", shown, organization=housing.pk)
    assert STALE in messages_of(response)[0]
    assert_unchanged(report, events)


def test_a_form_without_what_the_moderator_saw_changes_nothing(desk, city):
    report = city.new()
    events = report.events.count()
    response = desk.post(reverse("moderation:act", args=[report.pk, "reject"]), {"reject-reason": "spam"})
    assert response.status_code == 302 and STALE in messages_of(response)[0]
    assert_unchanged(report, events)


def test_a_race_lost_inside_the_service_changes_nothing(desk, city, other_moderator, housing, monkeypatch):
    """The other editor acts between the view's check and the service's lock:
    the service's own status check refuses and the moderator is told."""
    report = city.new()
    real_publish = services.publish

    def publish_after_a_rival(actor, target, organization=None):
        services.reject(other_moderator, target, "spam")
        return real_publish(actor, target, organization)

    monkeypatch.setattr(services, "publish", publish_after_a_rival)
    response = post_action(desk, report, "publish", organization=housing.pk)
    assert response["Location"] == report_url(report)
    assert STALE in messages_of(response)[0]
    report.refresh_from_db()
    assert report.status == Status.REJECTED
    assert not report.events.filter(kind=EventKind.PUBLISHED).exists()


def test_a_request_decided_meanwhile_changes_nothing(desk, city, other_moderator):
    request = city.postpone_request()
    shown = seen(request.report, f"request-{request.pk}")
    services.decide_postponement(other_moderator, request.pk, grant=False, comment="Нет.")
    events = request.report.events.count()
    response = post_decision(desk, request, shown, decision="grant")
    assert STALE in messages_of(response)[0]
    request.refresh_from_db()
    assert request.state == OrganizationRequest.State.REFUSED
    assert request.report.events.count() == events


def test_an_answer_published_meanwhile_is_not_returned(desk, city, other_moderator):
    report = city.answer_review()
    shown = seen(report, "return-answer")
    services.publish_answer(other_moderator, report)
    response = post_action(desk, report, "return-answer", shown, comment="Плохо.")
    assert STALE in messages_of(response)[0]
    report.refresh_from_db()
    assert report.status == Status.ANSWERED
    assert not report.events.filter(kind=EventKind.ANSWER_RETURNED).exists()


def test_fix_the_point_of_a_building_topic_away_from_any_building_is_refused(desk, city):
    topic = Topic.objects.get(code="entrance-hall-littered")
    report = city.new(topic=topic, building=building_at("Арбат"))
    events = report.events.count()
    river = {"lat": 55.7450, "lon": 37.6060}  # the Moskva between the embankments
    response = post_action(desk, report, "point", **river)
    assert response.status_code == 400
    assert "домов нет" in response.content.decode()
    assert_unchanged(report, events)


def test_skip_goes_to_the_next_item_of_the_queue_and_wraps(desk, city):
    first, second, third = city.new(), city.new(), city.new()
    assert desk.get(report_url(second)).context["skip_url"] == report_url(third)
    assert desk.get(report_url(third)).context["skip_url"] == report_url(first)


def test_after_a_skipped_report_the_next_one_follows_not_the_skipped(desk, city, housing):
    skipped, current, following = city.new(), city.new(), city.new()
    response = post_action(desk, current, "publish", organization=housing.pk)
    assert response["Location"] == report_url(following)
    response = post_action(desk, following, "publish", organization=housing.pk)
    assert response["Location"] == report_url(skipped)  # back to the one left for later
