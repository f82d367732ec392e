"""The programme's admin: settings, points per topic, rewards with their codes
(uploaded as text or a file), funds; the ledger and donations read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from loyalty import services
from loyalty.forms import RewardAdminForm
from loyalty.models import Code, Donation, Entry, Fund, ProgrammeSettings, Reward, TopicPoints


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by loyalty.services: shown, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "report_points", "inspection_points", "daily_cap"]

    def has_add_permission(self, request):
        return not ProgrammeSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ProgrammeSettings.load()  # the one row exists from the first visit
        return super().changelist_view(request, extra_context)


@admin.register(TopicPoints)
class TopicPointsAdmin(admin.ModelAdmin):
    list_display = ["topic", "points"]
    list_editable = ["points"]
    list_select_related = ["topic"]
    search_fields = ["topic__name", "topic__code"]
    autocomplete_fields = ["topic"]


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    form = RewardAdminForm
    list_display = ["title", "partner", "kind", "price", "is_active", "in_stock", "issued"]
    list_editable = ["is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["title", "partner"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "partner",
                    "kind",
                    "description",
                    "how_to_use",
                    "price",
                    "is_active",
                    "position",
                ]
            },
        ),
        ("Коды", {"fields": ["new_codes", "codes_file"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _in_stock=Count("codes", filter=Q(codes__issued_to__isnull=True)),
                _issued=Count("codes", filter=Q(codes__issued_to__isnull=False)),
            )
        )

    @admin.display(description="осталось кодов", ordering="_in_stock")
    def in_stock(self, obj):
        return obj._in_stock

    @admin.display(description="выдано", ordering="_issued")
    def issued(self, obj):
        return obj._issued

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        text = form.codes_text()
        if not text.strip():
            return
        try:
            added, skipped = services.load_codes(obj, text)
        except ValidationError as exc:
            self.message_user(request, exc.messages[0], messages.ERROR)
            return
        self.message_user(
            request,
            f"Добавлено кодов: {added}; пропущено (повторы и уже загруженные): {skipped}.",
            messages.SUCCESS,
        )


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    """Codes are added through their reward's form; an unused one may be removed."""

    list_display = ["value", "reward", "issued_to", "issued_at", "loaded_at"]
    list_filter = [("issued_to", admin.EmptyFieldListFilter), "reward"]
    list_select_related = ["reward", "issued_to"]
    search_fields = ["value", "issued_to__email", "reward__title"]
    readonly_fields = ["reward", "value", "issued_to", "issued_at", "loaded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.issued_to_id is None

    def get_deleted_objects(self, objs, request):
        # Issued codes are paid for in the ledger: the bulk action must not take them.
        issued = [o for o in objs if o.issued_to_id is not None]
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if issued:
            protected = list(protected) + [f"{o} (выдан)" for o in issued]
        return deleted, model_count, perms_needed, protected


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "total", "donors"]
    list_editable = ["is_active"]
    search_fields = ["name"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _total=Coalesce(Sum("donations__amount"), 0), _donors=Count("donations__user", distinct=True)
            )
        )

    @admin.display(description="собрано баллов", ordering="_total")
    def total(self, obj):
        return obj._total

    @admin.display(description="участников", ordering="_donors")
    def donors(self, obj):
        return obj._donors


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "fund", "amount"]
    list_filter = ["fund"]
    list_select_related = ["user", "fund"]
    search_fields = ["user__email"]
    date_hierarchy = "created_at"


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    """The ledger: append-only, so nothing here changes it."""

    list_display = [
        "created_at",
        "user",
        "amount",
        "nominal",
        "reason",
        "report",
        "inspection",
        "reward",
        "code",
    ]
    list_filter = ["reason"]
    list_select_related = ["user", "report__topic", "reward", "code", "inspection"]
    search_fields = ["user__email", "user__full_name", "=report__id", "code__value"]
    date_hierarchy = "created_at"
    show_full_result_count = False
