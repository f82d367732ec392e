"""Points («Миллион призов») in the app: the balance and the ledger, the
rewards and the codes received, redeeming and donating. Thin over
loyalty.selectors and loyalty.services (which lock the account, refuse with
loyalty.errors and take a client key so that a retried request spends once)."""

from __future__ import annotations

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import header_key
from api.permissions import CanEarnPoints
from api.serializers.loyalty import (
    BalanceSerializer,
    CodeSerializer,
    DonateSerializer,
    DonationSerializer,
    EntrySerializer,
    FundSerializer,
    RedeemedSerializer,
    RewardSerializer,
    SpendSerializer,
)
from loyalty import selectors, services

KEY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    description="Ключ запроса (вместо поля key).",
)


def _key(request, data: dict) -> uuid.UUID | None:
    return header_key(request) or data.get("key")


@extend_schema(tags=["points"])
class Balance(APIView):
    permission_classes = [CanEarnPoints]

    @extend_schema(responses=BalanceSerializer)
    def get(self, request):
        return Response(
            {"balance": selectors.balance(request.user), "earned_today": selectors.earned_today(request.user)}
        )


@extend_schema(tags=["points"])
class History(generics.ListAPIView):
    """The ledger, newest first: every award and every spend."""

    permission_classes = [CanEarnPoints]
    serializer_class = EntrySerializer

    def get_queryset(self):
        return selectors.history(self.request.user).order_by("-created_at", "-pk")


@extend_schema(tags=["points"])
class Codes(generics.ListAPIView):
    """The codes the user received for rewards, newest first."""

    permission_classes = [CanEarnPoints]
    serializer_class = CodeSerializer

    def get_queryset(self):
        return selectors.codes_received(self.request.user).order_by("-issued_at", "-pk")


@extend_schema(tags=["points"])
class Rewards(generics.ListAPIView):
    """Rewards on offer, with their codes in stock. Public."""

    serializer_class = RewardSerializer

    def get_queryset(self):
        return selectors.catalog().order_by("position", "price", "pk")


@extend_schema(tags=["points"])
class Funds(generics.ListAPIView):
    """Charity funds accepting points. Public."""

    serializer_class = FundSerializer

    def get_queryset(self):
        return selectors.funds().order_by("position", "name", "pk")


@extend_schema(tags=["points"])
class Redeem(APIView):
    """Spend the reward's price and get one of its codes."""

    permission_classes = [CanEarnPoints]

    @extend_schema(request=SpendSerializer, responses=RedeemedSerializer, parameters=[KEY_HEADER])
    def post(self, request, pk: int):
        data = SpendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        code = services.redeem(request.user, pk, key=_key(request, data.validated_data))
        code.balance = selectors.balance(request.user)
        return Response(RedeemedSerializer(code).data)


@extend_schema(tags=["points"])
class Donate(APIView):
    """Give points to a fund."""

    permission_classes = [CanEarnPoints]

    @extend_schema(request=DonateSerializer, responses=DonationSerializer, parameters=[KEY_HEADER])
    def post(self, request, pk: int):
        data = DonateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        donation = services.donate(
            request.user, pk, data.validated_data["amount"], key=_key(request, data.validated_data)
        )
        donation.balance = selectors.balance(request.user)
        return Response(DonationSerializer(donation).data)
