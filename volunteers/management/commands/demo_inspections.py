"""Volunteer inspections in the demo city (after create_demo_users and
demo_city): checks ordered on disputed reports, the daily sample, and the
demo volunteer's work in each state, all through volunteers.services.
Once: a rerun changes nothing unless --force."""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand

from accounts.models import Role, User
from issues.demo import DEMO_DOMAIN, demo_photo
from issues.models import Report, Status
from issues.photos import process_upload
from volunteers import services
from volunteers.models import Inspection


class Command(BaseCommand):
    help = "Добавляет в демо-город общественные проверки (один раз; повторный запуск ничего не меняет)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--ordered", type=int, default=6, help="Сколько опровержений отправить на проверку."
        )
        parser.add_argument("--force", action="store_true", help="Добавить ещё, даже если проверки уже есть.")

    def handle(self, *args, ordered: int, force: bool, **options):
        if Inspection.objects.exists() and not force:
            self.stdout.write(f"Проверки уже есть: {Inspection.objects.count()}.")
            return
        moderator = (
            User.objects.filter(role=Role.MODERATOR, email__endswith=DEMO_DOMAIN).order_by("pk").first()
        )
        volunteer = (
            User.objects.filter(role=Role.VOLUNTEER, email__endswith=DEMO_DOMAIN).order_by("pk").first()
        )
        if moderator is None or volunteer is None:
            self.stderr.write("Нет демо-редактора или демо-волонтёра: сначала manage.py create_demo_users.")
            return
        rng = random.Random(2016)  # noqa: S311 - demo data, not secrets
        made = []
        disputed = Report.objects.filter(status=Status.DISPUTED, author__email__endswith=DEMO_DOMAIN)
        for report in disputed.exclude(inspections__status__in=["open", "taken", "submitted"])[:ordered]:
            made.append(
                services.order_inspection(moderator, report, "Сфотографируйте место с нескольких сторон.")
            )
        made += Inspection.objects.filter(pk__in=services.sample_done_answers())
        # The demo volunteer's work: one verdict accepted, one awaiting the desk, one in hand.
        for n, inspection in enumerate(made[:3]):
            if inspection.report.author_id == volunteer.pk:
                continue
            services.take_task(volunteer, inspection.pk)
            if n == 2:
                break
            photo = process_upload(demo_photo(f"Проверка {inspection.report.number}", rng))
            verdict = rng.choice(["not_fixed", "partly"]) if n == 0 else "fixed"
            services.submit_verdict(
                volunteer, inspection.pk, verdict, "Осмотрел место, фото прилагаю.", [photo]
            )
            if n == 1:
                services.accept_verdict(moderator, inspection.pk, "Спасибо за проверку.")
        self.stdout.write(f"Общественные проверки: создано {len(made)}.")
