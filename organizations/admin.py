from django.contrib import admin

from organizations.models import Organization
from places.admin import RelatedFilterWithoutGeometry, WithoutGeometryInLists


@admin.register(Organization)
class OrganizationAdmin(WithoutGeometryInLists, admin.ModelAdmin):
    list_defer = ("okrug__boundary",)
    list_display = ["name", "code", "kind", "okrug", "supervisor", "city_wide", "is_active"]
    list_filter = ["kind", "city_wide", "is_active", ("okrug", RelatedFilterWithoutGeometry)]
    list_select_related = ["okrug", "supervisor"]
    # accounts' UserAdmin picks an organization through this search.
    search_fields = ["name", "code"]
    autocomplete_fields = ["okrug", "supervisor", "districts"]
    # A «Жилищник» manages a thousand buildings out of 33k: ids, not a select.
    raw_id_fields = ["buildings"]
    readonly_fields = ["served_summary"]
    fieldsets = [
        (None, {"fields": ["name", "code", "kind", "is_active", "email", "phone"]}),
        (
            "Зона ответственности",
            {"fields": ["city_wide", "okrug", "districts", "served_summary", "buildings"]},
        ),
        ("Контроль", {"fields": ["supervisor"]}),
    ]

    @admin.display(description="обслуживает")
    def served_summary(self, obj: Organization) -> str:
        if obj.pk is None:
            return "—"
        return f"районов: {obj.districts.count()}, домов в управлении: {obj.buildings.count()}"
