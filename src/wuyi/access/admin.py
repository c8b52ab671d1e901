from django.contrib import admin

from wuyi.access.models import Code, CompoundPolicy, SigningKey, Visit


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "created_at", "retired_at", "trusted_until"]
    fields = ["kid", "created_at", "retired_at", "trusted_until"]  # never the (encrypted) private key
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # `wuyi keys rotate` makes keys


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["pseudonym", "kind", "role", "masked_name", "colour", "issued_at", "expires_at", "revoked_at"]
    list_filter = ["kind", "colour", "revoked_reason"]
    search_fields = ["pseudonym"]
    exclude = ["text"]
    raw_id_fields = ["person", "issued_by"]
    readonly_fields = ["pseudonym", "person", "kind", "role", "masked_name", "compounds", "colour", "key",
                       "issued_at", "not_before", "expires_at", "issued_by"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["compound", "starts_at", "ends_at", "entered_at"]
    raw_id_fields = ["visitor_pass", "host", "compound", "code", "registered_by"]


@admin.register(CompoundPolicy)
class CompoundPolicyAdmin(admin.ModelAdmin):
    list_display = ["compound", "policy", "effective_from"]
    raw_id_fields = ["compound"]

# AccessEvent has a composite key (moment, event id; the table is partitioned by day on PostgreSQL), which Django's
# admin cannot show: the access log is read through /access/ pages per gate and compound.
