"""/api/v1/: the mobile app's API (and the browser's, with its session)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api.views import (
    auth,
    catalog,
    errors,
    moderation,
    notifications,
    office,
    places,
    points,
    public,
    reports,
    volunteers,
)

app_name = "api"

urlpatterns = [
    # Logging in
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("me/", auth.MeView.as_view(), name="me"),
    # The catalog and places
    path("topic-groups/", catalog.TopicGroupList.as_view(), name="topic-groups"),
    path("topics/", catalog.TopicList.as_view(), name="topics"),
    path("seasons/", catalog.SeasonList.as_view(), name="seasons"),
    path("places/suggest/", places.SuggestView.as_view(), name="suggest"),
    path("places/reverse/", places.ReverseView.as_view(), name="reverse"),
    # Reports
    path("reports/", reports.ReportListCreate.as_view(), name="reports"),
    path("reports/nearby/", reports.NearbyReports.as_view(), name="nearby"),
    path("reports/<int:pk>/", reports.ReportDetail.as_view(), name="report"),
    path("reports/<int:pk>/confirm/", reports.ConfirmFix.as_view(), name="confirm"),
    path("reports/<int:pk>/reject-fix/", reports.RejectFix.as_view(), name="reject-fix"),
    path("reports/<int:pk>/follow/", reports.FollowReport.as_view(), name="follow"),
    # Notifications
    path("notifications/", notifications.NotificationList.as_view(), name="notifications"),
    path("notifications/unread-count/", notifications.UnreadCount.as_view(), name="unread-count"),
    path("notifications/read/", notifications.MarkRead.as_view(), name="mark-read"),
    # Points
    path("points/", points.Balance.as_view(), name="points"),
    path("points/history/", points.History.as_view(), name="points-history"),
    path("points/codes/", points.Codes.as_view(), name="codes"),
    path("rewards/", points.Rewards.as_view(), name="rewards"),
    path("rewards/<int:pk>/redeem/", points.Redeem.as_view(), name="redeem"),
    path("funds/", points.Funds.as_view(), name="funds"),
    path("funds/<int:pk>/donate/", points.Donate.as_view(), name="donate"),
    # The editorial desk
    path("moderation/queues/", moderation.QueueList.as_view(), name="queues"),
    path("moderation/queues/<slug:slug>/", moderation.ReportQueue.as_view(), name="queue"),
    path("moderation/requests/", moderation.RequestQueue.as_view(), name="requests"),
    path("moderation/requests/<int:pk>/decide/", moderation.DecideRequest.as_view(), name="decide"),
    path("moderation/reports/<int:pk>/publish/", moderation.Publish.as_view(), name="publish"),
    path("moderation/reports/<int:pk>/reject/", moderation.Reject.as_view(), name="reject"),
    path("moderation/reports/<int:pk>/merge/", moderation.Merge.as_view(), name="merge"),
    path("moderation/reports/<int:pk>/topic/", moderation.ChangeTopic.as_view(), name="change-topic"),
    path("moderation/reports/<int:pk>/point/", moderation.ChangePoint.as_view(), name="change-point"),
    path("moderation/reports/<int:pk>/inspect/", moderation.OrderInspection.as_view(), name="inspect"),
    path("moderation/inspections/", moderation.InspectionQueue.as_view(), name="inspections"),
    path(
        "moderation/inspections/<int:pk>/<slug:action>/",
        moderation.DecideInspection.as_view(),
        name="decide-inspection",
    ),
    path("moderation/applications/", moderation.ApplicationQueue.as_view(), name="applications"),
    path(
        "moderation/applications/<int:pk>/decide/",
        moderation.DecideApplication.as_view(),
        name="decide-application",
    ),
    path(
        "moderation/reports/<int:pk>/publish-answer/",
        moderation.PublishAnswer.as_view(),
        name="publish-answer",
    ),
    path(
        "moderation/reports/<int:pk>/return-answer/", moderation.ReturnAnswer.as_view(), name="return-answer"
    ),
    path("moderation/reports/<int:pk>/return/", moderation.ReturnToOrganization.as_view(), name="return"),
    path("moderation/reports/<int:pk>/dismiss/", moderation.DismissDispute.as_view(), name="dismiss"),
    # The back office
    path("office/reports/", office.OfficeReportList.as_view(), name="office-reports"),
    path("office/reports/<int:pk>/", office.OfficeReportDetail.as_view(), name="office-report"),
    path("office/reports/<int:pk>/answer/", office.Answer.as_view(), name="answer"),
    path("office/reports/<int:pk>/redirect/", office.RequestRedirect.as_view(), name="request-redirect"),
    path(
        "office/reports/<int:pk>/postpone/", office.RequestPostponement.as_view(), name="request-postponement"
    ),
    path("office/escalations/", office.EscalationList.as_view(), name="escalations"),
    path("office/organizations/", office.SupervisedOrganizationList.as_view(), name="supervised"),
    # Volunteers
    path("volunteer/tasks/", volunteers.TaskPool.as_view(), name="task-pool"),
    path("volunteer/tasks/mine/", volunteers.HeldTasks.as_view(), name="tasks-held"),
    path("volunteer/tasks/<int:pk>/", volunteers.TaskDetail.as_view(), name="task"),
    path("volunteer/tasks/<int:pk>/take/", volunteers.TakeTask.as_view(), name="take"),
    path("volunteer/tasks/<int:pk>/give-up/", volunteers.GiveUpTask.as_view(), name="give-up"),
    path("volunteer/tasks/<int:pk>/verdict/", volunteers.SubmitVerdict.as_view(), name="verdict"),
    # Public
    path("map/reports/", public.MapReports.as_view(), name="map"),
    path("stats/city/", public.Statistics.as_view(), name="stats-city"),
    path("stats/okrugs/<int:pk>/", public.OkrugStatistics.as_view(), name="stats-okrug"),
    path("stats/districts/<int:pk>/", public.DistrictStatistics.as_view(), name="stats-district"),
    path("stats/organizations/<int:pk>/", public.OrganizationStatistics.as_view(), name="stats-organization"),
    # The schema and its pages (static files from drf-spectacular-sidecar: no CDN)
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    # Anything else under /api/v1/ (a misspelt path, an id that is not a number):
    # the API's own 404, not the site's HTML page.
    # [\s\S], not ".": a path with an encoded newline (%0A) is still an API path.
    re_path(r"^[\s\S]*$", errors.NotFoundView.as_view(), name="not-found"),
]
