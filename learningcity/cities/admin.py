from django.contrib import admin

from .models import Area, City, CityAdmin, PostcodeDistrict


class CityAdminInline(admin.TabularInline):
    model = CityAdmin
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(City)
class CityModelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "is_live"]
    list_filter = ["is_live"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CityAdminInline]


@admin.register(Area)
class AreaModelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "city", "imd_decile", "young_population"]
    list_filter = ["city", "kind", "imd_decile"]
    search_fields = ["name", "code"]


@admin.register(PostcodeDistrict)
class PostcodeDistrictModelAdmin(admin.ModelAdmin):
    list_display = ["outward_code", "area", "city"]
    list_filter = ["city"]
    search_fields = ["outward_code", "area__name"]
    list_select_related = ["area", "city"]
