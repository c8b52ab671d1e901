from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from wuyi.accounts.models import Role


@login_required
def home(request):
    """The landing page depends on the role (DESIGN.md §7)."""
    user = request.user
    if user.role in (Role.RESIDENT, Role.VOLUNTEER):
        return redirect("access:my_code" if user.person_id else "people:me")
    if user.role == Role.GATE_GUARD and user.gate_id:
        return redirect("access:gate", code=user.gate.code)
    if user.role == Role.LEADER and user.area_id:
        return redirect("dashboard:home")
    if user.role == Role.HEALTH_OFFICIAL and user.area_id:
        return redirect("health:workbench")
    if user.role in (Role.COMMUNITY_WORKER,):
        return redirect("people:queue")
    if user.area_id:
        return redirect("places:area", code=user.area.code)
    return redirect("places:city")
