from django.contrib import admin

from backoffice.models import ResponseTemplate


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "topic_or_any", "outcome", "is_active", "updated_at"]
    list_filter = ["is_active", "outcome", ("topic", admin.EmptyFieldListFilter), "topic__group"]
    list_editable = ["is_active"]
    search_fields = ["title", "text", "topic__name"]
    autocomplete_fields = ["topic"]
    list_select_related = ["topic"]
    fields = ["topic", "outcome", "title", "text", "is_active"]

    @admin.display(description="тема", ordering="topic__name")
    def topic_or_any(self, obj: ResponseTemplate) -> str:
        return obj.topic.name if obj.topic_id else "любая тема"
