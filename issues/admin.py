"""The catalog is edited here; reports are only looked at.

A report's status, dates, executor and place change only through the
transition services (each writes a ReportEvent), so the admin shows those
fields read-only; the event log, the answers, the organizations' requests
and the followers are written by services only and cannot be added, changed
or deleted here; photos (written by the photo pipeline) can only be deleted.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from leaflet.admin import LeafletGeoAdmin

from issues.models import (
    Answer,
    Follower,
    OrganizationRequest,
    Photo,
    Report,
    ReportEvent,
    SeasonalProject,
    Topic,
    TopicGroup,
    TopicQuestion,
)
from places.admin import RelatedFilterWithoutGeometry, WithoutGeometryInLists


class TopicInline(admin.TabularInline):
    model = Topic
    fields = ["name", "code", "responsible_kind", "deadline_days", "is_active", "position"]
    readonly_fields = ["name", "code", "responsible_kind", "deadline_days", "is_active"]
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TopicGroup)
class TopicGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "topic_count"]
    list_editable = ["position"]
    search_fields = ["name", "code"]
    inlines = [TopicInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(topic_count=Count("topics"))

    @admin.display(description="тем", ordering="topic_count")
    def topic_count(self, obj: TopicGroup) -> int:
        return obj.topic_count


@admin.register(SeasonalProject)
class SeasonalProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "starts", "ends", "open_today", "topic_count"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(topic_count=Count("topics"))

    @admin.display(description="открыт сегодня", boolean=True)
    def open_today(self, obj: SeasonalProject) -> bool:
        return obj.is_open(timezone.localdate())

    @admin.display(description="тем", ordering="topic_count")
    def topic_count(self, obj: SeasonalProject) -> int:
        return obj.topic_count


class TopicQuestionInline(admin.StackedInline):
    """The topic's extra questions: the web form asks them, Open311 publishes
    them as the service's attributes (GET services/{code})."""

    model = TopicQuestion
    fields = [("code", "datatype", "order", "required"), "description", "datatype_description", "values"]
    extra = 0


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "group",
        "responsible_kind",
        "responsible_code",
        "deadline_days",
        "season",
        "is_active",
    ]
    list_editable = ["is_active", "deadline_days"]
    list_filter = ["group", "season", "responsible_kind", "is_active", "needs_building", "photo_required"]
    list_select_related = ["group", "season"]
    search_fields = ["name", "code", "hint"]
    autocomplete_fields = ["group"]
    fieldsets = [
        (None, {"fields": ["name", "code", "group", "hint", "position", "is_active"]}),
        (
            "Исполнитель и срок",
            {
                "fields": ["responsible_kind", "responsible_code", "deadline_days", "calendar_days"],
            },
        ),
        ("Условия", {"fields": ["photo_required", "needs_building", "season"]}),
    ]
    inlines = [TopicQuestionInline]


class ReadOnly:
    """Rows that only the services write: the admin shows, never writes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    fk_name = "report"
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ReportEventInline(ReadOnlyInline):
    model = ReportEvent
    fields = [
        "created_at",
        "kind",
        "actor",
        "organization",
        "from_status",
        "to_status",
        "reason",
        "text",
        "is_public",
    ]
    ordering = ["created_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "organization")


class PhotoInline(ReadOnlyInline):
    model = Photo
    # taken_at_point (where the original was shot) is never shown.
    fields = ["preview", "role", "uploaded_by", "width", "height", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description="фото")
    def preview(self, obj: Photo) -> str:
        return _preview(obj)


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = [
        "created_at",
        "organization",
        "author",
        "outcome",
        "planned_date",
        "state",
        "text",
        "moderator_comment",
    ]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization", "author")


class OrganizationRequestInline(ReadOnlyInline):
    model = OrganizationRequest
    fields = [
        "created_at",
        "kind",
        "organization",
        "requested_by",
        "reason",
        "planned_date",
        "suggested_organization",
        "state",
        "decided_by",
        "decided_at",
        "comment",
    ]
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("organization", "requested_by", "suggested_organization", "decided_by")
        )


def _preview(photo: Photo) -> str:
    image = photo.thumbnail or photo.image
    if not image:
        return "—"
    return format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" style="max-height:120px"></a>',
        photo.image.url,
        image.url,
    )


# What an administrator may correct by hand; every other field of a report
# (status, dates, executor, place, escalation) belongs to the services.
REPORT_EDITABLE = ["description", "address", "building"]
REPORT_SECTIONS = [
    (None, ["status", "topic", "author", "description"]),
    ("Место", ["point", "address", "building", "district", "okrug"]),
    (
        "Исполнение",
        [
            "organization",
            "deadline",
            "planned_date",
            "is_overdue",
            "escalation_level",
            "escalated_at",
            "reminded_at",
            "returns_count",
            "verdict_due",
            "duplicate_of",
        ],
    ),
    ("Даты", ["created_at", "published_at", "answered_at", "closed_at", "updated_at", "submission_key"]),
]


@admin.register(Report)
class ReportAdmin(WithoutGeometryInLists, LeafletGeoAdmin):
    list_defer = ("district__boundary",)
    list_display = [
        "number",
        "topic",
        "status",
        "district",
        "organization",
        "created_at",
        "deadline",
        "is_overdue",
    ]
    list_filter = [
        "status",
        "is_overdue",
        "topic__group",
        ("district__okrug", RelatedFilterWithoutGeometry),
        "escalation_level",
    ]
    list_select_related = ["topic", "district", "organization"]
    search_fields = ["address", "description", "topic__name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["building"]
    # The point is shown on the map but moved only by a moderator's service
    # (which also re-derives the district, okrug and executor).
    modifiable = False
    inlines = [PhotoInline, AnswerInline, OrganizationRequestInline, ReportEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Report._meta.fields if f.name not in (*REPORT_EDITABLE, "id", "point")]

    def get_fieldsets(self, request, obj=None):
        """The sections above, and any field added to Report since in «Прочее»."""
        names = {f.name for f in Report._meta.fields}
        fieldsets = [
            (title, {"fields": [n for n in fields if n in names]}) for title, fields in REPORT_SECTIONS
        ]
        shown = {n for _, fields in REPORT_SECTIONS for n in fields}
        rest = [f.name for f in Report._meta.fields if f.name not in shown and f.name != "id"]
        if rest:
            fieldsets.append(("Прочее", {"fields": rest}))
        return fieldsets

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "point" and field is not None:
            field.disabled = True  # a posted value is ignored, not only hidden
        return field

    def get_search_results(self, request, queryset, search_term):
        """A number finds the report with that number, as residents quote it."""
        filtered = queryset  # already narrowed by the list filters
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = search_term.strip().lstrip("№").replace("\u2009", "").replace(" ", "")
        if number.isdigit():
            queryset |= filtered.filter(pk=int(number))
        return queryset, may_have_duplicates

    def has_add_permission(self, request):
        # Reports are made by residents through the submission service.
        return False

    def has_delete_permission(self, request, obj=None):
        # The statistics are counted from a report's events: never erase them.
        return False

    @admin.display(description="№", ordering="pk")
    def number(self, obj: Report) -> str:
        return obj.number


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    """The append-only log: visible, never written from here."""

    list_display = [
        "created_at",
        "report",
        "kind",
        "actor",
        "organization",
        "from_status",
        "to_status",
        "is_public",
    ]
    list_filter = ["kind", "is_public", "to_status"]
    list_select_related = ["report__topic", "actor", "organization"]
    search_fields = ["report__id__exact", "text", "reason"]
    date_hierarchy = "created_at"


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    """Published or returned by the editorial desk's services only."""

    list_display = ["created_at", "report", "organization", "author", "outcome", "state"]
    list_filter = ["state", "outcome"]
    list_select_related = ["report__topic", "organization", "author"]
    search_fields = ["report__id__exact", "text", "organization__name"]
    date_hierarchy = "created_at"


@admin.register(OrganizationRequest)
class OrganizationRequestAdmin(ReadOnlyAdmin):
    """Granted or refused by the editorial desk's services only."""

    list_display = ["created_at", "report", "kind", "organization", "planned_date", "state", "decided_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["report__topic", "organization"]
    search_fields = ["report__id__exact", "reason", "organization__name"]
    date_hierarchy = "created_at"


@admin.register(Follower)
class FollowerAdmin(ReadOnlyAdmin):
    """Residents follow and unfollow on the report's page."""

    list_display = ["created_at", "report", "user"]
    list_select_related = ["report__topic", "user"]
    search_fields = ["report__id__exact", "user__email"]


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    """Photos come only through the photo pipeline (decoded, re-encoded, no
    metadata); the admin shows them and can delete an unfit one."""

    list_display = ["__str__", "preview", "report", "role", "uploaded_by", "created_at"]
    list_filter = ["role"]
    list_select_related = ["report__topic", "uploaded_by"]
    exclude = ["taken_at_point"]  # where the original was shot: never shown
    readonly_fields = ["preview"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="фото")
    def preview(self, obj: Photo) -> str:
        return _preview(obj)
