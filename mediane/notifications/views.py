"""Notification centre, e-mail preferences, follows and the follow button."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from mediane.accounts.forms import apply_error
from mediane.accounts.models import User
from mediane.core.errors import MedianeError
from mediane.directory.models import Organisation, Sector
from mediane.notifications import selectors, services
from mediane.notifications.forms import PreferenceForm, SavedSearchForm
from mediane.notifications.models import Topic
from mediane.territories.models import Territory


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith("/") else default


@login_required
@require_GET
def centre(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My notifications, unread first; `?unread=1` keeps only unread ones; htmx gets the list."""
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.notifications_for(user=request.user, unread_only=unread_only)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread_total": selectors.unread_count(user=request.user),
    }
    if _is_htmx(request):
        return render(request, "notifications/_list.html", context)
    return render(request, "notifications/centre.html", context)


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = services.notification_mark_read(actor=request.user, notification_id=pk)
    if _is_htmx(request):
        return render(request, "notifications/_item.html", {"notification": notification})
    return redirect(_safe_next(request, reverse("notifications:centre")))


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    text = ngettext(
        "%(count)s notification marquée comme lue.",
        "%(count)s notifications marquées comme lues.",
        count,
    )
    messages.success(request, text % {"count": count})
    return redirect(_safe_next(request, reverse("notifications:centre")))


def preference_form_for(user: User, data: Any = None) -> PreferenceForm:
    """The preference form filled with the user's current choice (also shown on the profile)."""
    current = selectors.preference_for(user=user)
    initial = {
        "frequency": current.frequency,
        "email_topics": [t for t in Topic.values if t not in (current.muted_topics or [])],
    }
    return PreferenceForm(data, initial=initial)


@login_required
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How often e-mails come, and which topics are e-mailed."""
    form = preference_form_for(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["email_topics"])
        try:
            services.preference_update(
                actor=request.user,
                user=request.user,
                frequency=form.cleaned_data["frequency"],
                muted_topics=[t for t in Topic.values if t not in chosen],
            )
        except MedianeError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Vos préférences de notification ont été enregistrées."))
            return redirect("notifications:preferences")
    status = 400 if form.is_bound else 200
    return render(request, "notifications/preferences.html", {"form": form}, status=status)


@login_required
def follows(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What I follow, and a form to save a search."""
    form = SavedSearchForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_create(actor=request.user, query=form.cleaned_data["query"])
        except MedianeError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Recherche enregistrée."))
            return redirect("notifications:follows")
    context = {"form": form, "follows": selectors.follows_for(user=request.user)}
    return render(
        request, "notifications/follows.html", context, status=400 if form.is_bound else 200
    )


@login_required
@require_POST
def unfollow(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    services.follow_delete(actor=request.user, follow_id=pk)
    messages.success(request, _("Vous ne suivez plus cet élément."))
    return redirect(_safe_next(request, reverse("notifications:follows")))


FOLLOWABLE: dict[str, Any] = {
    "sector": (Sector, "pk"),
    "territory": (Territory, "pk"),
    "organisation": (Organisation, "pk"),
}


@login_required
@require_POST
def follow_toggle(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """The follow button: follow, or stop following, a sector, territory or organisation."""
    if kind not in FOLLOWABLE:
        return HttpResponse(status=404)
    model, _field = FOLLOWABLE[kind]
    obj = get_object_or_404(model, pk=pk)
    existing = selectors.follow_find(user=request.user, **{kind: obj})
    if existing is not None:
        services.follow_delete(actor=request.user, follow_id=existing.pk)
        following = False
    else:
        services.follow_create(actor=request.user, **{kind: obj})
        following = True
    if _is_htmx(request):
        context = {"object": obj, "kind": kind, "following": following, "announce": True}
        return render(request, "notifications/_follow_form.html", context)
    text = _("Vous suivez « %(name)s ».") if following else _("Vous ne suivez plus « %(name)s ».")
    messages.success(request, text % {"name": obj})
    return redirect(_safe_next(request, reverse("notifications:follows")))
