from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    RESIDENT = "resident", "Житель"
    STAFF = "staff", "Сотрудник организации"
    MODERATOR = "moderator", "Редактор"
    VOLUNTEER = "volunteer", "Волонтёр"
    SUPERVISOR = "supervisor", "Контролирующий орган"
    ADMINISTRATOR = "administrator", "Администратор"


# Roles that act for an organization and so must belong to one.
ORGANIZATION_ROLES = (Role.STAFF, Role.SUPERVISOR)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("E-mail is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMINISTRATOR)
        fields.setdefault("email_confirmed", True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an e-mail login. Residents register themselves; the other
    roles are given by an administrator."""

    email = models.EmailField("e-mail", unique=True)
    full_name = models.CharField("ФИО", max_length=200)
    phone = models.CharField("телефон", max_length=32, blank=True)
    role = models.CharField("роль", max_length=20, choices=Role.choices, default=Role.RESIDENT)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="организация",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    email_confirmed = models.BooleanField("e-mail подтверждён", default=False)
    is_active = models.BooleanField("активен", default=True)
    is_staff = models.BooleanField("доступ в админку", default=False)
    date_joined = models.DateTimeField("зарегистрирован", default=timezone.now)

    # Notification preferences (see the profile page).
    notify_email_status = models.BooleanField("письма об изменении статуса моих сообщений", default=True)
    notify_email_answers = models.BooleanField("письма об ответах организаций", default=True)
    notify_email_work = models.BooleanField(
        "письма о новых сообщениях и сроках (для сотрудников)", default=True
    )
    notify_email_news = models.BooleanField("новости портала", default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"
        constraints = [
            # Staff and supervisors act for exactly one organization.
            models.CheckConstraint(
                name="organization_roles_have_organization",
                condition=~models.Q(role__in=[r.value for r in ORGANIZATION_ROLES])
                | models.Q(organization__isnull=False),
                violation_error_message="Сотрудник организации и контролирующий орган должны быть привязаны к организации.",
            ),
            # E-mail is the login and is matched case-insensitively; the forms
            # check this first, the index settles two registrations racing.
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message="Пользователь с таким e-mail уже зарегистрирован.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email
