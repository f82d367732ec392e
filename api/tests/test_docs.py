"""The OpenAPI schema and its pages, which must work offline: Swagger UI
and ReDoc load only our own static files (drf-spectacular-sidecar)."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_with_the_error_shape_everywhere(client):
    schema = client.get(reverse("api:schema") + "?format=json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/reports/" in schema["paths"]
    create = schema["paths"]["/api/v1/reports/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert {"201", "200", "400", "401", "403", "409", "429"} <= set(create["responses"])
    assert "Error" in schema["components"]["schemas"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_docs_pages_use_only_local_static_files(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert sources, html
    assert all(not re.match(r"^(https?:)?//", s) for s in sources), sources
    assert not re.search(r"https?://(cdn|unpkg|fonts)\.", html)
    assert any("drf_spectacular_sidecar" in s for s in sources)
    for source in sources:
        if source.startswith(settings.STATIC_URL):
            path = source.removeprefix(settings.STATIC_URL).split("?")[0]
            assert finders.find(path), source  # shipped with the sidecar
