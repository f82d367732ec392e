"""Helpers of the API's tests: an uploaded JPEG, reports moved into any state
through the real services, and the error shape."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from issues import services
from issues.models import Outcome, Report
from tests.factories import RED_SQUARE, processed_photo, submit


def jpeg(name="photo.jpg", size=(640, 480), colour=(90, 140, 90)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


class Reports:
    """Reports in the states the API works on, made by the services."""

    def __init__(self, cast):
        self.cast = cast

    def new(self, author=None, topic=None, point=RED_SQUARE, **kwargs) -> Report:
        return submit(author or self.cast.resident, topic or self.cast.topic, point, **kwargs)

    def in_work(self, **kwargs) -> Report:
        report = self.new(**kwargs)
        services.publish(self.cast.moderator, report)
        return Report.objects.get(pk=report.pk)

    def answer_review(self, **kwargs) -> Report:
        report = self.in_work(**kwargs)
        services.answer(self.cast.staff, report, Outcome.DONE, "Убрано.", photos=[processed_photo()])
        return Report.objects.get(pk=report.pk)

    def answered(self, **kwargs) -> Report:
        report = self.answer_review(**kwargs)
        services.publish_answer(self.cast.moderator, report)
        return Report.objects.get(pk=report.pk)

    def disputed(self, **kwargs) -> Report:
        report = self.answered(**kwargs)
        services.reject_fix(self.cast.resident, report, "Мусор лежит.")
        return Report.objects.get(pk=report.pk)

    def redirect_request(self, **kwargs):
        return services.request_redirect(self.cast.staff, self.in_work(**kwargs), "Не наша территория.")

    def postpone_request(self, days=40, **kwargs):
        planned = dt.date.today() + dt.timedelta(days=days)
        return services.request_postponement(
            self.cast.staff, self.in_work(**kwargs), planned, "Сезонные работы."
        )


def error_of(response) -> dict:
    """The error body, after checking its shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "field", "details"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]
