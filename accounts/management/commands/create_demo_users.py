"""One demo account per role, for trying the portal out and for the demo data.

Idempotent: accounts are matched on their e-mail; a rerun restores what makes
each account play its role (role, organization, confirmed, active, admin
flags) and leaves the rest alone, including a password its user has changed,
unless --reset-passwords is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, User
from organizations.models import Kind, Organization

DEMO_DOMAIN = "demo.nashgorod.local"
DEFAULT_PASSWORD = "demo-nashgorod"  # noqa: S105 (a demo password, printed on purpose)
DEMO_DISTRICT = "Тверской"


@dataclass(frozen=True)
class DemoUser:
    login: str
    role: Role
    full_name: str
    # "housing": the district's housing service; "prefecture": its prefecture.
    organization: str | None = None
    superuser: bool = False

    @property
    def email(self) -> str:
        return f"{self.login}@{DEMO_DOMAIN}"


DEMO_USERS = (
    DemoUser("resident", Role.RESIDENT, "Демо Житель"),
    DemoUser("staff", Role.STAFF, "Демо Сотрудник", organization="housing"),
    DemoUser("moderator", Role.MODERATOR, "Демо Редактор"),
    DemoUser("volunteer", Role.VOLUNTEER, "Демо Волонтёр"),
    DemoUser("supervisor", Role.SUPERVISOR, "Демо Контролёр", organization="prefecture"),
    DemoUser("admin", Role.ADMINISTRATOR, "Демо Администратор", superuser=True),
)


class Command(BaseCommand):
    help = "Создаёт по одному демо-пользователю на каждую роль (повторный запуск ничего не меняет)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Пароль новых демо-пользователей (по умолчанию {DEFAULT_PASSWORD}).",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Вернуть этот пароль и тем демо-пользователям, что уже есть.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Запустить при DEBUG=false (демо-пароль известен всем, на боевом сервере не нужен).",
        )

    def handle(self, *args, password: str, reset_passwords: bool, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG выключен: демо-пользователи с общеизвестным паролем на боевом сервере опасны. "
                "Если это действительно нужно, добавьте --force."
            )
        if not password:
            raise CommandError("Пароль не может быть пустым.")
        organizations = _demo_organizations()
        rows = []
        with transaction.atomic():
            for spec in DEMO_USERS:
                org = organizations[spec.organization] if spec.organization else None
                user, outcome, password_known = _ensure(spec, org, password, reset_passwords)
                shown = password if password_known else "(изменён пользователем)"
                rows.append((user.get_role_display(), user.email, shown, org.name if org else "—", outcome))
        if options["verbosity"]:
            self._print_table(rows)

    def _print_table(self, rows) -> None:
        header = ("Роль", "Логин (e-mail)", "Пароль", "Организация", "Итог")
        widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]

        def line(cells):
            return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write(line(header))
        self.stdout.write(line("-" * w for w in widths))
        for row in rows:
            self.stdout.write(line(row))


def _demo_organizations() -> dict[str, Organization]:
    try:
        return {
            "housing": Organization.objects.get(kind=Kind.HOUSING_SERVICE, districts__name=DEMO_DISTRICT),
            "prefecture": Organization.objects.get(kind=Kind.PREFECTURE, districts__name=DEMO_DISTRICT),
        }
    except Organization.DoesNotExist as exc:
        raise CommandError(
            f"Нет организаций района {DEMO_DISTRICT}: сначала выполните import_places и create_organizations."
        ) from exc


def _ensure(
    spec: DemoUser, org: Organization | None, password: str, reset_password: bool
) -> tuple[User, str, bool]:
    """Create the account or bring it back to its role. Returns it, what was
    done, and whether its password is still the demo one."""
    wanted = {
        "role": spec.role,
        "organization_id": org.pk if org else None,
        "email_confirmed": True,
        "is_active": True,
        "is_staff": spec.superuser,
        "is_superuser": spec.superuser,
    }
    user = User.objects.select_for_update().filter(email__iexact=spec.email).first()
    if user is None:
        user = User.objects.create_user(
            email=spec.email, password=password, full_name=spec.full_name, **wanted
        )
        return user, "создан", True
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    # The module function, not user.check_password(): that one would rehash
    # and save an old-format hash, and a rerun is to change nothing.
    password_known = check_password(password, user.password)
    if reset_password and not password_known:
        user.set_password(password)
        changed.append("password")
        password_known = True
    if not changed:
        return user, "без изменений", password_known
    user.save(update_fields=changed)
    return user, ("пароль сброшен" if changed == ["password"] else "обновлён"), password_known
