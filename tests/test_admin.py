from wuyi.accounts.models import AuditEntry


def test_opening_a_person_in_the_admin_is_audited(client, world):
    admin = world.users["city_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    person = world.people[0]
    assert client.get(f"/admin/people/person/{person.pk}/change/").status_code == 200
    assert AuditEntry.objects.filter(actor=admin, person=person, what="person (admin)").count() == 1


def test_every_model_has_an_admin_page(client, world):
    from django.apps import apps
    from django.contrib import admin as django_admin

    # A model with a composite key (the partitioned access log) cannot be registered in Django's admin.
    ours = [m for m in apps.get_models() if m.__module__.startswith("wuyi.") and not m._meta.is_composite_pk]
    assert ours and all(django_admin.site.is_registered(m) for m in ours), [
        m.__name__ for m in ours if not django_admin.site.is_registered(m)]
