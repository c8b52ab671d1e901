from django.contrib import admin

from wuyi.campaign.models import (
    ActivityPhoto,
    ActivityRecord,
    Demonstration,
    DemonstrationApproval,
    DemonstrationCheck,
    DemonstrationCriterion,
    Inspection,
    InspectionResult,
    Measure,
    MeasureCatalogue,
    Rectification,
)


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    fields = ("position", "group", "number", "text", "text_en", "status", "source", "note")


@admin.register(MeasureCatalogue)
class MeasureCatalogueAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "issued_on", "effective_from")
    search_fields = ("code", "title")
    inlines = [MeasureInline]


class ResultInline(admin.TabularInline):
    model = InspectionResult
    extra = 0
    raw_id_fields = ("measure",)


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("compound", "inspected_on", "catalogue", "passed", "failed", "not_applicable", "score",
                    "fully_compliant")
    list_filter = ("fully_compliant", "catalogue")
    search_fields = ("compound__code", "compound__name")
    raw_id_fields = ("compound", "inspected_by", "previous")
    inlines = [ResultInline]


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = ("compound", "measure", "due_on", "status")
    list_filter = ("status",)
    search_fields = ("compound__code", "compound__name")
    raw_id_fields = ("inspection", "result", "compound", "measure", "closed_by", "volunteer_task")


class ApprovalInline(admin.TabularInline):
    model = DemonstrationApproval
    extra = 0
    raw_id_fields = ("by",)


class CheckInline(admin.TabularInline):
    model = DemonstrationCheck
    extra = 0


@admin.register(Demonstration)
class DemonstrationAdmin(admin.ModelAdmin):
    list_display = ("compound", "community", "status", "nominated_at", "approved_at")
    list_filter = ("status",)
    search_fields = ("compound__code", "compound__name")
    raw_id_fields = ("compound", "community", "nominated_by")
    inlines = [CheckInline, ApprovalInline]


@admin.register(DemonstrationCriterion)
class DemonstrationCriterionAdmin(admin.ModelAdmin):
    list_display = ("code", "text", "active")
    list_filter = ("active",)


class PhotoInline(admin.TabularInline):
    model = ActivityPhoto
    extra = 0


@admin.register(ActivityRecord)
class ActivityRecordAdmin(admin.ModelAdmin):
    list_display = ("community", "action", "held_on", "participants")
    list_filter = ("action",)
    search_fields = ("community__code", "community__name")
    raw_id_fields = ("community", "created_by")
    inlines = [PhotoInline]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("catalogue", "position", "group", "number", "status")
    list_filter = ("catalogue", "group", "status")


@admin.register(InspectionResult)
class InspectionResultAdmin(admin.ModelAdmin):
    list_display = ("inspection", "measure", "result")
    list_filter = ("result",)
    raw_id_fields = ("inspection", "measure")


@admin.register(DemonstrationApproval)
class DemonstrationApprovalAdmin(admin.ModelAdmin):
    list_display = ("demonstration", "level", "decision", "at")
    raw_id_fields = ("demonstration", "by")


@admin.register(DemonstrationCheck)
class DemonstrationCheckAdmin(admin.ModelAdmin):
    list_display = ("demonstration", "criterion", "met")
    raw_id_fields = ("demonstration",)


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(admin.ModelAdmin):
    list_display = ("record", "image")
    raw_id_fields = ("record",)
