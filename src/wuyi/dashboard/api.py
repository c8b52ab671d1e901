"""The dashboard as JSON: ``GET /api/dashboard/{code}?day=YYYY-MM-DD`` (the page's panels; scoped as the page is).

An unknown code is a 404, a node outside the caller's area or a caller who may not see dashboards a 403, a bad
or future day a 4xx on the field ``day``; all as {code, message, field}.
"""

import datetime as dt

from ninja import Router

from wuyi.dashboard import panels

router = Router(tags=["dashboard"])


def _json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, panels.Reported):
        return {"value": value.value, "confirmed": value.confirmed, "label": str(value.label)}
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


@router.get("/{code}")
def dashboard(request, code: str, day: dt.date | None = None):
    """The six panels of the node ``code`` on the local ``day`` (default today, Asia/Shanghai): per panel its
    columns, a row per child area and the total."""
    area = panels.node_for(request.user, code)
    day = panels.check_day(day) if day is not None else panels.local_today()
    board = panels.dashboard(area, day)
    return {
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "day": day.isoformat(),
        "child_level": board.child_level,
        "panels": {
            key: {
                "title": str(p.title),
                "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in p.columns],
                "rows": [{"code": r.code, "name": r.name, "values": _json(r.values)} for r in p.rows],
                "total": _json(p.total),
                "extra": _json(p.extra),
            }
            for key, p in board.panels.items()
        },
    }
