"""The topic catalog (issues/catalog/topics.csv) as load_catalog() loads it:
complete, routable, seasonal, and rerunnable without undoing an
administrator's edits."""

import csv
import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count, Max
from django.urls import reverse

from issues.catalog import GROUPS, load_catalog
from issues.models import SeasonalProject, Topic, TopicGroup
from organizations.models import Kind, Organization
from places.models import District

pytestmark = pytest.mark.django_db

PLACEHOLDER = "Описание отсутствует"


def residential_building_topic_names() -> list[str]:
    path = Path(settings.REFERENCE_DATA_DIR) / "nashgorod_topics_residential_building.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return [row["name"].strip() for row in csv.DictReader(fh) if row["name"].strip() != PLACEHOLDER]


def test_more_than_200_topics_are_active():
    assert Topic.objects.filter(is_active=True).count() >= 200


def test_every_group_has_topics():
    groups = TopicGroup.objects.annotate(n=Count("topics", distinct=True))

    assert sorted(groups.values_list("code", flat=True)) == sorted(code for code, _ in GROUPS)
    assert not [g.name for g in groups if g.n == 0]


def test_all_54_real_residential_building_topics_are_in_the_catalog():
    names = residential_building_topic_names()
    assert len(names) == 54

    present = set(Topic.objects.filter(name__in=names).values_list("name", flat=True))

    assert sorted(set(names) - present) == []
    assert set(Topic.objects.filter(name__in=names).values_list("group__code", flat=True)) == {"building"}


def test_every_topic_has_an_organization_to_answer_it():
    all_districts = set(District.objects.values_list("pk", flat=True))
    district_links = Organization.districts.through.objects.filter(organization__is_active=True)

    def serves_every_district(kind: str) -> bool:
        served = set(district_links.filter(organization__kind=kind).values_list("district_id", flat=True))
        return served == all_districts

    def has_city_wide(kind: str) -> bool:
        return Organization.objects.filter(kind=kind, city_wide=True, is_active=True).exists()

    unanswered = []
    for topic in Topic.objects.filter(is_active=True):
        if topic.responsible_code:
            ok = Organization.objects.filter(
                code=topic.responsible_code, kind=topic.responsible_kind, is_active=True
            ).exists()
        elif topic.responsible_kind == Kind.MANAGING_COMPANY:
            # Not every district has a managing company in the register: the
            # district's «Жилищник» answers where none manages the building.
            ok = serves_every_district(Kind.HOUSING_SERVICE)
        else:
            ok = has_city_wide(topic.responsible_kind) or serves_every_district(topic.responsible_kind)
        if not ok:
            unanswered.append((topic.code, topic.responsible_kind, topic.responsible_code))

    assert unanswered == []


def test_topics_about_a_building_go_to_managing_companies():
    names = residential_building_topic_names()

    assert set(Topic.objects.filter(name__in=names).values_list("responsible_kind", flat=True)) == {
        Kind.MANAGING_COMPANY
    }
    assert Topic.objects.filter(name__in=names, needs_building=True).count() == 54


@pytest.mark.parametrize(
    ("day", "is_open"),
    [
        ("2025-10-31", False),
        ("2025-11-01", True),
        ("2025-12-31", True),
        ("2026-01-01", True),
        ("2024-02-29", True),
        ("2026-04-15", True),
        ("2026-04-16", False),
        ("2026-07-01", False),
    ],
)
def test_the_winter_window_wraps_the_new_year(day, is_open):
    winter = SeasonalProject.objects.get(code="winter")

    assert (winter.starts, winter.ends) == ("11-01", "04-15")
    assert winter.is_open(datetime.date.fromisoformat(day)) is is_open


@pytest.mark.parametrize(
    ("day", "is_open"),
    [
        ("2026-05-24", False),
        ("2026-05-25", True),
        ("2026-07-15", True),
        ("2026-09-30", True),
        ("2026-10-01", False),
        ("2026-01-10", False),
    ],
)
def test_safe_summer_is_open_from_late_may_to_september(day, is_open):
    summer = SeasonalProject.objects.get(code="safe-summer")

    assert summer.name == "Безопасное лето"
    assert summer.is_open(datetime.date.fromisoformat(day)) is is_open


def test_a_seasonal_topic_is_offered_only_in_its_season():
    topic = Topic.objects.filter(season__code="winter").first()
    evergreen = Topic.objects.filter(season=None).first()

    assert topic.is_available(datetime.date(2026, 1, 15))
    assert not topic.is_available(datetime.date(2026, 7, 15))
    assert evergreen.is_available(datetime.date(2026, 7, 15))
    topic.is_active = False
    assert not topic.is_available(datetime.date(2026, 1, 15))


def test_a_rerun_changes_nothing():
    before = (
        Topic.objects.count(),
        Topic.objects.aggregate(top=Max("pk"))["top"],
        TopicGroup.objects.count(),
    )

    result = load_catalog()

    assert result.changed == 0
    assert result.unchanged == before[0]
    assert (
        Topic.objects.count(),
        Topic.objects.aggregate(top=Max("pk"))["top"],
        TopicGroup.objects.count(),
    ) == (before)
    assert load_catalog(update=True).changed == 0


def test_a_rerun_keeps_an_administrators_edit_unless_asked_to_update():
    topic = Topic.objects.get(code="elevator-needs-repair")
    Topic.objects.filter(pk=topic.pk).update(deadline_days=3, hint="Своя подсказка")

    assert load_catalog().changed == 0
    topic.refresh_from_db()
    assert (topic.deadline_days, topic.hint) == (3, "Своя подсказка")

    result = load_catalog(update=True)

    assert (result.created, result.updated) == (0, 1)
    topic.refresh_from_db()
    assert topic.deadline_days == 8
    assert topic.hint.startswith("Сфотографируйте неисправность лифта")


def test_the_command_loads_the_catalog(capsys):
    from django.core.management import call_command

    call_command("load_topics")

    assert f"без изменений {Topic.objects.count()}" in capsys.readouterr().out


def test_an_administrator_edits_activity_and_deadline_in_the_topic_list(admin_client):
    topics = list(Topic.objects.filter(group__code="clocks").order_by("pk")[:2])
    url = reverse("admin:issues_topic_changelist") + "?group__id__exact=" + str(topics[0].group_id)
    page = admin_client.get(url)
    assert page.status_code == 200
    formset = page.context["cl"].formset
    data = {
        "form-TOTAL_FORMS": str(formset.total_form_count()),
        "form-INITIAL_FORMS": str(formset.initial_form_count()),
        "_save": "Сохранить",
    }
    for i, form in enumerate(formset.forms):
        topic = form.instance
        data[f"form-{i}-id"] = str(topic.pk)
        data[f"form-{i}-deadline_days"] = str(topic.deadline_days)
        if topic.is_active:
            data[f"form-{i}-is_active"] = "on"
    first = next(i for i, f in enumerate(formset.forms) if f.instance.pk == topics[0].pk)
    data[f"form-{first}-deadline_days"] = "5"
    data.pop(f"form-{first}-is_active", None)

    response = admin_client.post(url, data)

    assert response.status_code == 302
    topics[0].refresh_from_db()
    topics[1].refresh_from_db()
    assert (topics[0].deadline_days, topics[0].is_active) == (5, False)
    assert topics[1].is_active
