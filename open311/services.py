"""Open311's changes: client applications and their keys, and filing a
request, which is the resident's report made by issues.services.submit_report
with the same checks as the web form (place, topic, building, photos,
answers to the topic's questions)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import normalize_email
from issues.models import Report, Topic
from issues.photos import PhotoError, process_upload
from issues.questions import clean_answers
from issues.services import Submission, check_submission, submit_report
from open311 import formats, selectors, serializers
from open311.errors import BadRequest, Forbidden, NotFound
from open311.formats import Many
from open311.models import CatalogVersion, ClientApplication, ResponseType, ServiceRequest
from open311.params import NewRequest
from places.geo import make_point
from places.models import Building
from places.search import nearest_building, suggest

KEY_PREFIX = "o311_"


# -- client applications and keys ----------------------------------------------


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def assign_key(client: ClientApplication) -> str:
    """Give the (unsaved) client a fresh key; returns the key, keeps its hash."""
    key = _new_key()
    client.key_hash = hash_key(key)
    client.key_prefix = key[: len(KEY_PREFIX) + 6]
    client.key_created_at = timezone.now()
    return key


def register_client(
    name: str, contact: str, response_type: str = ResponseType.REALTIME
) -> tuple[ClientApplication, str]:
    """A new client application and its api_key (returned once, never stored)."""
    client = ClientApplication(name=name.strip(), contact=contact.strip(), response_type=response_type)
    key = assign_key(client)
    client.save()
    return client, key


@transaction.atomic
def regenerate_key(client: ClientApplication) -> str:
    """A new key; the old one stops working at once."""
    locked = ClientApplication.objects.select_for_update().get(pk=client.pk)
    key = assign_key(locked)
    locked.save(update_fields=["key_hash", "key_prefix", "key_created_at"])
    client.key_hash, client.key_prefix, client.key_created_at = (
        locked.key_hash,
        locked.key_prefix,
        locked.key_created_at,
    )
    return key


@transaction.atomic
def revoke(client: ClientApplication) -> bool:
    """The key is refused from now on; False if it already was."""
    locked = ClientApplication.objects.select_for_update().get(pk=client.pk)
    if locked.revoked_at is not None:
        return False
    locked.revoked_at = timezone.now()
    locked.is_active = False
    locked.save(update_fields=["revoked_at", "is_active"])
    client.revoked_at, client.is_active = locked.revoked_at, False
    return True


def client_for_key(api_key: str, *, required: bool) -> ClientApplication | None:
    """The client application the key belongs to. A missing key is refused
    when `required`; a key that is unknown, revoked or switched off always is."""
    api_key = (api_key or "").strip()
    if not api_key:
        if required:
            raise Forbidden("api_key не передан: отправлять сообщения могут зарегистрированные приложения.")
        return None
    client = ClientApplication.objects.filter(key_hash=hash_key(api_key)).first()
    if client is None or not client.can_submit:
        raise Forbidden("Неверный или отозванный api_key.")
    return client


# -- the catalog's changeset ---------------------------------------------------------


def catalog_fingerprint() -> str:
    """SHA-256 of the service list and every service definition, as served."""
    catalog = {
        "services": serializers.services(selectors.available_topics()),
        "definitions": Many(
            "service_definition",
            [serializers.service_definition(*d) for d in selectors.service_definitions()],
        ),
    }
    return hashlib.sha256(formats.to_json(catalog).encode("utf-8")).hexdigest()


def catalog_changed_at(now: dt.datetime) -> dt.datetime:
    """When the catalog last changed: the first call that saw its current
    fingerprint. A new fingerprint always moves the time forward (by a
    second at least), so that discovery's changeset changes with it."""
    fingerprint = catalog_fingerprint()
    version, created = CatalogVersion.objects.get_or_create(
        pk=1, defaults={"fingerprint": fingerprint, "changed_at": now}
    )
    if created or version.fingerprint == fingerprint:
        return version.changed_at
    changed_at = max(now, version.changed_at + dt.timedelta(seconds=1))
    moved = CatalogVersion.objects.filter(pk=1, fingerprint=version.fingerprint).update(
        fingerprint=fingerprint, changed_at=changed_at
    )
    if not moved:  # another call recorded a change meanwhile
        version.refresh_from_db()
        return version.changed_at
    return changed_at


# -- the reporter ---------------------------------------------------------------


def _existing_reporter(new: NewRequest) -> User | None:
    return User.objects.filter(email__iexact=normalize_email(new.email)).first()


def reporter_for(new: NewRequest) -> User:
    """The resident with this e-mail (any letter case), or a new one without
    a usable password: they can set one through «Забыли пароль?». An existing
    account's name and phone are not changed by a third party's request."""
    email = normalize_email(new.email)
    user = _existing_reporter(new)
    if user is not None:
        return user
    name = " ".join(part for part in (new.first_name, new.last_name) if part) or email.split("@")[0]
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email, password=None, full_name=name[:200], phone=new.phone, role=Role.RESIDENT
            )
    except IntegrityError:
        # Two requests from one new reporter raced: the unique index let one in.
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise
        return user


# -- filing a request -------------------------------------------------------------


def topic_for_code(service_code: str) -> Topic:
    topic = Topic.objects.select_related("group", "season").filter(code=service_code, is_active=True).first()
    if topic is None:
        raise NotFound(f"service_code «{service_code[:60]}» не найден.")
    return topic


def _place(new: NewRequest, topic: Topic):
    """(point, building, address text) from lat/long, address_id or
    address_string. A topic about a residential building needs the building:
    the address given, or else the nearest one to the point."""
    if new.address_id is not None:
        building = Building.objects.filter(pk=new.address_id).first()
        if building is None:
            raise BadRequest(f"address_id {new.address_id}: нет такого дома в реестре.")
        return building.point, building, building.short_address
    building = None
    if new.address_string and (not new.has_point or topic.needs_building):
        match = suggest(new.address_string, limit=1)
        if match:
            building = Building.objects.get(pk=match[0].id)
        elif not new.has_point:
            raise BadRequest(
                f"address_string: адрес «{new.address_string[:80]}» не найден в реестре домов; передайте lat и long."
            )
    if new.has_point:
        point = make_point(new.long, new.lat)
        nearest = None
        if building is None and (topic.needs_building or not new.address_string):
            # Without an address the nearest building names the place, as a
            # click on the web form's map does; only a building topic keeps it.
            found = nearest_building(point)
            nearest = found[0] if found else None
            building = nearest if topic.needs_building else None
        named = building or nearest
        return point, building, new.address_string or (named.short_address if named else "")
    return building.point, building, building.short_address


def _check_before_decoding(new: NewRequest, topic: Topic, point, building) -> None:
    """The report's own checks, run while the photos are still undecoded
    uploads, so that a request refused anyway (too many photos, none for a
    topic that needs one, a long description, a place outside Moscow, an
    author who may not report, a bad answer) costs no image decoding.
    submit_report runs them again on the decoded photos."""
    author = _existing_reporter(new) or User(role=Role.RESIDENT)  # a new reporter is a resident
    # check_submission only counts the photos: the uploads stand in for the decoded ones.
    check_submission(
        author,
        Submission(
            topic=topic, point=point, building=building, description=new.description, photos=new.media
        ),
    )
    clean_answers(topic, new.attributes)


def _photos(new: NewRequest) -> list:
    try:
        return [process_upload(f) for f in new.media]
    except PhotoError as exc:
        raise BadRequest(*exc.messages) from None


def file_request(client: ClientApplication, new: NewRequest) -> tuple[Report, ServiceRequest]:
    """A report in moderation made from an Open311 request, with its link to
    the client. Refusals are BadRequest/NotFound or, from the report's own
    checks, a ValidationError (DomainError) that the view turns into a 400."""
    topic = topic_for_code(new.service_code)
    point, building, address = _place(new, topic)
    _check_before_decoding(new, topic, point, building)
    photos = _photos(new)
    with transaction.atomic():
        author = reporter_for(new)
        report, _ = submit_report(
            author,
            Submission(
                topic=topic,
                point=point,
                description=new.description,
                address=address,
                building=building,
                photos=photos,
                answers=new.attributes,
            ),
        )
        link = ServiceRequest.objects.create(
            report=report,
            client=client,
            token=secrets.token_urlsafe(24),
            media_url=new.media_url,
            device_id=new.device_id,
            account_id=new.account_id,
        )
    return report, link
