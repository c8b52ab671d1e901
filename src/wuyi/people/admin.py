from django.contrib import admin

from wuyi.people.models import Declaration, Membership, Pass, Person


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["household"]
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["masked_name", "id_masked", "birth_year", "sex", "verified"]
    list_filter = ["verified", "sex"]
    readonly_fields = ["id_masked"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "household", "relation", "moved_in", "moved_out"]
    raw_id_fields = ["person", "household"]


@admin.register(Declaration)
class DeclarationAdmin(admin.ModelAdmin):
    list_display = ["masked_name", "id_masked", "household", "status", "created_at"]
    list_filter = ["status", "on_behalf"]
    raw_id_fields = ["household", "person", "submitted_by", "reviewed_by"]


@admin.register(Pass)
class PassAdmin(admin.ModelAdmin):
    list_display = ["number", "person", "compound", "kind", "valid_until", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["number"]
    raw_id_fields = ["person", "compound", "issued_by"]
