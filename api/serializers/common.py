"""Small output pieces shared by the API's serializers."""

from __future__ import annotations

from rest_framework import serializers


class PhotoSerializer(serializers.Serializer):
    """A stored photo: the image and its thumbnail (the image itself until
    the thumbnail is made), as the web pages show it."""

    id = serializers.IntegerField()
    role = serializers.CharField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, photo) -> str:
        return self._absolute(photo.image.url)

    def get_thumbnail_url(self, photo) -> str:
        return self._absolute(photo.thumbnail.url if photo.thumbnail else photo.image.url)

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class TopicRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PointSerializer(serializers.Serializer):
    lat = serializers.FloatField(source="y")
    lon = serializers.FloatField(source="x")


class FileListField(serializers.ListField):
    """Several files under one multipart name (photos=…&photos=…)."""

    child = serializers.FileField(allow_empty_file=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty", True)
        super().__init__(**kwargs)


# Ids are 64-bit: a bigger number cannot name anything, and SQLite would
# refuse to even compare it (OverflowError) in a lookup through a foreign key.
MAX_ID = 2**63 - 1


def IdField(**kwargs) -> serializers.IntegerField:  # noqa: N802 - reads like a field class
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)
