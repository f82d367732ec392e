from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from issues.models import Report, Topic
from places.models import Building, District


def home(request):
    return render(
        request,
        "home.html",
        {
            "district_count": District.objects.count(),
            "building_count": Building.objects.count(),
            "topic_count": Topic.objects.filter(is_active=True).count(),
            "report_count": Report.objects.count(),
        },
    )


def health(request):
    """Liveness for the load balancer and the dev runner: the database answers,
    and when the scheduler last ticked (through the worker)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse(
        {"database": connection.vendor, "scheduler_heartbeat": cache.get("nashgorod:heartbeat")}
    )


def minimal(request):
    """The benchmarks' yardstick: a Django view doing one indexed query (a
    report by primary key), measured beside every page in the same run so
    that each figure reads as a ratio that holds on any machine."""
    try:
        report_id = int(request.GET.get("id", "1"))
    except ValueError:
        report_id = 1
    found = Report.objects.filter(pk=report_id).values_list("pk", flat=True).first()
    return JsonResponse({"found": found is not None})
