from __future__ import annotations

from rest_framework import serializers

from accounts.models import Role


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField(source="get_role_display")
    organization = OrganizationRefSerializer(allow_null=True)
    capabilities = serializers.ListField(child=serializers.CharField())


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Передавайте в заголовке: Authorization: Token <token>.")
    user = UserSerializer()
