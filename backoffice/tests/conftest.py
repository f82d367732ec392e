"""Personas and helpers of the back office's tests.

Housing services of two districts (Тверской and Арбат) answer; the
Тверской district council supervises its housing service directly, the
Central okrug's prefecture through the council; the Northern okrug's
prefecture supervises neither."""

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Role
from issues import services
from issues.models import Topic
from organizations.models import Kind, Organization
from places.models import District
from tests.factories import UserFactory, staff_of, submit, supervisor_of

MSK = dt.timezone(dt.timedelta(hours=3))


def jpeg(name="after.jpg", size=(640, 480), colour=(90, 140, 90)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def broken_jpeg(name="broken.jpg") -> SimpleUploadedFile:
    data = jpeg().read()
    return SimpleUploadedFile(name, data[: len(data) // 2], content_type="image/jpeg")


def point_in(district_name: str):
    return District.objects.get(name=district_name).boundary.point_on_surface


@pytest.fixture
def cast():
    housing = Organization.objects.get(kind=Kind.HOUSING_SERVICE, districts__name="Тверской")
    other = Organization.objects.get(kind=Kind.HOUSING_SERVICE, districts__name="Арбат")
    council = housing.supervisor
    prefecture = council.supervisor
    foreign_prefecture = Organization.objects.filter(kind=Kind.PREFECTURE).exclude(pk=prefecture.pk).first()
    return SimpleNamespace(
        topic=Topic.objects.get(code="yard-not-cleaned"),
        other_topic=Topic.objects.get(code="driveway-potholes"),
        housing=housing,
        other=other,
        council=council,
        prefecture=prefecture,
        resident=UserFactory(role=Role.RESIDENT),
        moderator=UserFactory(role=Role.MODERATOR),
        volunteer=UserFactory(role=Role.VOLUNTEER),
        administrator=UserFactory(role=Role.ADMINISTRATOR),
        staff=staff_of(housing),
        colleague=staff_of(housing),
        stranger=staff_of(other),
        council_supervisor=supervisor_of(council),
        prefecture_supervisor=supervisor_of(prefecture),
        foreign_supervisor=supervisor_of(foreign_prefecture),
    )


@pytest.fixture
def publish(cast):
    """A report made and published by the real services, routed to
    `organization` (the Тверской housing service unless told)."""

    def make(topic=None, organization=None, point=None):
        kwargs = {"point": point} if point is not None else {}
        report = submit(cast.resident, topic or cast.topic, **kwargs)
        return services.publish(cast.moderator, report, organization or cast.housing)

    return make
