"""Who may use a page: the one decorator the apps' views share."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def worker_required(view):
    """Only worker roles (city admin, district, street and community workers) holding an area may use the page."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_worker and request.user.area_id):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
