"""Open data: the CSV (parsed), the XLSX (loaded with openpyxl) and the JSON
carry the same figures as the pages, and the published reports with the
dates of each stage."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from places.models import District
from stats import exports
from stats.tests.city import NOVEMBER

pytestmark = pytest.mark.django_db
COUNTS = [
    "received",
    "published",
    "answered",
    "answered_on_time",
    "answered_late",
    "confirmed",
    "disputed",
    "returned",
    "resolved",
    "in_work",
    "overdue",
]


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    return [r + [None] * (len(rows[0]) - len(r)) for r in rows]  # empty trailing cells are not stored


def check_counts(found: dict, figures: dict, convert=int) -> None:
    assert {k: convert(found[k]) for k in COUNTS} == {k: figures[k] for k in COUNTS}
    median = figures["median_hours"]
    if median is None:
        assert found["median_answer_days"] in ("", None)
    else:
        assert float(found["median_answer_days"]) == round(median / 24, 1)


def test_the_districts_csv_has_every_district_with_its_figures(client, city, the_end):
    rows = csv_rows(client.get(reverse("stats:export", args=["districts", "csv"])))
    assert len(rows) == District.objects.count()
    by_id = {int(r["district_id"]): r for r in rows}
    a, b = by_id[city.a.pk], by_id[city.b.pk]
    assert (a["district"], a["okrug"]) == ("Тверской", city.okrug_a.name)
    check_counts(a, NOVEMBER["district_a"])
    check_counts(b, NOVEMBER["district_b"])
    assert float(a["on_time_share"]) == 0.75 and float(a["overdue_share"]) == 1.0
    assert float(a["p90_answer_days"]) == 14.0
    assert all(r["received"] == "0" for pk, r in by_id.items() if pk not in (city.a.pk, city.b.pk))


def test_the_organizations_csv_and_xlsx(client, city, the_end):
    rows = csv_rows(client.get(reverse("stats:export", args=["organizations", "csv"])))
    by_id = {int(r["organization_id"]): r for r in rows}
    assert set(by_id) == {city.ha.pk, city.rs.pk}
    check_counts(by_id[city.ha.pk], NOVEMBER["ha"])
    check_counts(by_id[city.rs.pk], NOVEMBER["rs"])
    assert by_id[city.rs.pk]["kind"] == "дорожная служба"

    sheet = xlsx_rows(client.get(reverse("stats:export", args=["organizations", "xlsx"])))
    header, body = sheet[0], sheet[1:]
    assert header[:3] == ["Код организации", "Организация", "Тип"] and "Просрочено сейчас" in header
    keys = [key for key, _ in exports.TABLE_KEYS["organizations"] + exports.FIGURE_COLUMNS]
    by_id = {r[0]: dict(zip(keys, r, strict=True)) for r in body}
    check_counts(by_id[city.ha.pk], NOVEMBER["ha"])
    assert by_id[city.ha.pk]["on_time_share"] == 0.75


def test_the_published_reports_with_the_dates_of_each_stage(client, city, the_end):
    rows = csv_rows(client.get(reverse("stats:export", args=["reports", "csv"])))
    assert list(rows[0]) == exports.REPORT_COLUMNS
    by_id = {int(r["id"]): r for r in rows}
    published_in_november = {city.reports[n].pk for n in ("r1", "r2", "r3", "r4", "r6", "r7")}
    assert set(by_id) == published_in_november
    r2 = by_id[city.reports["r2"].pk]
    assert {k: r2[k] for k in ("received", "published", "answered", "resolved", "status", "outcome")} == {
        "received": "2026-11-02",
        "published": "2026-11-02",
        "answered": "2026-11-16",
        "resolved": "2026-11-18",
        "status": "resolved",
        "outcome": "done",
    }
    assert (r2["district"], r2["okrug"], r2["organization"]) == ("Тверской", city.okrug_a.name, city.ha.name)
    assert (r2["topic"], r2["topic_group"]) == (city.reports["r2"].topic.name, city.yard.name)
    r3 = by_id[city.reports["r3"].pk]
    assert (r3["answered"], r3["resolved"], r3["status"], r3["status_name"]) == (
        "",
        "",
        "in_work",
        "В работе",
    )
    # Narrowed to a district, and another period.
    in_b = csv_rows(client.get(reverse("stats:export", args=["reports", "csv"]), {"district": city.b.pk}))
    assert {int(r["id"]) for r in in_b} == {city.reports["r4"].pk, city.reports["r6"].pk}
    october = csv_rows(
        client.get(
            reverse("stats:export", args=["reports", "csv"]),
            {"period": "custom", "from": "2026-10-01", "to": "2026-10-31"},
        )
    )
    assert {int(r["id"]) for r in october} == {city.reports["r8"].pk, city.reports["r9"].pk}

    sheet = xlsx_rows(client.get(reverse("stats:export", args=["reports", "xlsx"])))
    assert sheet[0][0] == "Номер" and len(sheet) == 1 + len(published_in_november)
    assert {r[0] for r in sheet[1:]} == published_in_november


def test_too_many_reports_for_a_worksheet_point_to_the_csv(client, city, the_end, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    response = client.get(reverse("stats:export", args=["reports", "xlsx"]))
    assert response.status_code == 413 and "CSV" in response.content.decode()


def test_the_json_api(client, city, the_end):
    body = client.get(reverse("stats:api-city")).json()
    assert body["period"] == {"from": "2026-11-01", "to": "2026-11-27"}
    check_counts(body["figures"], NOVEMBER["city"])
    assert body["figures"]["on_time_share"] == 0.8 and body["figures"]["p90_answer_days"] == 14.0
    okrugs = {o["id"]: o for o in body["okrugs"]}
    check_counts(okrugs[city.okrug_a.pk], NOVEMBER["okrug_a"])
    groups = {g["id"]: g for g in body["topic_groups"]}
    check_counts(groups[city.roads.pk], NOVEMBER["roads"])
    assert [r["id"] for r in body["ranking"]] == [city.ha.pk, city.rs.pk]
    assert sum(d["received"] for d in body["per_day"]) == 7

    org = client.get(reverse("stats:api-org", args=[city.rs.pk])).json()
    check_counts(org["figures"], NOVEMBER["rs"])
    check_counts({d["id"]: d for d in org["districts"]}[city.b.pk], NOVEMBER["rs_b"])
    district = client.get(reverse("stats:api-district", args=[city.a.pk])).json()
    check_counts({o["id"]: o for o in district["orgs"]}[city.ha.pk], NOVEMBER["ha"])
    okrug = client.get(reverse("stats:api-okrug", args=[city.okrug_b.pk])).json()
    check_counts(okrug["figures"], NOVEMBER["okrug_b"])

    districts = client.get(reverse("stats:api-districts")).json()["results"]
    check_counts({d["district_id"]: d for d in districts}[city.a.pk], NOVEMBER["district_a"])
    orgs = client.get(reverse("stats:api-organizations")).json()["results"]
    check_counts({o["organization_id"]: o for o in orgs}[city.rs.pk], NOVEMBER["rs"])

    assert client.get(reverse("stats:api-city"), {"period": "decade"}).status_code == 400


def test_the_reports_api_pages_by_number(client, city, the_end):
    first = client.get(reverse("stats:api-reports"), {"limit": 4}).json()
    assert len(first["results"]) == 4 and first["next"]
    second = client.get(first["next"]).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert ids == sorted(ids) and len(ids) == 6 and second["next"] is None
    r1 = next(r for r in first["results"] if r["id"] == city.reports["r1"].pk)
    assert (r1["received"], r1["answered"], r1["resolved"], r1["outcome"]) == (
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
        "done",
    )
