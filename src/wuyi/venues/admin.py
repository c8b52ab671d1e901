from django.contrib import admin

from wuyi.venues.models import ReopeningApplication, Venue, VenueInspection


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "trade", "community", "status", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "community__code"]
    raw_id_fields = ["community", "registered_by"]


@admin.register(ReopeningApplication)
class ReopeningApplicationAdmin(admin.ModelAdmin):
    list_display = ["venue", "pledge_signer", "pledge_signed_at", "status"]
    list_filter = ["status"]
    raw_id_fields = ["venue", "submitted_by"]


@admin.register(VenueInspection)
class VenueInspectionAdmin(admin.ModelAdmin):
    list_display = ["application", "inspected_on", "outcome", "notice_number"]
    list_filter = ["outcome"]
    raw_id_fields = ["application", "inspector"]
