"""The bell: the user's notices, the unread count and read marks, over
notifications.services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.notifications import (
    MarkedSerializer,
    MarkReadSerializer,
    NotificationQuerySerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)
from notifications import services
from notifications.models import Notification


def _unread(user) -> dict:
    count = services.unread_count(user)
    return {"unread": count, "capped": count >= services.UNREAD_COUNT_CAP}


@extend_schema(tags=["notifications"])
class NotificationList(generics.ListAPIView):
    """The user's notices, newest first. Listing marks nothing read: the app
    says what it showed (POST …/read/)."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer

    @extend_schema(parameters=[NotificationQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = NotificationQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        user = self.request.user
        notices = (
            services.unread(user)
            if query.validated_data["unread"]
            else Notification.objects.filter(user=user)
        )
        # The index notice_user_created serves this order.
        return notices.order_by("-created_at", "-pk")


@extend_schema(tags=["notifications"])
class UnreadCount(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UnreadCountSerializer)
    def get(self, request):
        return Response(_unread(request.user))


@extend_schema(tags=["notifications"])
class MarkRead(APIView):
    """Mark the given notices (or all) read; another user's ids are ignored."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=MarkReadSerializer, responses=MarkedSerializer)
    def post(self, request):
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["all"]:
            marked = services.mark_all_read(request.user)
        else:
            marked = services.mark_read(request.user, data.validated_data["ids"])
        return Response({"marked": marked, "unread": _unread(request.user)["unread"]})
