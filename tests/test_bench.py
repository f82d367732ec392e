"""The benchmark suite's own parts that run without load: the minimal view it
measures against, the context it hands locust, and the report it writes."""

import csv
import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from bench import report
from issues.models import Status, Topic
from issues.services import publish
from tests.factories import UserFactory, submit


def test_the_minimal_view_does_one_query(db, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("minimal"), {"id": "1"})
    assert response.json() == {"found": False}
    # A bad id is the default id, not an error: the yardstick never fails.
    assert client.get(reverse("minimal"), {"id": "x"}).status_code == 200


def test_the_minimal_view_finds_a_report(db, client):
    author = UserFactory()
    made = submit(author, Topic.objects.filter(needs_building=False, season__isnull=True).first())
    assert client.get(reverse("minimal"), {"id": made.pk}).json() == {"found": True}


def test_the_context_gives_locust_working_sessions_and_tokens(db):
    from bench import context

    topic = Topic.objects.filter(needs_building=False, season__isnull=True).first()
    moderator = UserFactory(role=Role.MODERATOR)
    made = submit(UserFactory(), topic)
    publish(moderator, made)
    built = context.build()
    json.dumps(built)  # it is written as JSON
    assert made.pk in built["reports"]
    assert built["topic"] and len(built["points"]) == 200 and len(built["tokens"]) == 50
    assert made.status == Status.MODERATION  # the local object; the database has it in work

    moderator_client = Client()
    moderator_client.cookies[built["session_cookie"]] = built["moderator_session"]
    assert moderator_client.get(reverse("moderation:desk")).status_code == 200
    staff_client = Client()
    staff_client.cookies[built["session_cookie"]] = built["staff_session"]
    assert staff_client.get(reverse("backoffice:home")).status_code == 200
    token = built["tokens"][0]
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    # Run again: the same bench users, new sessions, the same tokens.
    assert context.build()["tokens"] == built["tokens"]


def _write(out, size, page, rps, p99, failures=0):
    path = out / f"{size}_{page}_stats.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Type", "Name", "Request Count", "Failure Count", "Requests/s", "50%", "95%", "99%"])
        writer.writerow(["GET", page, 100, failures, rps, 5, 8, p99])
        writer.writerow(["", "Aggregated", 100, failures, rps, 5, 8, p99])


@pytest.fixture
def results(tmp_path):
    for size, slow in (("100000", 1.0), ("1000000", 2.0)):
        _write(tmp_path, size, "Minimal", 1000, 10)
        _write(tmp_path, size, "Minimal2", 800, 14)
        _write(tmp_path, size, "MapCity", 600, 20)
        _write(tmp_path, size, "MapStreet", 400 / slow, 30 * slow)
        _write(tmp_path, size, "ApiCreate", 40, 200)  # below 50 per second
    (tmp_path / "100000_scheduler.txt").write_text(
        "проход с 1000 просроченными: 18.30 с, 5012 запросов, итог {}\nхолостой проход: медиана 5.9 мс"
    )
    return tmp_path


def test_the_report_checks_each_target_against_the_minimal_view(results):
    text = report.render(results, ["100000", "1000000"])
    first_size = text.split("### 1,000,000 reports")[0]
    lines = {
        line.split(" | ")[0].strip("| "): line for line in first_size.splitlines() if line.startswith("| ")
    }
    # 600 req/s against the minimal view's mean 900: 0.67, met; the API below 50/s: missed.
    assert (
        "0.67" in lines["public map, whole city (zoom 10)"]
        and "met" in lines["public map, whole city (zoom 10)"]
    )
    assert "**missed**" in lines["new report with a photo (API)"]
    assert "not measured" in lines["statistics page"]
    assert "1,000 falling due: 18.30 s (5012 queries); idle pass: 5.9 ms" in text
    # Growth: the street map halves its share of the minimal view: 2× > 1.5×.
    growth = text.split("### Growth")[1]
    street = next(line for line in growth.splitlines() if line.startswith("| public map, street level"))
    assert "2.00×" in street and "**missed**" in street


def _row(text: str, label: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(f"| {label}"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_each_page_is_measured_against_the_minimal_view_beside_it(tmp_path):
    # The machine slows down during the run: the minimal view gives 1,000
    # req/s first and 500 last. Each page is compared with the runs just
    # before and just after it, not with the mean of the first and last.
    _write(tmp_path, "100000", "Minimal", 1000, 10)
    _write(tmp_path, "100000", "MapCity_minimal", 1000, 10)
    _write(tmp_path, "100000", "MapCity", 400, 30)
    _write(tmp_path, "100000", "MapStreet_minimal", 600, 20)
    _write(tmp_path, "100000", "MapStreet", 150, 90)
    _write(tmp_path, "100000", "Minimal2", 500, 40)
    (tmp_path / "100000_order.txt").write_text("Minimal\nMapCity\nMapStreet\nMinimal2\n")
    text = report.render(tmp_path, ["100000"])
    # The run's first and last: 750 req/s, p99 25 ms.
    assert _row(text, "minimal view")[1:5] == ["750", "5", "8", "25"]
    # MapCity beside 1,000 (before) and 600 (after): 800, so 0.50 and 30 / 15 = 2.0×.
    city = _row(text, "public map, whole city")
    assert city[6:10] == ["800 · 15", "0.50", "2.0×", "met"]
    # MapStreet beside 600 and Minimal2's 500: 550, so 0.27, missed (against
    # the first and last it would have been 0.20), p99 90 / 30 = 3.0×.
    street = _row(text, "public map, street level")
    assert street[6:10] == ["550 · 30", "0.27", "3.0×", "**missed**"]


def test_a_page_without_a_minimal_run_beside_it_is_measured_against_the_first_and_last(tmp_path):
    _write(tmp_path, "100000", "Minimal", 1000, 10)
    _write(tmp_path, "100000", "Minimal2", 600, 30)
    _write(tmp_path, "100000", "MapCity", 400, 30)
    text = report.render(tmp_path, ["100000"])
    assert _row(text, "public map, whole city")[6:10] == ["800 · 20", "0.50", "1.5×", "met"]


def test_the_filing_rate_counts_the_work_it_left_to_the_worker(tmp_path):
    _write(tmp_path, "1000000", "Minimal", 150, 10)  # a share of 0.40 and 9× its p99: those are met
    _write(tmp_path, "1000000", "ApiCreate", 60, 90)  # 100 filings, 60/s while the load ran
    (tmp_path / "1000000_ApiCreate_queue.txt").write_text("left=80 drained=3 duration=2\n")
    text = report.render(tmp_path, ["1000000"])
    line = next(line for line in text.splitlines() if line.startswith("| new report with a photo"))
    # 100 filings in the 2 s of load and the 3 s the worker needed after it: 20/s.
    assert "**missed**" in line and "sustained 20 filings/s" in text
    (tmp_path / "1000000_ApiCreate_queue.txt").write_text("left=0 drained=0 duration=2\n")
    text = report.render(tmp_path, ["1000000"])
    line = next(line for line in text.splitlines() if line.startswith("| new report with a photo"))
    assert "| met |" in line and "sustained 60 filings/s" in text


def test_the_report_replaces_only_its_part_of_the_document(results, tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\nprose\n\n{report.BEGIN}\nold\n{report.END}\n\nmore prose\n")
    report.update(doc, report.render(results, ["100000"]))
    text = doc.read_text()
    assert text.startswith("# Performance\n\nprose\n\n") and text.endswith("\n\nmore prose\n")
    assert "old" not in text and "### 100,000 reports" in text
