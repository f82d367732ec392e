"""The topic catalog: groups, topics and the seasonal windows. Public, paged."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from api.serializers.catalog import (
    SeasonSerializer,
    TopicGroupSerializer,
    TopicQuerySerializer,
    TopicSerializer,
)
from issues.models import SeasonalProject, Topic, TopicGroup
from issues.topics import available_topics


@extend_schema(tags=["catalog"])
class TopicGroupList(generics.ListAPIView):
    serializer_class = TopicGroupSerializer
    queryset = TopicGroup.objects.order_by("position", "name", "pk")


@extend_schema(tags=["catalog"])
class SeasonList(generics.ListAPIView):
    serializer_class = SeasonSerializer
    queryset = SeasonalProject.objects.order_by("starts", "pk")


@extend_schema(tags=["catalog"], parameters=[TopicQuerySerializer])
class TopicList(generics.ListAPIView):
    """The topics a report may be filed under today (as the web form offers
    them: issues.topics.available_topics), in the catalog's order."""

    serializer_class = TopicSerializer

    def get_queryset(self):
        topics = Topic.objects.select_related("group", "season").order_by(
            "group__position", "position", "name", "pk"
        )
        query = TopicQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        if not query.validated_data["all"]:
            topics = topics.filter(pk__in=[t.pk for t in available_topics()])
        if "group" in query.validated_data:
            topics = topics.filter(group_id=query.validated_data["group"])
        return topics
