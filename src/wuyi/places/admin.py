from django.contrib import admin

from wuyi.places.models import Area, Building, Checkpoint, Gate, Household, ServiceCentre


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "compound"]
    search_fields = ["code", "name"]
    raw_id_fields = ["compound"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["code", "room", "building"]
    search_fields = ["code"]
    raw_id_fields = ["building"]


@admin.register(Gate)
class GateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "compound", "direction"]
    search_fields = ["code", "name"]
    raw_id_fields = ["compound"]


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "street"]
    search_fields = ["code", "name"]
    raw_id_fields = ["street"]


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area"]
    search_fields = ["code", "name"]
    raw_id_fields = ["area"]
