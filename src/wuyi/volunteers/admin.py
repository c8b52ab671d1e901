from django.contrib import admin

from wuyi.volunteers.models import (
    Claim,
    DailyFigures,
    Notification,
    Task,
    Team,
    TeamMember,
    Thanks,
    Volunteer,
    Wish,
)


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "community", "party_member", "joined_at"]
    raw_id_fields = ["person", "community"]


class MemberInline(admin.TabularInline):
    model = TeamMember
    raw_id_fields = ["volunteer"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "leader"]
    raw_id_fields = ["leader", "community"]
    inlines = [MemberInline]


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["team", "volunteer", "status"]
    raw_id_fields = ["team", "volunteer"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "community", "starts_at", "capacity", "taken", "status"]
    list_filter = ["kind", "status"]
    readonly_fields = ["taken"]  # moved only by claims
    raw_id_fields = ["community", "compound", "gate", "service_centre", "published_by", "team"]


@admin.register(Wish)
class WishAdmin(admin.ModelAdmin):
    list_display = ["text", "community", "status", "created_at"]
    raw_id_fields = ["person", "household", "community", "reviewed_by", "task"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["task", "volunteer", "slots", "status", "hours"]
    list_filter = ["status"]
    raw_id_fields = ["task", "volunteer", "team"]


@admin.register(Thanks)
class ThanksAdmin(admin.ModelAdmin):
    list_display = ["claim", "text", "created_at"]
    raw_id_fields = ["claim", "by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "channel", "kind", "subject", "created_at", "sent_at"]
    list_filter = ["channel", "kind"]
    raw_id_fields = ["user", "task"]


@admin.register(DailyFigures)
class DailyFiguresAdmin(admin.ModelAdmin):
    """The statistics' rollup: read only (stats.py makes it; delete rows to have them made again)."""

    list_display = ["day", "area", "tasks", "participations", "hours", "computed_at"]
    list_filter = ["day"]
    raw_id_fields = ["area"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
