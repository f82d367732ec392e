from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Every method of every path the API does not have: 404 in the API's shape."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound("Нет такого адреса в API.")

    get = post = put = patch = delete = head = options = http_method_not_allowed
