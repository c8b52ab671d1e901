from django.contrib import admin

from wuyi.people.models import Declaration, Membership, Pass, Person
from wuyi.text import row_id


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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Opening a person in the admin is a read of their details like any other: audited."""
        from wuyi.accounts import audit

        if row_id(str(object_id)) is not None and Person.objects.filter(pk=object_id).exists():
            audit.record(request.user, int(object_id), "view", "person (admin)", audit.client_ip(request))
        return super().change_view(request, object_id, form_url, extra_context)


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
