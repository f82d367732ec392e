from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from accounts.models import Role, User
from organizations.models import Kind

pytestmark = pytest.mark.django_db

EMAILS = {
    Role.RESIDENT: "resident@demo.nashgorod.local",
    Role.STAFF: "staff@demo.nashgorod.local",
    Role.MODERATOR: "moderator@demo.nashgorod.local",
    Role.VOLUNTEER: "volunteer@demo.nashgorod.local",
    Role.SUPERVISOR: "supervisor@demo.nashgorod.local",
    Role.ADMINISTRATOR: "admin@demo.nashgorod.local",
}


def run(*args) -> str:
    out = StringIO()
    call_command("create_demo_users", "--force", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[dict]:
    return [model_to_dict(u) | {"password": u.password} for u in User.objects.order_by("email")]


def test_creates_one_confirmed_user_per_role():
    output = run()

    users = {u.role: u for u in User.objects.all()}
    assert set(users) == set(Role)
    assert {r: u.email for r, u in users.items()} == EMAILS
    for user in users.values():
        assert user.email_confirmed and user.is_active
        assert user.check_password("demo-nashgorod")
        assert user.email in output
    assert output.count("demo-nashgorod") == 6
    assert output.count("создан") == 6


def test_staff_and_supervisor_belong_to_tverskoy():
    run()

    staff = User.objects.get(email=EMAILS[Role.STAFF])
    assert staff.organization.kind == Kind.HOUSING_SERVICE
    assert list(staff.organization.districts.values_list("name", flat=True)) == ["Тверской"]
    supervisor = User.objects.get(email=EMAILS[Role.SUPERVISOR])
    assert supervisor.organization.kind == Kind.PREFECTURE
    assert supervisor.organization.districts.filter(name="Тверской").exists()
    # The prefecture sits above the housing service (through the council).
    assert staff.organization.supervisor.supervisor == supervisor.organization


def test_only_the_admin_is_a_superuser():
    run()

    assert list(User.objects.filter(is_superuser=True).values_list("email", flat=True)) == [
        EMAILS[Role.ADMINISTRATOR]
    ]
    assert list(User.objects.filter(is_staff=True).values_list("email", flat=True)) == [
        EMAILS[Role.ADMINISTRATOR]
    ]


def test_running_twice_changes_nothing():
    run()
    before = snapshot()

    output = run()

    assert snapshot() == before
    assert output.count("без изменений") == 6


def test_rerun_keeps_a_password_the_user_changed_unless_asked():
    run("--password", "first-pass")
    moderator = User.objects.get(email=EMAILS[Role.MODERATOR])
    moderator.set_password("my-own-secret")
    moderator.save()

    output = run("--password", "first-pass")

    moderator.refresh_from_db()
    assert moderator.check_password("my-own-secret")
    assert "(изменён пользователем)" in output
    assert "my-own-secret" not in output

    run("--password", "first-pass", "--reset-passwords")

    moderator.refresh_from_db()
    assert moderator.check_password("first-pass")


def test_rerun_restores_the_role_of_a_demo_account():
    run()
    User.objects.filter(email=EMAILS[Role.VOLUNTEER]).update(role=Role.RESIDENT, email_confirmed=False)

    output = run()

    volunteer = User.objects.get(email=EMAILS[Role.VOLUNTEER])
    assert volunteer.role == Role.VOLUNTEER
    assert volunteer.email_confirmed is True
    assert output.count("обновлён") == 1


def test_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("create_demo_users", stdout=StringIO())

    assert not User.objects.exists()
