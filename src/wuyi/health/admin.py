from django.contrib import admin

from wuyi.health.models import (
    Case,
    CloseContact,
    Cluster,
    DailyReport,
    Flag,
    PersonColour,
    QuarantineOrder,
    RiskList,
    RiskListEntry,
    TestResult,
)


class CaseInline(admin.TabularInline):
    model = Case
    fields = ["kind", "reported_on", "compound", "outcome"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "setting", "compound", "status", "confirmed_at"]
    list_filter = ["status", "setting"]
    raw_id_fields = ["compound", "confirmed_by"]
    inlines = [CaseInline]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "reported_on", "district", "compound", "imported", "outcome"]
    list_filter = ["kind", "outcome", "imported", "district"]
    date_hierarchy = "reported_on"
    raw_id_fields = ["person", "household", "compound", "district", "cluster", "recorded_by"]


@admin.register(CloseContact)
class CloseContactAdmin(admin.ModelAdmin):
    list_display = ["person", "case", "degree", "last_exposure_on", "identified_on", "released_on"]
    list_filter = ["degree"]
    raw_id_fields = ["case", "person"]


@admin.register(QuarantineOrder)
class QuarantineOrderAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "start", "planned_end", "released_at"]
    list_filter = ["kind"]
    raw_id_fields = ["person", "issued_by", "released_by"]


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    list_display = ["person", "date", "temperature_morning", "temperature_afternoon"]
    date_hierarchy = "date"
    raw_id_fields = ["person"]


@admin.register(TestResult)
class TestResultAdmin(admin.ModelAdmin):
    list_display = ["person", "sampled_at", "outcome"]
    list_filter = ["outcome"]
    raw_id_fields = ["person"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "since", "cleared_on"]
    list_filter = ["kind"]
    raw_id_fields = ["person", "recorded_by"]


@admin.register(PersonColour)
class PersonColourAdmin(admin.ModelAdmin):
    list_display = ["person", "colour", "rule_id", "next_change", "computed_at"]
    list_filter = ["colour", "rule_id"]
    raw_id_fields = ["person"]


class RiskListEntryInline(admin.TabularInline):
    model = RiskListEntry
    fields = ["unit_code", "unit_name", "level", "cases_in_all", "cases_within_14_days", "clusters_within_14_days",
              "days_since_last_case"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(RiskList)
class RiskListAdmin(admin.ModelAdmin):
    list_display = ["date", "rule_id", "published_at"]
    list_filter = ["rule_id"]
    date_hierarchy = "date"
    inlines = [RiskListEntryInline]


@admin.register(RiskListEntry)
class RiskListEntryAdmin(admin.ModelAdmin):
    list_display = ["risk_list", "unit_code", "unit_name", "level", "cases_in_all", "cases_within_14_days"]
    list_filter = ["level", "risk_list__rule_id"]
    search_fields = ["unit_code", "unit_name"]
    raw_id_fields = ["risk_list"]
