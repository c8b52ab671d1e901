from django.contrib import admin

from wuyi.care.models import CareContact, KeyPerson
from wuyi.text import row_id


class AuditedChange(admin.ModelAdmin):
    """Opening a key person (or a contact) in the admin is a read of a person's data like any other: audited."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from wuyi.accounts import audit

        if row_id(str(object_id)) is not None:
            person_id = self.person_of(int(object_id))
            if person_id is not None:
                audit.record(request.user, person_id, "view", f"{self.model._meta.model_name} (admin)",
                             audit.client_ip(request))
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(KeyPerson)
class KeyPersonAdmin(AuditedChange):
    list_display = ["__str__", "reason", "community", "since", "until"]
    list_filter = ["reason"]
    raw_id_fields = ["person", "community", "responsible"]

    def person_of(self, pk: int) -> int | None:
        return KeyPerson.objects.filter(pk=pk).values_list("person_id", flat=True).first()


@admin.register(CareContact)
class CareContactAdmin(AuditedChange):
    list_display = ["key_person", "kind", "at", "by"]
    list_filter = ["kind"]
    raw_id_fields = ["key_person", "by"]

    def person_of(self, pk: int) -> int | None:
        return CareContact.objects.filter(pk=pk).values_list("key_person__person_id", flat=True).first()
