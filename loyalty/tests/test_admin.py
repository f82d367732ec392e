"""The programme's admin: codes loaded from text or a file without repeats;
the ledger and donations only shown."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loyalty import services
from loyalty.models import Code, Entry, ProgrammeSettings, Reward
from loyalty.tests.helpers import credit, reward_with_codes

pytestmark = pytest.mark.django_db


def reward_form(**extra):
    return {
        "title": "Билет в Парк Горького",
        "partner": "Парк Горького",
        "kind": "park",
        "description": "",
        "how_to_use": "",
        "price": "40",
        "is_active": "on",
        "position": "0",
        **extra,
    }


def test_a_new_reward_gets_its_codes_from_the_text_area(admin_client):
    response = admin_client.post(
        reverse("admin:loyalty_reward_add"), reward_form(new_codes="P-1\nP-2\n\nP-1\n  P-3  \n"), follow=True
    )
    assert response.status_code == 200
    reward = Reward.objects.get()
    assert sorted(reward.codes.values_list("value", flat=True)) == ["P-1", "P-2", "P-3"]
    assert "Добавлено кодов: 3; пропущено (повторы и уже загруженные): 1." in response.content.decode()


def test_codes_from_a_file_skip_those_already_loaded(admin_client):
    reward = reward_with_codes(codes=0)
    services.load_codes(reward, "F-1")
    upload = SimpleUploadedFile("codes.txt", "\ufeffF-1\nF-2\r\nF-3\n".encode())
    admin_client.post(
        reverse("admin:loyalty_reward_change", args=[reward.pk]),
        reward_form(title=reward.title, codes_file=upload),
    )
    assert sorted(reward.codes.values_list("value", flat=True)) == ["F-1", "F-2", "F-3"]


def test_a_file_that_is_not_text_is_a_form_error(admin_client):
    upload = SimpleUploadedFile("codes.bin", b"\xff\xfe\x00\x81")
    response = admin_client.post(reverse("admin:loyalty_reward_add"), reward_form(codes_file=upload))
    assert "UTF-8" in response.content.decode() and not Reward.objects.exists()


def test_the_reward_list_shows_stock(admin_client, resident):
    credit(resident, 10)
    reward = reward_with_codes(price=10, codes=3)
    services.redeem(resident, reward.pk)
    response = admin_client.get(reverse("admin:loyalty_reward_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_list[0]._in_stock == 2


def test_the_ledger_is_read_only(admin_client, resident):
    entry = credit(resident, 10)
    assert admin_client.get(reverse("admin:loyalty_entry_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:loyalty_entry_change", args=[entry.pk])).status_code == 200
    assert (
        admin_client.post(
            reverse("admin:loyalty_entry_change", args=[entry.pk]), {"amount": 1000}
        ).status_code
        == 403
    )
    assert (
        admin_client.post(reverse("admin:loyalty_entry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert admin_client.get(reverse("admin:loyalty_entry_add")).status_code == 403
    assert Entry.objects.get(pk=entry.pk).amount == 10


def test_an_issued_code_cannot_be_deleted(admin_client, resident):
    credit(resident, 10)
    reward = reward_with_codes(price=10, codes=2)
    issued = services.redeem(resident, reward.pk)
    spare = reward.codes.exclude(pk=issued.pk).get()
    assert (
        admin_client.post(reverse("admin:loyalty_code_delete", args=[issued.pk]), {"post": "yes"}).status_code
        == 403
    )
    admin_client.post(reverse("admin:loyalty_code_delete", args=[spare.pk]), {"post": "yes"})
    assert list(Code.objects.all()) == [issued]


def test_settings_and_topic_points_are_edited_in_the_admin(admin_client, topic):
    assert admin_client.get(reverse("admin:loyalty_programmesettings_changelist")).status_code == 200
    admin_client.post(
        reverse("admin:loyalty_programmesettings_change", args=[1]),
        {"report_points": "12", "inspection_points": "30", "daily_cap": "60"},
    )
    assert (ProgrammeSettings.load().report_points, ProgrammeSettings.load().daily_cap) == (12, 60)
    admin_client.post(reverse("admin:loyalty_topicpoints_add"), {"topic": topic.pk, "points": "25"})
    assert services.points_for_topic(topic.pk) == 25
    assert admin_client.get(reverse("admin:loyalty_fund_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:loyalty_donation_changelist")).status_code == 200
