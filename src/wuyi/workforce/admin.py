from django.contrib import admin

from wuyi.workforce.models import (
    CentreActivation,
    PartyMember,
    PartyOrganisation,
    Shift,
    Supply,
    SupplyMovement,
    Worker,
    WorkGroup,
)


@admin.register(WorkGroup)
class WorkGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "set_up_on", "dissolved_on"]
    list_filter = ["kind"]
    raw_id_fields = ["area"]


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "area", "group", "party_member", "active"]
    list_filter = ["kind", "party_member", "active"]
    raw_id_fields = ["area", "group", "person"]


class PartyMemberInline(admin.TabularInline):
    model = PartyMember
    raw_id_fields = ["worker"]


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "front", "area", "set_up_on", "dissolved_on"]
    list_filter = ["front"]
    raw_id_fields = ["area"]
    inlines = [PartyMemberInline]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["worker", "on", "period", "compound", "gate", "checkpoint", "service_centre"]
    list_filter = ["period"]
    raw_id_fields = ["worker", "compound", "gate", "checkpoint", "service_centre", "assigned_by"]


@admin.register(CentreActivation)
class CentreActivationAdmin(admin.ModelAdmin):
    list_display = ["service_centre", "anti_epidemic_since"]
    raw_id_fields = ["service_centre", "activated_by"]


@admin.register(Supply)
class SupplyAdmin(admin.ModelAdmin):
    list_display = ["item", "unit", "quantity", "service_centre", "updated_at"]
    raw_id_fields = ["service_centre"]


@admin.register(SupplyMovement)
class SupplyMovementAdmin(admin.ModelAdmin):
    list_display = ["supply", "delta", "reason", "by", "at"]
    raw_id_fields = ["supply", "by"]


@admin.register(PartyMember)
class PartyMemberAdmin(admin.ModelAdmin):
    list_display = ["worker", "organisation", "role"]
    list_filter = ["role"]
    raw_id_fields = ["organisation", "worker"]
