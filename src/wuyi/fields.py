"""Model fields shared by the apps."""

from django.conf import settings
from django.db import models


def acting_user(verbose_name, related_name: str = "+") -> models.ForeignKey:
    """Who recorded, issued, released, confirmed… a record: kept as null when the account is deleted."""
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=verbose_name, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name=related_name)
