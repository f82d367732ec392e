"""What goes wrong around a call: a body Django will not read and a server
error are the standard's error list in the path's format, never Django's
HTML pages."""

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client

from accounts.models import User
from issues.models import Report
from open311.tests.conftest import FORM_ENCODED, FORMATS, errors, url
from open311.tests.test_post_requests import filing

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_client():
    """A client that returns the 500 response instead of raising the view's exception."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_body_too_large_is_400_in_the_format_asked(client, key, topic, settings, fmt):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    before = (Report.objects.count(), User.objects.count())
    data = urlencode(filing(key, description="x" * (65 * 1024)))
    (description,) = errors(client.post(url("requests", fmt), data, content_type=FORM_ENCODED), 400)
    assert "слишком велик" in description and "0.0625 МБ" in description
    assert (Report.objects.count(), User.objects.count()) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_too_many_fields_or_files_are_400(client, key, topic, settings, fmt):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    fields = {**filing(key), **{f"extra{i}": "x" for i in range(60)}}
    (description,) = errors(
        client.post(url("requests", fmt), urlencode(fields), content_type=FORM_ENCODED), 400
    )
    assert "не больше 50" in description
    files = {**filing(key), "media": [SimpleUploadedFile(f"{i}.jpg", b"x") for i in range(4)]}
    (description,) = errors(client.post(url("requests", fmt), files), 400)
    assert "файлов: не больше 3" in description
    # The query string of a GET counts too.
    query = "&".join(f"p{i}=1" for i in range(60))
    errors(client.get(url("requests", fmt) + "?" + query), 400)
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_broken_multipart_body_is_400(client, key, fmt):
    response = client.post(url("requests", fmt), b"api_key=x", content_type="multipart/form-data")
    (description,) = errors(response, 400)
    assert "multipart/form-data" in description


def _database_down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", ["services", "services/road-potholes", "requests", "discovery"])
def test_a_server_error_is_500_in_the_format_asked(quiet_client, fmt, path):
    with connection.execute_wrapper(_database_down):
        response = quiet_client.get(url(path, fmt))
    (description,) = errors(response, 500)
    assert "Внутренняя ошибка сервера" in description
    assert "closed the connection" not in description  # no internals in the answer


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_server_error_on_post_is_500_and_reported(client, quiet_client, key, topic, fmt):
    data = urlencode(filing(key))
    with connection.execute_wrapper(_database_down):
        errors(quiet_client.post(url("requests", fmt), data, content_type=FORM_ENCODED), 500)
        # Reported as Django reports it (got_request_exception), which the test client re-raises.
        with pytest.raises(OperationalError):
            client.post(url("requests", fmt), data, content_type=FORM_ENCODED)


def test_debug_propagate_exceptions_still_propagates(quiet_client, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    with connection.execute_wrapper(_database_down), pytest.raises(OperationalError):
        quiet_client.get(url("services", "json"))
