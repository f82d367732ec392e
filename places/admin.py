from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.gis.db.models import GeometryField
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from leaflet.admin import LeafletGeoAdmin

from places import search
from places.models import Building, District, Okrug


def _count_of(model, field: str):
    """How many rows of `model` point at each listed row: a correlated
    subquery, not a JOIN with GROUP BY, which on SQLite would group by every
    column, the big boundary included (minutes instead of milliseconds)."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


class WithoutGeometryInLists:
    """A ModelAdmin mixin: its list fetches no geometry (`list_defer`), since
    no list shows one and a district's boundary alone is tens of kilobytes."""

    list_defer: tuple[str, ...] = ()

    def get_changelist(self, request, **kwargs):
        defer = self.list_defer

        class LightChangeList(ChangeList):
            def get_queryset(self, request, exclude_parameters=None):
                return super().get_queryset(request, exclude_parameters).defer(*defer)

        return LightChangeList


class RelatedFilterWithoutGeometry(admin.RelatedFieldListFilter):
    """A filter by a related place that lists names without loading the
    boundaries (twelve okrugs are megabytes of coordinates)."""

    def field_choices(self, field, request, model_admin):
        model = field.remote_field.model
        geometry = [f.name for f in model._meta.concrete_fields if isinstance(f, GeometryField)]
        queryset = model._default_manager.defer(*geometry)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


@admin.register(Okrug)
class OkrugAdmin(WithoutGeometryInLists, LeafletGeoAdmin):
    list_defer = ("boundary",)
    list_display = ["name", "abbrev", "okato", "district_count"]
    search_fields = ["name", "abbrev", "okato"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(district_count=_count_of(District, "okrug"))

    @admin.display(description="районов", ordering="district_count")
    def district_count(self, obj: Okrug) -> int:
        return obj.district_count


@admin.register(District)
class DistrictAdmin(WithoutGeometryInLists, LeafletGeoAdmin):
    list_defer = ("boundary", "okrug__boundary")
    list_display = ["name", "kind", "okrug", "okato", "oktmo", "building_count"]
    list_filter = [("okrug", RelatedFilterWithoutGeometry), "kind"]
    list_select_related = ["okrug"]
    search_fields = ["name", "okato", "oktmo"]
    autocomplete_fields = ["okrug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(building_count=_count_of(Building, "district"))

    @admin.display(description="домов", ordering="building_count")
    def building_count(self, obj: District) -> int:
        return obj.building_count


@admin.register(Building)
class BuildingAdmin(WithoutGeometryInLists, LeafletGeoAdmin):
    list_defer = ("district__boundary", "district__okrug__boundary")
    list_display = ["address", "district", "okrug", "management_company_name", "year_built", "floors"]
    list_filter = [("district__okrug", RelatedFilterWithoutGeometry), "district__kind"]
    list_select_related = ["district__okrug"]
    search_fields = ["address", "source_id", "management_company_name"]
    autocomplete_fields = ["district"]
    readonly_fields = ["search_text"]
    show_full_result_count = False  # 33k rows: spare the second COUNT(*)

    def get_search_results(self, request, queryset, search_term):
        """Match the register's spelling too: «Большая Академическая 4» finds
        «ул. Академическая Б., д. 4» through the normalized search text."""
        filtered = queryset  # already narrowed by the list filters
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        terms = search.parse_query(search_term)
        if terms:
            normalized = Q()
            for term in terms:
                normalized &= Q(search_text__contains=term.pattern)
            queryset |= filtered.filter(normalized)
        return queryset, may_have_duplicates

    @admin.display(description="округ", ordering="district__okrug__name")
    def okrug(self, obj: Building):
        return obj.district.okrug if obj.district else None
