"""Open311 client applications and the requests they filed.

A client application (a FixMyStreet installation, a city's mobile app) is
registered by an administrator and given an api_key; only the key's SHA-256
is stored, so the key is shown once, when it is made (open311.keys).
"""

from __future__ import annotations

from django.db import models


class ResponseType(models.TextChoices):
    # GeoReport v2: "realtime" returns the service_request_id at once,
    # "batch" a token that GET tokens/{token} later turns into the id.
    REALTIME = "realtime", "realtime: номер сообщения сразу"
    BATCH = "batch", "batch: токен, номер — через tokens/{token}"


class ClientApplication(models.Model):
    name = models.CharField("название", max_length=200)
    contact = models.CharField(
        "контакт", max_length=300, help_text="Кто отвечает за приложение: имя, e-mail, телефон."
    )
    response_type = models.CharField(
        "ответ на POST requests",
        max_length=10,
        choices=ResponseType.choices,
        default=ResponseType.REALTIME,
    )
    # sha256 of the key, hex; the key itself is never stored.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, to tell keys apart in the admin and in logs.
    key_prefix = models.CharField("начало ключа", max_length=12, editable=False)
    is_active = models.BooleanField("действует", default=True)
    revoked_at = models.DateTimeField("отозван", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("зарегистрировано", auto_now_add=True)
    key_created_at = models.DateTimeField("ключ выпущен", null=True, editable=False)

    class Meta:
        verbose_name = "приложение Open311"
        verbose_name_plural = "приложения Open311"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def can_submit(self) -> bool:
        return self.is_active and self.revoked_at is None


class ServiceRequest(models.Model):
    """What Open311 adds to a report filed through it: the client that filed
    it, its token and the client's media_url (stored, never fetched)."""

    report = models.OneToOneField(
        "issues.Report", verbose_name="сообщение", on_delete=models.CASCADE, related_name="open311"
    )
    client = models.ForeignKey(
        ClientApplication, verbose_name="приложение", on_delete=models.PROTECT, related_name="requests"
    )
    token = models.CharField("токен", max_length=64, unique=True)
    media_url = models.URLField("media_url", max_length=2000, blank=True)
    device_id = models.CharField("device_id", max_length=200, blank=True)
    account_id = models.CharField("account_id клиента", max_length=200, blank=True)
    created_at = models.DateTimeField("получено", auto_now_add=True)

    class Meta:
        verbose_name = "запрос Open311"
        verbose_name_plural = "запросы Open311"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"№{self.report_id} от {self.client}"


class CatalogVersion(models.Model):
    """When the service catalog, as Open311 shows it (the service list and
    every service definition), last changed: discovery's changeset.

    Topics, groups and seasonal projects keep no timestamps, and a deletion
    or a queryset update leaves none, so each discovery call compares the
    catalog's fingerprint with the stored one and keeps the time of the first
    call that saw a new one. A single row."""

    fingerprint = models.CharField("отпечаток каталога", max_length=64)
    changed_at = models.DateTimeField("каталог изменён")

    class Meta:
        verbose_name = "версия каталога Open311"
        verbose_name_plural = "версии каталога Open311"

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M:%S}"
