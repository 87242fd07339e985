"""Account pages: login, registration, profile and API tokens, members, invitations, audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediane.accounts import mail_throttle, selectors, services, two_factor
from mediane.accounts.forms import (
    ApiTokenForm,
    AuditFilterForm,
    InvitationAcceptForm,
    InvitationForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    RoleForm,
    apply_error,
)
from mediane.accounts.models import User
from mediane.accounts.two_factor_views import start_pending_login
from mediane.core.errors import MedianeError
from mediane.core.permissions import can, require

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `login_required`: its user is never anonymous."""

    user: User


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Make `language` the visitor's language (Django keeps it in a cookie)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else default


class LoginView(auth_views.LoginView):
    """E-mail login; afterwards the user's preferred language becomes the session language.

    A person with two-factor authentication is not logged in here: the code is asked next
    (`two_factor_views.login_verify`)."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        if two_factor.has_two_factor(form.get_user()):  # not logged in yet: second step first
            return start_pending_login(self.request, form.get_user(), self.get_redirect_url())
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        translation.activate(language)
        set_language_cookie(response, language)
        return response


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request, reverse("accounts:profile")))
    form = RegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
                language=form.cleaned_data["preferred_language"],
            )
        except MedianeError as error:
            apply_error(form, error)
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(
                request,
                _("Bienvenue ! Un e-mail vous a été envoyé pour vérifier votre adresse."),
            )
            response = redirect(_safe_next(request, reverse("accounts:profile")))
            set_language_cookie(response, user.preferred_language)
            return response
    next_url = _safe_next(request, "")
    return render(request, "accounts/register.html", {"form": form, "next": next_url})


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the verification e-mail; verifying twice is harmless."""
    try:
        user = services.user_verify_email(token=token)
    except MedianeError as error:
        return render(request, "accounts/verify_email.html", {"error": error.message}, status=400)
    return render(request, "accounts/verify_email.html", {"verified_user": user})


@login_required
@require_POST
def resend_verification(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not mail_throttle.allow("verify", request.user.email):
        messages.error(
            request,
            _(
                "Trop d'e-mails de vérification demandés pour cette adresse : réessayez dans "
                "une heure, et pensez à regarder dans vos indésirables."
            ),
        )
        return redirect("accounts:profile")
    services.user_send_verification(user=request.user)
    messages.success(request, _("Un nouvel e-mail de vérification vous a été envoyé."))
    return redirect("accounts:profile")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, with at most MEDIANE_MAIL_LINKS_PER_HOUR e-mails per address:
    over it the page says the same as usual (it never tells whether an account exists) but
    no e-mail is sent."""

    def form_valid(self, form: Any) -> HttpResponse:
        if not mail_throttle.allow("reset", form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


def _profile_context(request: AuthenticatedHttpRequest, **extra: object) -> dict[str, object]:
    user = request.user
    context: dict[str, object] = {
        "profile_form": ProfileForm(
            initial={
                "full_name": user.full_name,
                "preferred_language": user.preferred_language,
                "time_zone": user.time_zone,
            }
        ),
        "token_form": ApiTokenForm(),
        "memberships": selectors.user_memberships(user=user),
        "tokens": selectors.api_tokens_of(user=user),
        "can_view_audit_log": selectors.can_view_audit_log(user),
        **_two_factor_context(user),
    }
    context.update(extra)
    return context


def _two_factor_context(user: User) -> dict[str, object]:
    device = two_factor.device_of(user)
    confirmed = device is not None and device.confirmed
    return {
        "two_factor_device": device if confirmed else None,
        "two_factor_pending": device is not None and not confirmed,
        "two_factor_codes_left": (
            two_factor.remaining_recovery_codes(device) if device and confirmed else 0
        ),
        "two_factor_offered": not confirmed and two_factor.is_offered_prominently(user),
        "two_factor_required": two_factor.required_for(user),
    }


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Name, language and time zone; my organisations; my API tokens."""
    if request.method != "POST":
        return render(request, "accounts/profile.html", _profile_context(request))
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            user = services.user_update_profile(
                actor=request.user, user=request.user, **form.cleaned_data
            )
        except MedianeError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Votre profil a été enregistré."))
            response = redirect("accounts:profile")
            set_language_cookie(response, user.preferred_language)
            return response
    return render(
        request, "accounts/profile.html", _profile_context(request, profile_form=form), status=400
    )


@login_required
@require_POST
def api_token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create a token and show its raw value once, in this response only (never cached)."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except MedianeError as error:
            apply_error(form, error)
        else:
            response = render(
                request, "accounts/api_token_created.html", {"token": token, "raw": raw}
            )
            add_never_cache_headers(response)
            return response
    context = _profile_context(request, token_form=form)
    return render(request, "accounts/profile.html", context, status=400)


@login_required
def api_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_get_for(user=request.user, pk=pk)
    if request.method == "POST":
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("Le jeton « %(name)s » a été révoqué.") % {"name": token.name})
        return redirect("accounts:profile")
    return render(request, "accounts/api_token_revoke.html", {"token": token})


@login_required
def organisation_members(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Members and pending invitations; administrators invite from here."""
    organisation = selectors.organisation_for_members_page(user=request.user, slug=slug)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except MedianeError as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("Invitation envoyée à %(email)s.") % {"email": invitation.email}
            )
            return redirect("accounts:organisation_members", slug=slug)
    context = {
        "organisation": organisation,
        "memberships": selectors.memberships_of_organisation(
            user=request.user, organisation=organisation
        ),
        "invitations": selectors.invitations_pending(user=request.user, organisation=organisation),
        "can_manage": can(request.user, "manage_members", organisation),
        "form": form,
        "role_form": RoleForm(),
    }
    return render(
        request, "accounts/organisation_members.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def member_change_role(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_members_page(user=request.user, slug=slug)
    membership = selectors.membership_get_for(user=request.user, pk=pk, organisation=organisation)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle dans la liste."))
    else:
        try:
            services.membership_change_role(
                actor=request.user, membership=membership, **form.cleaned_data
            )
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Le rôle de %(name)s a été modifié.") % {"name": membership.user}
            )
    return redirect("accounts:organisation_members", slug=slug)


@login_required
def member_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Confirm, then remove a member, or leave the organisation when it is one's own membership."""
    organisation = selectors.organisation_for_members_page(user=request.user, slug=slug)
    membership = selectors.membership_get_for(user=request.user, pk=pk, organisation=organisation)
    leaving = membership.user_id == request.user.pk
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.user, membership=membership)
        except MedianeError as error:
            messages.error(request, error.message)
            return redirect("accounts:organisation_members", slug=slug)
        if leaving:
            messages.success(request, _("Vous avez quitté %(org)s.") % {"org": organisation})
            return redirect("accounts:profile")
        messages.success(
            request, _("%(name)s a été retiré de l'organisation.") % {"name": membership.user}
        )
        return redirect("accounts:organisation_members", slug=slug)
    require(request.user, "delete", membership)
    context = {"organisation": organisation, "membership": membership, "leaving": leaving}
    return render(request, "accounts/member_remove.html", context)


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_members_page(user=request.user, slug=slug)
    invitation = selectors.invitation_get_for(user=request.user, pk=pk, organisation=organisation)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("L'invitation de %(email)s a été révoquée.") % {"email": invitation.email}
        )
    return redirect("accounts:organisation_members", slug=slug)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Show the invitation; a signed-in visitor accepts it, others sign in or register first."""
    invitation = selectors.invitation_by_token(token=token)
    form = InvitationAcceptForm(request.POST if request.method == "POST" else None)
    context = {"invitation": invitation, "form": form, "mismatch": False}
    if invitation is not None and request.user.is_authenticated:
        context["mismatch"] = invitation.email.lower() != request.user.email.lower()
    if request.method == "POST" and invitation is not None and form.is_valid():
        if not request.user.is_authenticated:
            raise PermissionDenied("accept")
        try:
            membership = services.invitation_accept(
                user=request.user, token=token, **form.cleaned_data
            )
        except MedianeError as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("Vous avez rejoint %(org)s.") % {"org": membership.organisation}
            )
            return HttpResponseRedirect(reverse("accounts:profile"))
    status = 404 if invitation is None else (400 if form.errors else 200)
    return render(request, "accounts/invitation_accept.html", context, status=status)


@login_required
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audit log: everything for the secretariat, their organisations' for administrators."""
    if not selectors.can_view_audit_log(request.user):
        raise PermissionDenied("view")
    choices = selectors.audit_filter_choices(user=request.user)
    form = AuditFilterForm(
        request.GET or None, actions=choices["actions"], object_types=choices["object_types"]
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = selectors.AuditFilters(**{k: v for k, v in data.items() if v})
    entries = selectors.audit_entries_for(user=request.user, filters=filters)
    page = Paginator(entries, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "accounts/audit_log.html", context)


@login_required
@require_POST
def personal_data_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own data, as a ZIP of JSON files (one per kind of data)."""
    from mediane.accounts.personal_data import export_zip

    response = HttpResponse(export_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-mediane.zip"'
    add_never_cache_headers(response)
    return response


@login_required
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Delete my account, after my password and an explicit confirmation."""
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "on":
            error = _("Cochez la case pour confirmer la suppression.")
        else:
            try:
                services.user_delete_account(
                    actor=request.user, user=request.user, password=request.POST.get("password")
                )
            except MedianeError as failure:
                error = failure.message
            else:
                from django.contrib.auth import logout

                logout(request)
                messages.success(request, _("Votre compte a été supprimé."))
                return redirect("/")
    return render(
        request, "accounts/account_delete.html", {"error": error}, status=400 if error else 200
    )


def privacy(request: HttpRequest) -> HttpResponse:
    """What is collected, why, for how long; the rights and how to exercise them."""
    return render(
        request,
        "accounts/privacy.html",
        {
            "notifications_days": settings.RETENTION_NOTIFICATIONS_DAYS,
            "audit_days": settings.RETENTION_AUDIT_DAYS,
            "inactive_days": settings.RETENTION_INACTIVE_ACCOUNTS_DAYS,
        },
    )
