"""The organizations admin: found by name or code (accounts' user form picks
an organization through its autocomplete), filtered by kind, and never a
select of 33k buildings."""

import pytest
from django.urls import reverse

from accounts.models import Role
from organizations.models import Kind, Organization
from tests.factories import UserFactory, housing_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:organizations_organization_changelist")


@pytest.fixture
def admin_client(client):
    client.force_login(
        UserFactory(email="root@example.test", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    )
    return client


def autocomplete(client, term: str) -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "user", "field_name": "organization", "term": term},
    )
    assert response.status_code == 200
    return [item["text"] for item in response.json()["results"]]


def test_the_user_form_finds_an_organization_by_name(admin_client):
    assert "ГБУ «Жилищник района Тверской»" in autocomplete(admin_client, "Жилищник района Тверской")


def test_the_user_form_finds_an_organization_by_code(admin_client):
    assert autocomplete(admin_client, "mossvet") == ["ГУП «Моссвет»"]


def test_the_list_is_filtered_by_kind_and_city_wide(admin_client):
    page = admin_client.get(CHANGELIST, {"kind__exact": Kind.UTILITY, "city_wide__exact": "1"})

    codes = {org.code for org in page.context["cl"].result_list}
    assert codes == {"mosvodostok", "mosvodokanal", "moek", "mossvet"}


def test_the_list_is_searched_by_code(admin_client):
    page = admin_client.get(CHANGELIST, {"q": "dep-housing"})

    assert [org.code for org in page.context["cl"].result_list] == ["dep-housing"]


def test_a_housing_service_page_lists_no_buildings_and_searches_its_supervisor(admin_client):
    housing = housing_of("Тверской")
    assert housing.buildings.count() > 100

    page = admin_client.get(reverse("admin:organizations_organization_change", args=[housing.pk]))
    content = page.content.decode()

    assert page.status_code == 200
    assert content.count("<option") < 100  # kind, and the chosen supervisor, okrug and district
    assert 'class="vManyToManyRawIdAdminField"' in content
    form = page.context["adminform"].form
    for name in ("supervisor", "okrug", "districts"):
        assert "admin-autocomplete" in form.fields[name].widget.render(name, None), name
    assert f"домов в управлении: {housing.buildings.count()}" in content


def test_an_organizations_supervisor_is_changed_in_the_admin(admin_client):
    company = Organization.objects.filter(kind=Kind.MANAGING_COMPANY).first()
    url = reverse("admin:organizations_organization_change", args=[company.pk])
    buildings = sorted(company.buildings.values_list("pk", flat=True))
    data = {
        "name": company.name,
        "code": company.code,
        "kind": company.kind,
        "is_active": "on",
        "email": "uk@example.test",
        "phone": "",
        "okrug": "",
        "supervisor": Organization.objects.get(code="oati").pk,
        "districts": [d.pk for d in company.districts.all()],
        "buildings": ",".join(map(str, buildings)),
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    company.refresh_from_db()
    assert (company.supervisor.code, company.email) == ("oati", "uk@example.test")
    assert sorted(company.buildings.values_list("pk", flat=True)) == buildings
