"""Client applications: the administrator registers them; the api_key is
shown once, in a message, when it is made or made anew (only its hash is
kept). Requests filed through Open311 are only looked at here."""

from django.contrib import admin, messages
from django.utils.html import format_html

from open311 import services
from open311.models import ClientApplication, ServiceRequest


def _show_key(request, client: ClientApplication, key: str) -> None:
    messages.warning(
        request,
        format_html(
            "api_key приложения «{}»: <code>{}</code> — скопируйте его сейчас: он больше не будет показан.",
            client.name,
            key,
        ),
    )


@admin.register(ClientApplication)
class ClientApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "contact", "response_type", "key_prefix", "is_active", "revoked_at", "created_at"]
    list_filter = ["is_active", "response_type"]
    search_fields = ["name", "contact", "key_prefix"]
    fields = ["name", "contact", "response_type", "is_active", "key_prefix", "key_created_at", "revoked_at"]
    readonly_fields = ["key_prefix", "key_created_at", "revoked_at"]
    actions = ["regenerate_keys", "revoke_keys"]

    def save_model(self, request, obj, form, change):
        key = None if change else services.assign_key(obj)
        super().save_model(request, obj, form, change)
        if key:
            _show_key(request, obj, key)

    @admin.action(description="Выпустить новый api_key (старый перестанет работать)")
    def regenerate_keys(self, request, queryset):
        for client in queryset:
            _show_key(request, client, services.regenerate_key(client))

    @admin.action(description="Отозвать api_key")
    def revoke_keys(self, request, queryset):
        revoked = sum(services.revoke(client) for client in queryset)
        messages.success(request, f"Отозвано ключей: {revoked}.")


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["report", "client", "created_at", "media_url"]
    list_filter = ["client"]
    list_select_related = ["report__topic", "client"]
    search_fields = ["=report__id", "token", "device_id", "account_id"]
    fields = ["report", "client", "token", "media_url", "device_id", "account_id", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
