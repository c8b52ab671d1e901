"""Account pages: log in (with the lockout) and out, resident sign-up, the audit log, API tokens."""

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from wuyi.accounts import services
from wuyi.accounts.audit import client_ip
from wuyi.accounts.forms import LoginForm, SignupForm, TokenForm, add_domain_error
from wuyi.accounts.models import ApiToken, AuditEntry
from wuyi.accounts.permissions import worker_required
from wuyi.accounts.scoping import scope
from wuyi.errors import DomainError

AUDIT_PAGE_SIZE = 50

# The actions the apps write to the audit log; any other is shown as written.
ACTION_LABELS = {
    "view": gettext_lazy("viewed"),
    "approve": gettext_lazy("approved"),
    "reject": gettext_lazy("rejected"),
    "register": gettext_lazy("registered"),
    "revoke": gettext_lazy("revoked a pass"),
    "import": gettext_lazy("imported"),
    "export": gettext_lazy("exported"),
    "change": gettext_lazy("changed"),
}


def _audit_rows(page) -> list[tuple[AuditEntry, str]]:
    return [(e, ACTION_LABELS.get(e.action, e.action)) for e in page.object_list]


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.log_in(
                request, form.cleaned_data["username"], form.cleaned_data["password"], client_ip(request)
            )
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            auth.login(request, user)
            return redirect(_next_url(request))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("accounts:login")


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """A resident signs up with a mobile number, then goes on to the self-declaration."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_up(form.cleaned_data["phone"], form.cleaned_data["password1"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("people:declare")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def my_audit(request: HttpRequest) -> HttpResponse:
    """Who looked at the user's own record: every audit entry on their person, newest first."""
    person_id = request.user.person_id
    entries = AuditEntry.objects.filter(person_id=person_id) if person_id else AuditEntry.objects.none()
    page = Paginator(entries.order_by("-at", "-pk"), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/my_audit.html",
        {
            "page": page,
            "rows": _audit_rows(page),
            "linked": person_id is not None,
        },
    )


@worker_required
def audit(request: HttpRequest) -> HttpResponse:
    """The audit log of the people in the worker's area."""
    entries = scope(request.user, AuditEntry.objects.all()).select_related("person").order_by("-at", "-pk")
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"page": page, "rows": _audit_rows(page)})


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: create one (its key shown on this response only) or revoke one."""
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.issue_token(request.user, form.cleaned_data["name"])
        except DomainError as e:
            add_domain_error(form, e)
        else:
            form = TokenForm()
    listed = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    response = render(request, "accounts/tokens.html", {"form": form, "tokens": listed, "new_key": new_key})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.revoke_token(request.user, pk)
    except DomainError:
        raise Http404 from None
    messages.success(request, _("The token is revoked: it no longer opens the API."))
    return redirect("accounts:tokens")
