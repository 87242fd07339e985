"""Evaluation pages of a challenge: grid, jury, interests, marks, ranking, decision, pilot.

Each view reads through the market selectors (a hidden challenge is a 404, a refused action a
403) and writes through one service; the services' French errors become form errors or messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError
from mediane.core.permissions import can, require
from mediane.market import selectors, services
from mediane.market.forms_evaluation import (
    ConflictsForm,
    CriteriaForm,
    DecisionForm,
    JurorAddForm,
    PilotReportForm,
    ScoreForm,
)
from mediane.market.models import AnswerStatus, Challenge, ChallengeStatus
from mediane.market.rules import juror_of


def _data(request: HttpRequest) -> QueryDict | None:
    """The posted data (even empty, so that an empty form shows its errors), else None."""
    return request.POST if request.method == "POST" else None


def _challenge(request: HttpRequest, slug: str) -> Challenge:
    return selectors.challenge_get_for(request.user, slug=slug)


def _back(name: str, challenge: Challenge) -> HttpResponseRedirect:
    return redirect(reverse(f"market:{name}", kwargs={"slug": challenge.slug}))


def _base(challenge: Challenge, request: HttpRequest, **extra: object) -> dict[str, object]:
    """What every evaluation page shows around its content (title, status, tabs)."""
    user = request.user
    return {
        "challenge": challenge,
        "can_change": can(user, "change", challenge),
        "is_juror": juror_of(user, challenge) is not None,
        "can_view_ranking": can(user, "view_ranking", challenge),
        **extra,
    }


# --- Grid ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def criteria(request: HttpRequest, slug: str) -> HttpResponse:
    """The weighted grid: read by everyone who sees the challenge, edited until the opening."""
    challenge = _challenge(request, slug)
    editable = can(request.user, "change", challenge) and services.criteria_editable(
        challenge, timezone.now()
    )
    current = list(selectors.criteria_for(request.user, challenge))
    form = CriteriaForm(
        request.POST if editable and request.method == "POST" else None, criteria=current
    )
    if request.method == "POST":
        require(request.user, "change", challenge)
        if not editable:
            messages.error(
                request, _("La grille d'évaluation ne change plus après l'ouverture du défi.")
            )
            return _back("criteria", challenge)
        if form.is_valid():
            try:
                services.criteria_set(
                    actor=request.user, challenge=challenge, criteria=form.to_inputs()
                )
            except MedianeError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("La grille d'évaluation a été enregistrée."))
                return _back("criteria", challenge)
    total = sum(c.weight for c in current) or 1
    shares = [(c, round(100 * c.weight / total)) for c in current]
    context = _base(
        challenge,
        request,
        form=form,
        editable=editable,
        shares=shares,
        defaults=services.DEFAULT_CRITERIA,
    )
    return render(request, "market/evaluation_criteria.html", context)


# --- Jury ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def jury(request: HttpRequest, slug: str) -> HttpResponse:
    """The jury: its members see it; the issuers' editors seat and remove people."""
    challenge = _challenge(request, slug)
    members = list(selectors.jury_for(request.user, challenge))
    manage = can(request.user, "change", challenge)
    form = None
    if manage:
        candidates = selectors.jury_candidates(request.user, challenge)
        form = JurorAddForm(_data(request), candidates=candidates)
        if request.method == "POST" and form.is_valid():
            try:
                juror = services.jury_add(
                    actor=request.user,
                    challenge=challenge,
                    user=form.people[form.cleaned_data["user"]],
                )
            except MedianeError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, _("%(name)s fait désormais partie du jury.") % {"name": juror.user}
                )
                return _back("jury", challenge)
    elif request.method == "POST":
        require(request.user, "change", challenge)
    context = _base(challenge, request, members=members, form=form, manage=manage)
    return render(request, "market/jury_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def jury_remove(request: HttpRequest, slug: str, juror_id: int) -> HttpResponse:
    challenge = _challenge(request, slug)
    require(request.user, "change", challenge)
    juror = next((j for j in selectors.jury_for(request.user, challenge) if j.pk == juror_id), None)
    if juror is None:
        raise selectors.ChallengeNotFound(_("Membre du jury introuvable."))
    if request.method == "POST":
        try:
            services.jury_remove(actor=request.user, juror=juror)
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(name)s ne fait plus partie du jury.") % {"name": juror.user}
            )
        return _back("jury", challenge)
    return render(request, "market/jury_remove.html", _base(challenge, request, juror=juror))


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Closed → evaluation, after a confirmation: the jurors are told they may start."""
    challenge = _challenge(request, slug)
    require(request.user, "change", challenge)
    if request.method == "POST":
        try:
            services.challenge_start_evaluation(actor=request.user, challenge=challenge)
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("L'évaluation est ouverte : le jury a été prévenu."))
        return _back("jury", challenge)
    return render(request, "market/jury_start.html", _base(challenge, request))


@login_required
@require_http_methods(["GET", "POST"])
def jury_close(request: HttpRequest, slug: str) -> HttpResponse:
    """Close the jury (irreversible): marks become final and visible to the jury and issuers."""
    challenge = _challenge(request, slug)
    require(request.user, "change", challenge)
    if request.method == "POST":
        try:
            services.jury_close(actor=request.user, challenge=challenge)
        except MedianeError as error:
            messages.error(request, error.message)
            return _back("jury", challenge)
        messages.success(request, _("Le jury est clos : le classement est disponible."))
        return _back("ranking", challenge)
    members = list(selectors.jury_for(request.user, challenge))
    return render(request, "market/jury_close.html", _base(challenge, request, members=members))


# --- Juror's work ------------------------------------------------------------------------------


@login_required
@require_GET
def evaluation(request: HttpRequest, slug: str) -> HttpResponse:
    """A juror's page: declarations of interests first, then the answers to score."""
    challenge = _challenge(request, slug)
    require(request.user, "score", challenge)
    work = selectors.juror_work_for(request.user, challenge)
    open_for_declarations = (
        challenge.status in (ChallengeStatus.CLOSED, ChallengeStatus.EVALUATION)
        and challenge.jury_closed_at is None
    )
    form = ConflictsForm(candidates=work.candidates) if open_for_declarations else None
    context = _base(challenge, request, work=work, form=form)
    return render(request, "market/evaluation_home.html", context)


@login_required
@require_POST
def conflicts(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _challenge(request, slug)
    require(request.user, "score", challenge)
    if "all_none" in request.POST:
        try:
            count = services.conflicts_declare_none(actor=request.user, challenge=challenge)
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Déclarations enregistrées (%(count)s).") % {"count": count}
            )
        return _back("evaluation", challenge)
    work = selectors.juror_work_for(request.user, challenge)
    form = ConflictsForm(request.POST, candidates=work.candidates)
    if not form.is_valid():
        return render(
            request, "market/evaluation_home.html", _base(challenge, request, work=work, form=form)
        )
    try:
        for organisation, has_conflict, note in form.declarations():
            services.conflict_declare(
                actor=request.user,
                challenge=challenge,
                organisation=organisation,
                has_conflict=has_conflict,
                note=note,
            )
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Vos déclarations d'intérêts ont été enregistrées."))
    return _back("evaluation", challenge)


@login_required
@require_http_methods(["GET", "POST"])
def score(request: HttpRequest, slug: str, answer_id: int) -> HttpResponse:
    """One answer at a time, a mark 0–5 and a comment per criterion; only one's own marks."""
    challenge = _challenge(request, slug)
    require(request.user, "score", challenge)
    answer = selectors.answer_get_for(request.user, pk=answer_id)
    if answer.challenge_id != challenge.pk or answer.status == AnswerStatus.WITHDRAWN:  # type: ignore[attr-defined]
        raise selectors.AnswerNotFound(_("Réponse introuvable."))
    work = selectors.juror_work_for(request.user, challenge)
    if answer.pk not in {a.answer.pk for a in work.answers}:  # readable as a member, not cleared
        raise selectors.AnswerNotFound(_("Réponse introuvable."))
    open_ = challenge.status == ChallengeStatus.EVALUATION and challenge.jury_closed_at is None
    criteria_list = list(selectors.criteria_for(request.user, challenge))
    own = selectors.own_scores_for(request.user, answer)
    form = ScoreForm(
        request.POST if request.method == "POST" else None,
        criteria=criteria_list,
        scores=own,
        disabled=not open_,
    )
    if request.method == "POST" and open_ and form.is_valid():
        try:
            services.scores_set(actor=request.user, answer=answer, marks=form.to_inputs())
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Vos notes ont été enregistrées."))
            return _after_scoring(challenge, answer.pk, request.user)
    ids = [a.answer.pk for a in work.answers]
    position = ids.index(answer.pk)
    context = _base(
        challenge,
        request,
        answer=answer,
        form=form,
        open=open_,
        work=work,
        position=position + 1,
        previous_id=ids[position - 1] if position > 0 else None,
        next_id=ids[position + 1] if position + 1 < len(ids) else None,
    )
    return render(request, "market/score_form.html", context)


def _after_scoring(challenge: Challenge, answer_id: int, user: object) -> HttpResponseRedirect:
    """Next answer not fully marked, else back to the juror's page."""
    work = selectors.juror_work_for(user, challenge)
    remaining = [a.answer.pk for a in work.answers if not a.done and a.answer.pk != answer_id]
    if remaining:
        return redirect(
            reverse("market:score", kwargs={"slug": challenge.slug, "answer_id": remaining[0]})
        )
    return _back("evaluation", challenge)


# --- Ranking and decision ------------------------------------------------------------------------


@login_required
@require_GET
def ranking(request: HttpRequest, slug: str) -> HttpResponse:
    """Weighted means, spread between jurors, each juror's marks; shortlist toggles."""
    challenge = _challenge(request, slug)
    require(request.user, "view_ranking", challenge)
    rows = selectors.challenge_ranking(request.user, challenge)
    marks = selectors.ranking_marks_for(request.user, challenge)
    criteria_list = list(selectors.criteria_for(request.user, challenge))
    can_shortlist = (
        can(request.user, "change", challenge) and challenge.status == ChallengeStatus.EVALUATION
    )
    context = _base(
        challenge,
        request,
        rows=[(row, marks.get(row.answer.pk, [])) for row in rows],
        criteria=criteria_list,
        can_shortlist=can_shortlist,
    )
    return render(request, "market/ranking.html", context)


@login_required
@require_POST
def shortlist(request: HttpRequest, slug: str, answer_id: int) -> HttpResponse:
    challenge = _challenge(request, slug)
    require(request.user, "change", challenge)
    answer = next(
        (
            r.answer
            for r in selectors.challenge_ranking(request.user, challenge)
            if r.answer.pk == answer_id
        ),
        None,
    )
    if answer is None:
        raise selectors.AnswerNotFound(_("Réponse introuvable."))
    wanted = request.POST.get("shortlisted") == "1"
    try:
        services.answer_shortlist(actor=request.user, answer=answer, shortlisted=wanted)
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        text = (
            _("%(name)s est présélectionnée.")
            if wanted
            else _("%(name)s n'est plus présélectionnée.")
        )
        messages.success(request, text % {"name": answer.organisation.name})
    return _back("ranking", challenge)


@login_required
@require_http_methods(["GET", "POST"])
def decision(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose the awarded answers with reasons (or none, with a reason), confirm, decide."""
    challenge = _challenge(request, slug)
    require(request.user, "change", challenge)
    rows = (
        selectors.challenge_ranking(request.user, challenge)
        if can(request.user, "view_ranking", challenge)
        else []
    )
    if challenge.status != ChallengeStatus.EVALUATION:
        return render(request, "market/decision_done.html", _base(challenge, request, rows=rows))
    if challenge.jury_closed_at is None:
        return render(request, "market/decision_form.html", _base(challenge, request, form=None))
    form = DecisionForm(_data(request), answers=[r.answer for r in rows])
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") == "1":
            try:
                services.challenge_decide(
                    actor=request.user,
                    challenge=challenge,
                    awarded=form.awarded(),
                    note=form.cleaned_data["note"],
                )
            except MedianeError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("La décision est enregistrée ; chaque candidat a été prévenu.")
                )
                return _back("decision", challenge)
        else:
            awarded = form.awarded()
            chosen = [(r.answer, awarded[r.answer.pk]) for r in rows if r.answer.pk in awarded]
            context = _base(challenge, request, form=form, chosen=chosen, candidates=len(rows))
            return render(request, "market/decision_confirm.html", context)
    return render(
        request, "market/decision_form.html", _base(challenge, request, form=form, rows=rows)
    )


# --- Pilot ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pilot_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The pilot: start it (awarded), write its report (pilot), read the report (after)."""
    challenge = _challenge(request, slug)
    report = (
        getattr(challenge, "pilot_report", None)
        if challenge.status
        in (
            ChallengeStatus.PILOT_REPORT,
            ChallengeStatus.ARCHIVED,
        )
        else None
    )
    form = None
    if challenge.status == ChallengeStatus.PILOT and can(request.user, "change", challenge):
        form = PilotReportForm(_data(request), initial={"currency": challenge.currency})
    if request.method == "POST":
        require(request.user, "change", challenge)
        if form is None:
            messages.error(request, _("Le bilan se rédige pendant l'expérimentation."))
            return _back("pilot_report", challenge)
        if form.is_valid():
            try:
                services.pilot_report_submit(
                    actor=request.user, challenge=challenge, data=form.to_input()
                )
            except MedianeError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Le bilan d'expérimentation est publié."))
                return _back("pilot_report", challenge)
    context = _base(challenge, request, form=form, report=report)
    return render(request, "market/pilot_report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pilot_start(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _challenge(request, slug)
    require(request.user, "change", challenge)
    if request.method == "POST":
        try:
            services.challenge_start_pilot(
                actor=request.user, challenge=challenge, note=request.POST.get("note", "")[:2000]
            )
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("L'expérimentation a démarré."))
        return _back("pilot_report", challenge)
    return render(request, "market/pilot_start.html", _base(challenge, request))
