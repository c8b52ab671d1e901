from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from wuyi.accounts.models import ApiToken, AuditEntry, LoginFailure, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "area", "gate", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["area", "gate", "person"]
    fieldsets = BaseUserAdmin.fieldsets + (("wuyi", {"fields": ["role", "area", "gate", "person"]}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "revoked_at"]
    raw_id_fields = ["user"]


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["username", "at", "ip"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "what"]
    list_filter = ["action"]
    raw_id_fields = ["actor", "person"]

    def has_change_permission(self, request, obj=None):
        return False  # the audit log is append-only

    def has_delete_permission(self, request, obj=None):
        return False
