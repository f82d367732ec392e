"""factory_boy factories and the named personas of the test suite."""

import factory
from django.contrib.gis.geos import Point

from accounts.models import Role, User
from organizations.models import Kind, Organization
from places.models import Building, District


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Иванов Иван {n}")
    role = Role.RESIDENT
    email_confirmed = True
    password = factory.PostGenerationMethodCall("set_password", "пароль-для-тестов-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def district(name: str) -> District:
    return District.objects.get(name=name)


def organization(code: str) -> Organization:
    return Organization.objects.get(code=code)


def council_of(district_name: str) -> Organization:
    return Organization.objects.get(kind=Kind.DISTRICT_COUNCIL, districts__name=district_name)


def housing_of(district_name: str) -> Organization:
    return Organization.objects.get(kind=Kind.HOUSING_SERVICE, districts__name=district_name)


def staff_of(org: Organization, **kwargs) -> User:
    return UserFactory(role=Role.STAFF, organization=org, **kwargs)


def supervisor_of(org: Organization, **kwargs) -> User:
    return UserFactory(role=Role.SUPERVISOR, organization=org, **kwargs)


def building_at(address_part: str) -> Building:
    return Building.objects.filter(address__icontains=address_part).order_by("pk").first()


# Known places.
RED_SQUARE = Point(37.6208, 55.7539, srid=4326)  # Тверской район, ЦАО
SAINT_PETERSBURG = Point(30.3141, 59.9386, srid=4326)


def processed_photo(size=(640, 480), colour=(100, 120, 90)):
    """A photo through the real pipeline, as a report's attachment."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from issues.photos import process_upload

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return process_upload(SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg"))


def submit(author, topic, point=RED_SQUARE, **kwargs):
    """A report in moderation, made by the real service (photos when needed)."""
    from issues.services import Submission, submit_report

    if topic.photo_required and "photos" not in kwargs:
        kwargs["photos"] = [processed_photo()]
    report, _ = submit_report(author, Submission(topic=topic, point=point, **kwargs))
    return report


def cached_session() -> int:
    """1 where a logged-in request reads its session from the cache
    (settings.SESSION_ENGINE: with Redis), else 0: a query it does not make."""
    from django.conf import settings

    return int(settings.SESSION_ENGINE.endswith("cached_db"))
