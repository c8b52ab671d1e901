"""The JSON API: one ninja router per app under /api/<app>/, OpenAPI at /api/docs.

Callers authenticate with the session cookie (pages) or a bearer token (devices, integrations).
Errors are always {"code", "message", "field"}.
"""

from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from wuyi.accounts.models import ApiToken
from wuyi.errors import DomainError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="wuyi API",
    version="1",
    description="健康家园·无疫小区 — areas, people, passes. Errors are {code, message, field}.",
    # The token first: SessionAuth runs the CSRF check before it looks for a cookie, which would refuse
    # every POST from a device. Browsers carry no bearer token and still get the CSRF check.
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    urls_namespace="api",
)


def _error(request, status: int, code: str, message: str, field: str | None = None):
    return api.create_response(request, {"code": code, "message": message, "field": field}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload", "data")]
    return api.create_response(
        request,
        {"code": "invalid", "message": first.get("msg", "invalid input"), "field": ".".join(loc) or None,
         "errors": exc.errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "unauthenticated", "log in or send a valid bearer token")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "http_error", str(exc))


@api.get("/health", auth=None, tags=["meta"])
def health(request):
    """Liveness: the server answers and can reach its database."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT 1")
    return {"ok": True, "time": timezone.now().isoformat()}


def mount_routers() -> None:
    from wuyi.access.api import router as access_router
    from wuyi.accounts.api import router as accounts_router
    from wuyi.campaign.api import router as campaign_router
    from wuyi.care.api import router as care_router
    from wuyi.dashboard.api import router as dashboard_router
    from wuyi.health.api import router as health_router
    from wuyi.people.api import router as people_router
    from wuyi.people.roster_api import router as roster_router
    from wuyi.places.api import router as places_router
    from wuyi.venues.api import router as venues_router
    from wuyi.workforce.api import router as workforce_router

    api.add_router("/places/", places_router)
    api.add_router("/people/roster/", roster_router)
    api.add_router("/people/", people_router)
    api.add_router("/accounts/", accounts_router)
    api.add_router("/health/", health_router)
    api.add_router("/access/", access_router)
    api.add_router("/campaign/", campaign_router)
    api.add_router("/workforce/", workforce_router)
    api.add_router("/venues/", venues_router)
    api.add_router("/care/", care_router)
    api.add_router("/dashboard/", dashboard_router)


mount_routers()
