"""Demo data of the programme: partners' rewards with codes, charity funds,
and points for the demo resident earned the real way (reports answered and
published through issues.services). Safe to run again: nothing is doubled."""

from __future__ import annotations

import hashlib
import random

from django.contrib.gis.geos import Point

from accounts.models import User
from issues import services as issues
from issues.models import Outcome, Report, Topic
from issues.services import Submission, submit_report
from loyalty import services
from loyalty.models import Entry, Fund, ProgrammeSettings, Reward

DEMO_DOMAIN = "demo.nashgorod.local"
CODES_PER_REWARD = 25

REWARDS = [
    # title, partner, kind, price, how to use
    (
        "Билет в Музей Москвы",
        "Музей Москвы",
        Reward.Kind.MUSEUM,
        50,
        "Покажите код на кассе музея (Зубовский бульвар, 2). Действует 3 месяца.",
    ),
    (
        "Скидка 20% на прокат «Велобайка»",
        "Велобайк",
        Reward.Kind.PROMO,
        20,
        "Введите промокод в приложении «Велобайк» в разделе «Промокоды».",
    ),
    (
        "Каток в Парке Горького",
        "Парк Горького",
        Reward.Kind.PARK,
        80,
        "Назовите код в кассе катка; прокат коньков оплачивается отдельно.",
    ),
    (
        "Экскурсия по Зарядью",
        "Парк «Зарядье»",
        Reward.Kind.PARK,
        150,
        "Запишитесь на экскурсию на сайте парка и укажите код при записи.",
    ),
]

FUNDS = [
    ("Добрый город", "Помощь одиноким пожилым москвичам: продукты, лекарства, визиты волонтёров."),
    ("Зелёная Москва", "Посадка деревьев и кустарников во дворах по заявкам жителей."),
    ("Лапа помощи", "Корм и лечение для животных из городских приютов."),
]


def _codes(title: str, n: int) -> list[str]:
    """Stable, distinct demo codes: rerunning the load adds none."""
    prefix = hashlib.sha256(title.encode()).hexdigest()[:4].upper()
    return [f"DEMO-{prefix}-{i:04d}" for i in range(1, n + 1)]


def load_rewards() -> tuple[int, int]:
    """Rewards and funds; returns (rewards made, codes added)."""
    ProgrammeSettings.load()
    made = added = 0
    for position, (title, partner, kind, price, how) in enumerate(REWARDS):
        reward, created = Reward.objects.get_or_create(
            title=title,
            defaults={
                "partner": partner,
                "kind": kind,
                "price": price,
                "how_to_use": how,
                "position": position,
            },
        )
        made += created
        added += services.load_codes(reward, _codes(title, CODES_PER_REWARD))[0]
    for position, (name, description) in enumerate(FUNDS):
        Fund.objects.get_or_create(name=name, defaults={"description": description, "position": position})
    return made, added


def earn_demo_points(reports: int = 3) -> int:
    """The demo resident's reports walked to a published «выполнено» answer,
    so that their points come from the ledger's real path. Returns the
    resident's entries made now (none if they have points already)."""
    resident = User.objects.filter(email=f"resident@{DEMO_DOMAIN}").first()
    moderator = User.objects.filter(email=f"moderator@{DEMO_DOMAIN}").first()
    staff = User.objects.filter(email=f"staff@{DEMO_DOMAIN}").first()
    if not (resident and moderator and staff) or Entry.objects.filter(user=resident).exists():
        return 0
    topic = Topic.objects.filter(code="yard-not-cleaned").first()
    if topic is None:
        return 0
    rng = random.Random(5)  # noqa: S311 - demo data
    made = 0
    for _ in range(reports):
        # Around Red Square (Тверской район): the demo staff's housing service answers there.
        point = Point(37.6208 + rng.uniform(-0.001, 0.001), 55.7539 + rng.uniform(-0.0005, 0.0005), srid=4326)
        photos = []
        if topic.photo_required:
            from issues.demo import demo_photo
            from issues.photos import process_upload

            photos = [process_upload(demo_photo(topic.name, rng))]
        report, _ = submit_report(resident, Submission(topic=topic, point=point, photos=photos))
        issues.publish(moderator, report)
        report = Report.objects.get(pk=report.pk)
        if report.organization_id != staff.organization_id:
            continue
        issues.answer(staff, report, Outcome.DONE, "Территория убрана, мусор вывезен.")
        event = issues.publish_answer(moderator, report).events.order_by("-pk").first()
        # The hook has paid already after commit; calling again adds nothing (an award is made once).
        services.award_for_answer(event.pk)
        made += 1
    return made
