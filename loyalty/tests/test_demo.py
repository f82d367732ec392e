"""The demo step of bin/run: rewards with codes, funds, and the demo resident's
points earned through the real services; a second run doubles nothing."""

import pytest
from django.core.management import call_command

from accounts.models import User
from loyalty import selectors
from loyalty.models import Code, Entry, Fund, Reason, Reward

pytestmark = pytest.mark.django_db


def test_load_demo_rewards_twice(django_capture_on_commit_callbacks):
    call_command("create_demo_users", "--force", verbosity=0)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_rewards", verbosity=0)
        call_command("load_demo_rewards", verbosity=0)
    assert Reward.objects.count() == 4 and Fund.objects.count() == 3
    assert Code.objects.count() == 100
    resident = User.objects.get(email="resident@demo.nashgorod.local")
    assert Entry.objects.filter(user=resident, reason=Reason.REPORT_CONFIRMED).count() == 3
    assert selectors.balance(resident) == 30
