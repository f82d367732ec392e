"""A volunteer's inspections in the app: the pool (nearest first from a
point), the tasks held, taking and giving back a task, and the verdict with
photos. Over volunteers.selectors, volunteers.access and volunteers.services
(one conditional UPDATE decides which of two volunteers gets a task)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from api.exceptions import form_errors
from api.permissions import IsActiveVolunteer
from api.serializers.volunteers import PoolQuerySerializer, TaskSerializer, VerdictSerializer
from api.views.reports import MULTIPART, form_files
from places.geo import make_point
from volunteers import selectors, services
from volunteers.access import get_task_for_volunteer
from volunteers.forms import VerdictForm


@extend_schema(tags=["volunteers"])
class TaskPool(generics.ListAPIView):
    """Tasks a volunteer may take now: nearest first from lat/lon, else the oldest."""

    permission_classes = [IsActiveVolunteer]
    serializer_class = TaskSerializer

    @extend_schema(parameters=[PoolQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = PoolQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        d = query.validated_data
        # Without the volunteer's own reports, as on the web: theirs to check never.
        point = make_point(d["lon"], d["lat"]) if "lat" in d else None
        return selectors.pool(point, for_user=self.request.user)


@extend_schema(tags=["volunteers"])
class HeldTasks(generics.ListAPIView):
    """The tasks the volunteer holds now, the most urgent first."""

    permission_classes = [IsActiveVolunteer]
    serializer_class = TaskSerializer

    def get_queryset(self):
        return selectors.held_by(self.request.user)


def _task_response(request, pk: int) -> Response:
    return Response(TaskSerializer(get_task_for_volunteer(request.user, pk)).data)


@extend_schema(tags=["volunteers"])
class TaskDetail(APIView):
    """A task in the pool or one of the volunteer's own (the web's task page)."""

    permission_classes = [IsActiveVolunteer]

    @extend_schema(responses=TaskSerializer)
    def get(self, request, pk: int):
        return _task_response(request, pk)


@extend_schema(tags=["volunteers"])
class TakeTask(APIView):
    permission_classes = [IsActiveVolunteer]

    @extend_schema(request=None, responses=TaskSerializer)
    def post(self, request, pk: int):
        get_task_for_volunteer(request.user, pk)
        services.take_task(request.user, pk)
        return _task_response(request, pk)


@extend_schema(tags=["volunteers"])
class GiveUpTask(APIView):
    permission_classes = [IsActiveVolunteer]

    @extend_schema(request=None, responses=TaskSerializer)
    def post(self, request, pk: int):
        get_task_for_volunteer(request.user, pk)
        services.give_up_task(request.user, pk)
        return _task_response(request, pk)


@extend_schema(tags=["volunteers"])
class SubmitVerdict(APIView):
    """What the volunteer found on site, with photos (the web form's checks)."""

    permission_classes = [IsActiveVolunteer]
    parser_classes = MULTIPART

    @extend_schema(request={"multipart/form-data": VerdictSerializer}, responses=TaskSerializer)
    def post(self, request, pk: int):
        get_task_for_volunteer(request.user, pk)
        data = VerdictSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = VerdictForm(
            {"verdict": data.validated_data["verdict"], "comment": data.validated_data["comment"]},
            form_files(request),
        )
        if not form.is_valid():
            raise form_errors(form)
        services.submit_verdict(
            request.user,
            pk,
            form.cleaned_data["verdict"],
            form.cleaned_data["comment"],
            form.cleaned_data["photos"],
        )
        return _task_response(request, pk)
