# ruff: noqa: S311 - random picks of test data, not secrets
"""The load the benchmark puts on the portal: one user class per measured
page, run one at a time by bin/bench (locust --headless ... <Class>), each
beside `Minimal`, a view doing one indexed query, in the same run.

The context (ids, sessions, tokens) comes from bench/context.py through the
BENCH_CONTEXT file.
"""

from __future__ import annotations

import io
import json
import os
import random
import uuid

from locust import FastHttpUser, constant, task

CONTEXT = json.loads(open(os.environ["BENCH_CONTEXT"], encoding="utf-8").read())  # noqa: SIM115
# The whole city at zoom 10 (as the map opens), and street-level boxes
# (1280×800 px at zoom 16) around busy places of the centre and the outskirts.
CITY_BOX = "36.75,55.05,38.0,56.1"
STREET_CENTRES = [
    (37.6010, 55.7650),
    (37.6175, 55.7540),
    (37.5800, 55.6800),
    (37.7400, 55.8100),
    (37.4500, 55.8500),
]
SUGGEST_QUERIES = [
    "академическ",
    "ул. Академическая Б., д. 4",
    "Королёва 9 корп. 1",
    "ле",
    "проспект мира 1",
    "тверская 7",
    "Ленинский пр 30",
    "профсоюзная",
    "марьино",
    "Островитянова 1",
]
LAT_FACTOR = 0.5628  # cos(55.75°)


def street_box(centre, zoom=16, width_px=1280, height_px=800) -> str:
    degrees_per_px = 360 / (256 * 2**zoom)
    half_w, half_h = width_px / 2 * degrees_per_px, height_px / 2 * degrees_per_px * LAT_FACTOR
    x, y = centre
    return f"{x - half_w:.6f},{y - half_h:.6f},{x + half_w:.6f},{y + half_h:.6f}"


def _photo() -> bytes:
    """A 1280x960 JPEG that costs what a phone's photo costs: gradients and
    grain rather than one flat colour (about 250 KB at quality 90), with the
    EXIF a phone writes (camera, place). Made once; Pillow is in
    .venv-bench."""
    from PIL import ExifTags, Image, ImageFilter

    base = Image.radial_gradient("L").resize((1280, 960)).convert("RGB")
    grain = Image.effect_noise((1280, 960), 40).convert("RGB")
    picture = Image.blend(base, grain, 0.35).filter(ImageFilter.GaussianBlur(0.8))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "BenchCam"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (55.0, 45.0, 21.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (37.0, 37.0, 4.0),
        }
    )
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


PHOTO = _photo()


class Base(FastHttpUser):
    abstract = True
    wait_time = constant(0)  # closed loop: each user sends the next request when the last returns


class Minimal(Base):
    @task
    def minimal(self):
        self.client.get(f"/health/minimal/?id={random.choice(CONTEXT['reports'])}", name="minimal")


class MapCity(Base):
    @task
    def map_city(self):
        self.client.get(f"/map/data/?bbox={CITY_BOX}&zoom=10", name="map city")


class MapStreet(Base):
    @task
    def map_street(self):
        box = street_box(random.choice(STREET_CENTRES))
        self.client.get(f"/map/data/?bbox={box}&zoom=16", name="map street")


class ReportPage(Base):
    @task
    def report_page(self):
        self.client.get(f"/reports/{random.choice(CONTEXT['reports'])}/", name="report page")


class Suggest(Base):
    @task
    def suggest(self):
        self.client.get("/places/suggest/", params={"q": random.choice(SUGGEST_QUERIES)}, name="suggest")


class StatsPage(Base):
    @task
    def stats(self):
        self.client.get("/stats/", name="stats")


class ModerationQueue(Base):
    @task
    def queue(self):
        self.client.get(
            "/moderation/queues/new/", headers=_session("moderator_session"), name="moderation queue"
        )


class OfficeList(Base):
    @task
    def office(self):
        self.client.get("/office/", headers=_session("staff_session"), name="office list")


class ApiCreate(Base):
    """A new report with a photo through the mobile API, by one of the
    bench residents (spread so that the per-user hourly limit is not what
    is measured: bin/bench raises it for the run)."""

    @task
    def create(self):
        lon, lat = random.choice(CONTEXT["points"])
        fields = {
            "topic": str(CONTEXT["topic"]),
            "lat": f"{lat + random.uniform(-0.0003, 0.0003):.6f}",
            "lon": f"{lon + random.uniform(-0.0003, 0.0003):.6f}",
            "description": "Бенчмарк: сообщение с фотографией.",
            "submission_key": str(uuid.uuid4()),
        }
        body, content_type = _multipart(fields, ("photos", "photo.jpg", PHOTO))
        token = random.choice(CONTEXT["tokens"])
        with self.client.post(
            "/api/v1/reports/",
            data=body,
            headers={"Authorization": f"Token {token}", "Content-Type": content_type},
            name="api create report",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                # The error report then says why (the API's own message).
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")


def _session(which: str) -> dict:
    return {"Cookie": f"{CONTEXT['session_cookie']}={CONTEXT[which]}"}


def _multipart(fields: dict, file: tuple[str, str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    name, filename, content = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Minimal2(Minimal):
    """The minimal view again at the end of the run: drift shows."""
