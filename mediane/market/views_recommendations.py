"""Recommendation pages: the organisations to invite to a challenge (with "Inviter à répondre")
and the open challenges recommended to an organisation.

The ranking comes from `mediane.market.matching_adapter` through the market's selectors (the
same rows and rules as the API); invitations go through `services.challenge_invite`. A hidden
challenge or organisation is a 404, a reader who may not use the page a 403.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError
from mediane.core.permissions import can, has_role, is_secretariat
from mediane.directory.models import Organisation, OrganisationKind
from mediane.directory.selectors import organisation_get_for
from mediane.market import selectors, services
from mediane.market.models import Challenge
from mediane.territories.models import Country

RANKED = 60  # organisations ranked before the filters apply
SHOWN = 20  # rows shown


# The ranker's scores: a top match scores 0.5 to 0.9. "Very relevant" from 0.5, "relevant" from
# 0.3; the bar is full from FULL_SCORE, so that a very relevant match fills most of it.
HIGH_SCORE = 0.5
MEDIUM_SCORE = 0.3
FULL_SCORE = 0.8


def _bar(score: float) -> int:
    return max(4, min(100, round(score / FULL_SCORE * 100)))


LOW_BAR = _bar(MEDIUM_SCORE)
HIGH_BAR = _bar(HIGH_SCORE)


@dataclass
class Level:
    """The score as a bar (percent of FULL_SCORE) and a word; `low` and `high`: where the bar
    changes colour, the same thresholds as the words."""

    percent: int
    label: str
    css: str
    low: ClassVar[int] = LOW_BAR
    high: ClassVar[int] = HIGH_BAR


def score_level(score: float, *, of_challenge: bool = False) -> Level:
    """Very relevant from HIGH_SCORE, relevant from MEDIUM_SCORE, else to explore. The bar stays
    on its word's side of the colour thresholds (rounding could put 0.497 on the next one)."""
    percent = _bar(score)
    if score >= HIGH_SCORE:
        label = _("Très pertinent") if of_challenge else _("Très pertinente")
        return Level(max(percent, HIGH_BAR), label, "high")
    if score >= MEDIUM_SCORE:
        label = _("Pertinent") if of_challenge else _("Pertinente")
        return Level(min(max(percent, LOW_BAR), HIGH_BAR - 1), label, "medium")
    return Level(min(percent, LOW_BAR - 1), _("À explorer"), "low")


def _viewer_zone(user: Any, fallback: str) -> str:
    return str(getattr(user, "time_zone", "") or fallback)


def _day(value: Any, zone: str) -> str:
    """'10 mars 2025' in `zone` (the reader's, else the challenge's)."""
    local = services.local_time(value, zone) if value else None
    return date_format(local, "j F Y") if local is not None else ""


class RecommendFilterForm(forms.Form):
    """Filters of the organisations to invite; unknown values are ignored, never an error."""

    country = forms.ChoiceField(
        label=gettext_lazy("Pays"), required=False, choices=[("", gettext_lazy("Tous"))]
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type d’organisation"),
        required=False,
        choices=[("", gettext_lazy("Tous"))],
    )

    def __init__(self, *args: Any, counts: dict[str, Counter[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, labels in (("country", Country.choices), ("kind", OrganisationKind.choices)):
            field: Any = self.fields[name]
            field.choices = [("", _("Tous"))] + [
                (value, f"{label} ({counts[name][value]})")
                for value, label in labels
                if counts[name][value]
            ]

    def values(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class InviteForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message (facultatif)"),
        required=False,
        max_length=services.INVITATION_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@dataclass
class OrganisationRow:
    recommendation: Any
    level: Level
    invitation: Any
    invited_on: str


def _ranked(request: HttpRequest, challenge: Challenge) -> list[Any]:
    return selectors.challenge_recommendations_for(request.user, challenge, limit=RANKED)


@login_required
@require_GET
def recommend_organisations(request: HttpRequest, slug: str) -> HttpResponse:
    """Organisations to invite to a challenge, best first, with the reasons and a button each."""
    user = request.user
    challenge = selectors.challenge_get_for(user, slug=slug)
    if not can(user, "invite", challenge):
        raise PermissionDenied("invite")
    found = _ranked(request, challenge)
    counts = {
        "country": Counter(str(r.organisation.country) for r in found),
        "kind": Counter(str(r.organisation.kind) for r in found),
    }
    form = RecommendFilterForm(request.GET, counts=counts)
    chosen = form.values()
    kept = [
        r
        for r in found
        if r.organisation.country == chosen.get("country", r.organisation.country)
        and r.organisation.kind == chosen.get("kind", r.organisation.kind)
    ][:SHOWN]
    invitations = selectors.challenge_invitations_for(user, challenge)
    zone = _viewer_zone(user, challenge.time_zone)
    rows = [
        OrganisationRow(
            recommendation=r,
            level=score_level(r.score),
            invitation=invitations.get(r.organisation.pk),
            invited_on=_day(getattr(invitations.get(r.organisation.pk), "invited_at", None), zone),
        )
        for r in kept
    ]
    context = {
        "challenge": challenge,
        "rows": rows,
        "form": form,
        "filters": chosen,
        "filter_query": urlencode(chosen),
        "invitable": services.invitation_open(challenge, timezone.now()),
        "invited_count": len(invitations),
        "invite_form": InviteForm(),
    }
    return render(request, "market/recommend_organisations.html", context)


@login_required
@require_POST
def recommend_invite(request: HttpRequest, slug: str, organisation: str) -> HttpResponse:
    """POST: invite one organisation to answer, then back to the list (at its row)."""
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    if not can(request.user, "invite", challenge):
        raise PermissionDenied("invite")
    invited = organisation_get_for(user=request.user, slug=organisation)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Le message est trop long (1 000 caractères au maximum)."))
    else:
        try:
            services.challenge_invite(
                actor=request.user,
                challenge=challenge,
                organisation=invited,
                message=form.cleaned_data["message"],
            )
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s est invitée à répondre au défi.") % {"name": invited.name},
            )
    query = urlencode(_known_filters(request.POST))
    url = reverse("market:recommend_organisations", args=[challenge.slug])
    return redirect(f"{url}{'?' + query if query else ''}#org-{invited.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def recommend_withdraw(request: HttpRequest, slug: str, organisation: str) -> HttpResponse:
    """GET: confirm; POST: withdraw an invitation to answer, then back to the list."""
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    if not can(request.user, "invite", challenge):
        raise PermissionDenied("invite")
    invited = organisation_get_for(user=request.user, slug=organisation)
    invitation = selectors.challenge_invitations_for(request.user, challenge).get(invited.pk)
    url = reverse("market:recommend_organisations", args=[challenge.slug])
    if invitation is None:
        messages.error(request, _("Cette organisation n'est pas invitée à ce défi."))
        return redirect(url)
    if request.method == "POST":
        try:
            services.invitation_withdraw(
                actor=request.user, challenge=challenge, organisation=invited
            )
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("L'invitation de %(name)s est retirée.") % {"name": invited.name},
            )
        return redirect(f"{url}#org-{invited.pk}")
    context = {"challenge": challenge, "organisation": invited, "invitation": invitation}
    return render(request, "market/recommend_withdraw.html", context)


def _known_filters(data: Any) -> dict[str, str]:
    """The list's filters sent back with the invitation, when they are known values."""
    kept = {}
    if data.get("country") in Country.values:
        kept["country"] = data["country"]
    if data.get("kind") in OrganisationKind.values:
        kept["kind"] = data["kind"]
    return kept


@dataclass
class ChallengeRow:
    recommendation: Any
    level: Level
    closes: str
    can_answer: bool
    invitation: Any


@login_required
@require_GET
def recommend_challenges(request: HttpRequest, slug: str) -> HttpResponse:
    """Open challenges recommended to an organisation (its members, the secretariat)."""
    user = request.user
    organisation: Organisation = organisation_get_for(user=user, slug=slug)
    found = selectors.organisation_recommended_challenges_for(user, organisation, limit=SHOWN)
    invitations = {
        i.challenge_id: i for i in selectors.organisation_invitations_for(user, organisation)
    }
    now = timezone.now()
    editor = has_role(user, organisation.pk, "editor")
    rows = [
        ChallengeRow(
            recommendation=r,
            level=score_level(r.score, of_challenge=True),
            closes=_day(r.challenge.closes_at, _viewer_zone(user, r.challenge.time_zone)),
            can_answer=editor and r.challenge.is_accepting_answers(now),
            invitation=invitations.get(r.challenge.pk),
        )
        for r in found
    ]
    context = {
        "organisation": organisation,
        "rows": rows,
        "invitations": list(invitations.values()),
        "is_secretariat": is_secretariat(user),
    }
    return render(request, "market/recommend_challenges.html", context)
