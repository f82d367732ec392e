"""Logging in from the app: a token for an e-mail and password (the web's
rules: accounts.forms.EmailAuthenticationForm refuses an unconfirmed
address), revoking it, and who the caller is."""

from __future__ import annotations

from django.contrib.auth import user_logged_in
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.forms import EmailAuthenticationForm
from accounts.roles import capabilities
from api.exceptions import form_errors
from api.serializers.auth import LoginSerializer, TokenSerializer, UserSerializer
from api.throttles import LoginAddressThrottle, LoginEmailThrottle


def user_data(user) -> dict:
    user.capabilities = sorted(capabilities(user))
    return UserSerializer(user).data


class TokenView(APIView):
    """POST: a token for the app (the same token on every device until it is
    revoked). DELETE: revoke it; every device logs in again."""

    def get_throttles(self):
        if self.request.method == "POST":
            return [LoginAddressThrottle(), LoginEmailThrottle()]
        return []

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else []

    def get_authenticators(self):
        # Logging in needs no credentials; a stale token must not make it fail.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(request=LoginSerializer, responses={200: TokenSerializer}, auth=[], tags=["auth"])
    def post(self, request):
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = EmailAuthenticationForm(
            request._request,
            data={"username": data.validated_data["email"], "password": data.validated_data["password"]},
        )
        if not form.is_valid():
            raise form_errors(form)
        user = form.get_user()
        token, _ = Token.objects.get_or_create(user=user)
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"token": token.key, "user": user_data(user)})

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserSerializer, tags=["auth"])
    def get(self, request):
        return Response(user_data(request.user))
