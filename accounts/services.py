"""The changes to accounts: registration, e-mail confirmation, the profile.

Views and the admin call these; none of them writes these fields itself.
Letters go out after the transaction commits, so a rolled-back registration
never sends one.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User

logger = logging.getLogger(__name__)

CONFIRMATION_MAX_AGE = timedelta(days=3)
# One confirmation letter per account per this interval, however often the
# resend button is pressed: the button must not become a way to flood a mailbox.
CONFIRMATION_RESEND_INTERVAL = timedelta(minutes=1)
_CONFIRMATION_SALT = "accounts.email-confirmation"

# The profile fields a user may change on their own.
PROFILE_FIELDS = (
    "full_name",
    "phone",
    "notify_email_status",
    "notify_email_answers",
    "notify_email_work",
    "notify_email_news",
)


class EmailTakenError(Exception):
    """Another account already uses this e-mail (in any letter case)."""


class ConfirmationLinkError(Exception):
    """The confirmation link is forged, damaged or names another address."""


class ConfirmationLinkExpiredError(ConfirmationLinkError):
    """The confirmation link was genuine but is older than CONFIRMATION_MAX_AGE."""


def normalize_email(email: str) -> str:
    """The one spelling of an address that we store and compare."""
    return email.strip().lower()


def email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    users = User.objects.filter(email__iexact=normalize_email(email))
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    return users.exists()


# Registration and confirmation.


def register_user(*, full_name: str, email: str, password: str, phone: str = "", base_url: str) -> User:
    """Create a resident with an unconfirmed e-mail and send the confirmation
    letter once the row is committed."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=normalize_email(email),
                password=password,
                full_name=full_name.strip(),
                phone=phone.strip(),
                email_confirmed=False,
            )
    except IntegrityError as exc:
        # Two registrations of one address racing: the case-insensitive
        # unique index lets exactly one through.
        if email_taken(email):
            raise EmailTakenError(email) from exc
        raise
    send_confirmation_email(user, base_url=base_url)
    return user


def confirmation_token(user: User) -> str:
    """A signed, timestamped token naming the account and the address it
    confirms: a link sent to an old address does not confirm a new one."""
    signer = signing.TimestampSigner(salt=_CONFIRMATION_SALT)
    return signer.sign_object({"id": user.pk, "email": user.email})


def confirmation_url(user: User, *, base_url: str) -> str:
    path = reverse("accounts:confirm_email", kwargs={"token": confirmation_token(user)})
    return base_url.rstrip("/") + path


def send_confirmation_email(user: User, *, base_url: str) -> bool:
    """Send the confirmation letter after commit, unless one went to this
    account moments ago. Returns whether a letter was queued."""
    if user.email_confirmed or not user.is_active:
        return False
    if not cache.add(_resend_key(user), True, timeout=CONFIRMATION_RESEND_INTERVAL.total_seconds()):
        return False
    url = confirmation_url(user, base_url=base_url)
    user_id = user.pk
    transaction.on_commit(lambda: _deliver_confirmation(user_id, url))
    return True


def resend_confirmation(email: str, *, base_url: str) -> bool:
    """Send the letter again to an active account still waiting for
    confirmation. The caller answers the same whatever the result, so the form
    does not tell strangers which addresses are registered."""
    user = User.objects.filter(
        email__iexact=normalize_email(email), email_confirmed=False, is_active=True
    ).first()
    if user is None:
        return False
    return send_confirmation_email(user, base_url=base_url)


def confirm_email(token: str) -> tuple[User, bool]:
    """Confirm the address that the token names. Returns the user and whether
    anything changed (a second click on the link changes nothing)."""
    signer = signing.TimestampSigner(salt=_CONFIRMATION_SALT)
    try:
        payload = signer.unsign_object(token, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ConfirmationLinkExpiredError(str(exc)) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        # ValueError/TypeError: a valid signature over a payload we did not write.
        raise ConfirmationLinkError(str(exc)) from exc
    if not isinstance(payload, dict):
        raise ConfirmationLinkError("unexpected payload")
    user = User.objects.filter(pk=payload.get("id"), is_active=True).first()
    if user is None or normalize_email(user.email) != normalize_email(str(payload.get("email", ""))):
        raise ConfirmationLinkError("the account or its address changed")
    return user, mark_email_confirmed(user)


@transaction.atomic
def mark_email_confirmed(user: User) -> bool:
    """Mark the user's address as confirmed. Also used after a password reset,
    which proves the same thing: the person reads this mailbox."""
    # The row lock makes two clicks on the link (or a click and a reset) agree
    # on which one changed it.
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.email_confirmed:
        user.email_confirmed = True
        return False
    locked.email_confirmed = True
    locked.save(update_fields=["email_confirmed"])
    user.email_confirmed = True
    return True


def _resend_key(user: User) -> str:
    return f"accounts:confirmation-sent:{user.pk}"


def _deliver_confirmation(user_id: int, url: str) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    context = {
        "user": user,
        "url": url,
        "valid_days": CONFIRMATION_MAX_AGE.days,
    }
    subject = render_to_string("accounts/email/confirm_email_subject.txt", context)
    body = render_to_string("accounts/email/confirm_email.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except (smtplib.SMTPException, OSError):
        # The account exists already; the user can ask for the letter again
        # from the login page. Free the slot so that they may do so at once.
        logger.exception("Could not send the confirmation letter to user %s", user_id)
        cache.delete(_resend_key(user))


# The profile.


@transaction.atomic
def update_profile(user: User, **values) -> list[str]:
    """Change the user's own profile fields; returns the names of those that
    changed. E-mail, role and organization are not among them."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    locked = User.objects.select_for_update().get(pk=user.pk)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(locked, name, values[name])
        setattr(user, name, values[name])
    locked.save(update_fields=changed)
    return changed
