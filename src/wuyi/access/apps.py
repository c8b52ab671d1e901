from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "wuyi.access"
    verbose_name = _("Closed management")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from wuyi.access import services
        from wuyi.health.signals import colours_recomputed
        from wuyi.people.models import Pass

        def colours_changed(sender, person_ids=None, **kwargs):
            services.revoke_stale_codes(person_ids)  # a code carries its colour at issue

        def pass_saved(sender, instance, **kwargs):
            if instance.revoked_at is not None:
                from wuyi.access.models import Code

                services.revoke_codes(Code.objects.filter(person_id=instance.person_id), "pass_revoked")

        colours_recomputed.connect(colours_changed, weak=False, dispatch_uid="access-revoke-stale-codes")
        post_save.connect(pass_saved, sender=Pass, weak=False, dispatch_uid="access-revoke-on-pass")
