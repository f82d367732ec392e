"""The client's key that makes a retried write do nothing twice: the
Idempotency-Key header (or a field of the body, checked by its serializer).
A header that is not a UUID is refused, never ignored: ignoring it would
turn the retry it was meant to protect into a second report or spend."""

from __future__ import annotations

import uuid

from rest_framework import serializers

IDEMPOTENCY_HEADER = "Idempotency-Key"


def header_key(request) -> uuid.UUID | None:
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None or not raw.strip():
        return None
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise serializers.ValidationError(
            {IDEMPOTENCY_HEADER: [serializers.ErrorDetail("Ключ запроса должен быть UUID.", code="invalid")]}
        ) from None
