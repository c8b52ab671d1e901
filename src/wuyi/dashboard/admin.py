from django.contrib import admin

from wuyi.dashboard.models import RefusalCount, RefusalDay


class ReadOnly(admin.ModelAdmin):
    """A cache counted from the access log (`wuyi dashboard refresh`): looked at, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RefusalDay)
class RefusalDayAdmin(ReadOnly):
    list_display = ["day", "counted_at"]
    date_hierarchy = "day"


@admin.register(RefusalCount)
class RefusalCountAdmin(ReadOnly):
    list_display = ["day", "level", "area_code", "reason", "refusals"]
    list_filter = ["level", "reason"]
    search_fields = ["area_code"]
    date_hierarchy = "day"
