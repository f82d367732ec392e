"""The desk and its queues: each lists its reports and no others, in order,
paginated, with a bounded number of queries."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues import services
from issues.models import OrganizationRequest, Photo, Report
from moderation import selectors
from moderation.templatetags.moderation_tags import age
from moderation.tests.helpers import post_action
from tests.factories import cached_session, processed_photo

pytestmark = pytest.mark.django_db


def listed(response, prefix="report"):
    """The ids of the rows a queue page shows, in order."""
    html = response.content.decode()
    ids, start = [], 0
    marker = f'id="{prefix}-'
    while (start := html.find(marker, start)) != -1:
        start += len(marker)
        ids.append(int(html[start : html.index('"', start)]))
    return ids


@pytest.fixture
def everything(city, moderator):
    """One report (or request) in every queue, and some that belong to none."""
    rejected = city.new()
    services.reject(moderator, rejected, "spam")
    answered = city.answer_review()
    services.publish_answer(moderator, answered)
    return {
        "new": city.new(),
        "answers": city.answer_review(),
        "disputes": city.disputed(),
        "redirect": city.redirect_request(),
        "postpone": city.postpone_request(),
        "overdue": city.overdue(),
        "in_work": city.in_work(),
        "rejected": rejected,
        "answered": answered,
    }


def test_the_desk_counts_every_queue(desk, everything):
    response = desk.get(reverse("moderation:desk"))
    assert response.status_code == 200
    cards = {q.slug: n for q, n in response.context["cards"]}
    # The overdue report was published first: it is in work and overdue.
    assert cards == {
        "new": 1,
        "answers": 1,
        "disputes": 1,
        "requests": 2,
        "overdue": 1,
        "inspections": 0,
        "applications": 0,
    }
    for slug in cards:
        assert reverse("moderation:queue", args=[slug]) in response.content.decode()


def test_new_reports_oldest_first_with_their_age_topic_place_and_photo(desk, city):
    with time_machine.travel(timezone.now() - dt.timedelta(days=2, hours=1)):
        oldest = city.new(description="Старое")
    with time_machine.travel(timezone.now() - dt.timedelta(hours=3, minutes=5)):
        middle = city.new()
    newest = city.new()
    city.in_work()  # published: not new any more
    response = desk.get(reverse("moderation:queue", args=["new"]))
    assert listed(response) == [oldest.pk, middle.pk, newest.pk]
    html = response.content.decode()
    assert "2 дн" in html and "3 ч" in html
    assert oldest.topic.name in html and "район Тверской" in html
    assert oldest.photos.get().thumbnail.url in html


def test_a_new_reports_row_shows_its_thumbnail_or_no_photo_and_escapes_what_residents_wrote(desk, city):
    with_photo = city.new(photos=[processed_photo()])
    photo = with_photo.photos.get()
    Report.objects.filter(pk=with_photo.pk).update(address='ул. <b>Тверская</b> & "д. 1"')
    without = city.new(photos=[processed_photo()])
    without.photos.all().delete()
    html = desk.get(reverse("moderation:queue", args=["new"])).content.decode()
    row = html[html.index(f'id="report-{with_photo.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'<a href="{photo.image.url}"><img class="thumb" src="{photo.thumbnail.url}"' in row
    assert f'href="{reverse("moderation:report", args=[with_photo.pk])}"' in row
    assert "ул. &lt;b&gt;Тверская&lt;/b&gt; &amp; &quot;д. 1&quot;" in row and "<b>" not in row
    other = html[html.index(f'id="report-{without.pk}"') :]
    assert '<span class="muted">нет</span>' in other[: other.index("</tr>")]


def test_a_new_reports_row_shows_its_first_photo_and_the_photo_itself_until_a_thumbnail_is_made(desk, city):
    report = city.new(photos=[processed_photo(), processed_photo()])
    first, second = report.photos.order_by("pk")
    Photo.objects.filter(pk=first.pk).update(thumbnail="")
    html = desk.get(reverse("moderation:queue", args=["new"])).content.decode()
    row = html[html.index(f'id="report-{report.pk}"') :]
    row = row[: row.index("</tr>")]
    assert (
        f'<a href="{first.image.url}"><img class="thumb" src="{first.image.url}" alt="Фото проблемы"' in row
    )
    assert second.image.url not in row and second.thumbnail.url not in row


def test_answers_to_check_show_the_organization_the_answer_and_its_photos(desk, city, housing):
    report = city.answer_review(text="Двор убран, мусор вывезен.")
    city.in_work()  # no answer yet
    returned = city.answer_review()
    services.return_answer(city.moderator, returned, "Приложите фото.")
    response = desk.get(reverse("moderation:queue", args=["answers"]))
    assert listed(response) == [report.pk]
    html = response.content.decode()
    assert housing.name in html and "Двор убран, мусор вывезен." in html
    answer_photo = report.answers.get().event.photos.get()
    assert answer_photo.image.url in html


def test_disputes_show_the_authors_comment_and_photos(desk, city):
    report = city.disputed(comment="Ничего не убрано, смотрите фото.")
    city.answer_review()
    response = desk.get(reverse("moderation:queue", args=["disputes"]))
    assert listed(response) == [report.pk]
    html = response.content.decode()
    assert "Ничего не убрано, смотрите фото." in html
    dispute_photo = report.photos.get(role="dispute")
    assert dispute_photo.image.url in html


def test_requests_list_pending_redirects_and_postponements(desk, city, council, moderator):
    redirect = city.redirect_request(suggested=council)
    postpone = city.postpone_request()
    decided = city.redirect_request()
    services.decide_redirect(moderator, decided.pk, grant=False, comment="Ваша территория.")
    response = desk.get(reverse("moderation:queue", args=["requests"]))
    assert listed(response, "request") == [redirect.pk, postpone.pk]
    html = response.content.decode()
    assert council.name in html and postpone.planned_date.strftime("%d.%m.%Y") in html


def test_a_request_of_a_report_no_longer_in_work_is_not_listed(desk, city):
    request = city.redirect_request()
    services.answer(city.staff, request.report, "done", "Сделано всё же.")
    response = desk.get(reverse("moderation:queue", args=["requests"]))
    assert listed(response, "request") == []


def test_overdue_and_escalated_by_deadline(desk, city, moderator, resident):
    late = city.overdue()
    with time_machine.travel(timezone.now() - dt.timedelta(days=40)):
        later = city.in_work()  # earlier deadline
    services.mark_overdue(later.pk)
    # Returned twice after disputes: escalated, with a fresh deadline.
    escalated = city.disputed()
    services.return_to_organization(moderator, escalated)
    services.answer(city.staff, escalated, "done", "Сделано")
    services.publish_answer(moderator, escalated)
    services.reject_fix(resident, escalated, "Нет")
    services.return_to_organization(moderator, escalated)
    escalated.refresh_from_db()
    assert escalated.escalation_level == 1 and not escalated.is_overdue
    city.in_work()  # on time
    answered_late = city.overdue()
    services.answer(city.staff, answered_late, "done", "Сделано поздно")  # not in work any more
    response = desk.get(reverse("moderation:queue", args=["overdue"]))
    assert listed(response) == [later.pk, late.pk, escalated.pk]


def test_a_queue_pages_by_fifty(desk, city, monkeypatch):
    monkeypatch.setattr("moderation.selectors.PAGE_SIZE", 2)
    reports = [city.new() for _ in range(3)]
    first = desk.get(reverse("moderation:queue", args=["new"]))
    second = desk.get(reverse("moderation:queue", args=["new"]), {"page": 2})
    assert listed(first) == [r.pk for r in reports[:2]]
    assert listed(second) == [reports[2].pk]
    assert "Страница 2 из 2" in second.content.decode()


def test_an_unknown_queue_is_missing(desk):
    assert desk.get(reverse("moderation:queue", args=["nope"])).status_code == 404


def test_an_empty_queue_says_so(desk):
    response = desk.get(reverse("moderation:queue", args=["disputes"]))
    assert "Опровергнутых решений нет." in response.content.decode()


def test_age_is_short():
    now = timezone.now()
    assert age(now - dt.timedelta(minutes=7), now) == "7 мин"
    assert age(now - dt.timedelta(hours=3, minutes=59), now) == "3 ч"
    assert age(now - dt.timedelta(days=2, hours=5), now) == "2 дн"
    assert age(None) == ""


# --- query counts -------------------------------------------------------------

MAKERS = {
    "new": lambda city: city.new(),
    "answers": lambda city: city.answer_review(),
    "disputes": lambda city: city.disputed(),
    "requests": lambda city: city.redirect_request(),
    "overdue": lambda city: city.overdue(),
}
MAX_QUERIES = 12  # session, user, count, page, prefetches, the bell: not one per row


def _queries(client, url):
    cache.clear()  # the page's total and the bell's count read afresh, not kept from the last page
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("slug", list(MAKERS))
def test_a_queue_page_makes_the_same_few_queries_for_any_number_of_rows(
    desk, city, slug, django_assert_max_num_queries
):
    url = reverse("moderation:queue", args=[slug])
    MAKERS[slug](city)
    one = _queries(desk, url)
    for _ in range(4):
        MAKERS[slug](city)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = _queries(desk, url)
    assert many == one
    if slug == "requests":
        assert OrganizationRequest.objects.filter(state="pending").count() == 5


def test_the_desk_makes_a_few_queries(desk, everything, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        desk.get(reverse("moderation:desk"))


# --- the page's cost: rows read lean, links built once -------------------------


def test_a_queue_page_shows_twenty_rows_and_pages_the_rest(desk, city):
    assert selectors.PAGE_SIZE == 20
    reports = [city.new() for _ in range(21)]
    first = desk.get(reverse("moderation:queue", args=["new"]))
    second = desk.get(reverse("moderation:queue", args=["new"]), {"page": 2})
    assert listed(first) == [r.pk for r in reports[:20]]
    assert listed(second) == [reports[20].pk]
    assert "(21)" in first.content.decode() and "Страница 1 из 2" in first.content.decode()


@pytest.mark.parametrize("slug", list(MAKERS))
def test_queue_rows_read_no_geometry(desk, city, slug):
    """Neither the report's point nor a district's or okrug's boundary: a
    GEOS object built for every row was most of the page's time."""
    MAKERS[slug](city)
    rows = list(desk.get(reverse("moderation:queue", args=[slug])).context["page"])
    assert rows
    for row in rows:
        if slug == "new":
            # Plain rows (moderation.selectors.new_rows): only the columns shown.
            assert set(row._fields) == set(selectors.NEW_ROW_FIELDS)
            continue
        report = row.report if slug == "requests" else row
        assert "point" in report.get_deferred_fields()
        assert "boundary" in report.district.get_deferred_fields()
        if "okrug" in report._state.fields_cache:
            assert "boundary" in report.okrug.get_deferred_fields()


@pytest.mark.parametrize("slug", list(MAKERS))
def test_queue_rows_link_to_their_report_page(desk, city, slug):
    made = MAKERS[slug](city)
    report_id = made.report_id if slug == "requests" else made.pk
    html = desk.get(reverse("moderation:queue", args=[slug])).content.decode()
    assert f'href="{reverse("moderation:report", args=[report_id])}"' in html


def test_the_url_prefix_is_the_url_less_its_pk():
    from nashgorod.links import url_prefix

    assert url_prefix("moderation:report") + "17/" == reverse("moderation:report", args=[17])


def test_a_queue_page_of_twenty_five_makes_the_queries_of_a_page_of_five(desk, city):
    url = reverse("moderation:queue", args=["new"])
    for _ in range(5):
        city.new()
    five = _queries(desk, url)
    for _ in range(20):
        city.new()
    assert _queries(desk, url) == five


def test_the_desk_navigation_marks_the_page_it_is_on(desk):
    def current(url):
        html = desk.get(url).content.decode()
        nav = html[html.index('class="desk-nav"') :]
        nav = nav[: nav.index("</nav>")]
        return [chunk.split('"')[0] for chunk in nav.split('<a href="')[1:] if 'class="current"' in chunk]

    desk_url, new_url = reverse("moderation:desk"), reverse("moderation:queue", args=["new"])
    assert current(desk_url) == [desk_url]
    assert current(new_url) == [new_url]
    assert current(reverse("moderation:queue", args=["overdue"])) == [
        reverse("moderation:queue", args=["overdue"])
    ]
    assert reverse("moderation:volunteers") in current(reverse("moderation:volunteers"))


def test_a_queue_s_total_is_kept_briefly_but_new_rows_show_at_once(desk, city, moderator):
    url = reverse("moderation:queue", args=["new"])
    first, second = city.new(), city.new()
    counted = _queries(desk, url)
    with CaptureQueriesContext(connection) as cached:
        assert "(2)" in desk.get(url).content.decode()
    # No COUNTs (the total and the bell's count came from the cache), nor the
    # session where it is kept in the cache too: the user and the rows.
    assert len(cached) == counted - 2 - cached_session() == 2 + (1 - cached_session())
    third = city.new()
    # A new report shows at once; the total is never less than the rows shown.
    assert listed(desk.get(url)) == [first.pk, second.pk, third.pk]
    assert "(3)" in desk.get(url).content.decode()
    services.reject(moderator, second, "spam", "")  # changed elsewhere (the API, another process)
    html = desk.get(url).content.decode()
    assert "(3)" in html and f'id="report-{second.pk}"' not in html  # the kept total lags, the rows do not
    # A desk action forgets the totals: the next page counts again.
    post_action(desk, first, "reject", reason="spam")
    assert "(1)" in desk.get(url).content.decode() and listed(desk.get(url)) == [third.pk]


def test_the_cached_total_expires(desk, city):
    from django.core.cache import cache

    url = reverse("moderation:queue", args=["new"])
    city.new()
    desk.get(url)
    city.new()
    cache.delete("page-count:queue:new")  # what COUNT_SECONDS later does
    assert "(2)" in desk.get(url).content.decode()
