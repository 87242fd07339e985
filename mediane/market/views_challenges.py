"""Pages of the challenges: list and search, the challenge page, the guided form, the review
queue of the secretariat, questions, attachments and answers.

Views parse input, call one selector or service (mediane.market.selectors / services), render.
Hidden objects raise the selectors' NotFound (404); refused actions PermissionDenied (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError
from mediane.core.facets import (
    Facet,
    counted_facet,
    country_facet,
    sector_facet,
    status_facet,
)
from mediane.core.files import stored_file_response
from mediane.core.permissions import (
    can,
    has_role,
    is_authenticated,
    require,
    user_roles,
    visible_q,
)
from mediane.directory.models import Organisation
from mediane.market import selectors, services
from mediane.market.forms_challenges import (
    CHECK_LABELS,
    AnswerCreateForm,
    AnswerForm,
    AttachmentForm,
    ChallengeCreateForm,
    ChallengeForm,
    CoIssuerForm,
    NoteForm,
    QuestionAnswerForm,
    QuestionForm,
    ReasonForm,
)
from mediane.market.models import (
    PUBLIC_STATUSES,
    Answer,
    AnswerStatus,
    Challenge,
    ChallengeIssuer,
    ChallengeStatus,
)
from mediane.market.rules import issuer_ids, juror_of
from mediane.territories.models import Territory

S = ChallengeStatus
PAGE_SIZE = 20


# --- List ------------------------------------------------------------------------------------


def _facets(user: Any, filters: selectors.ChallengeFilters) -> list[Facet]:
    """Status, sector, country and issuer territory, counted over the challenges `user` sees."""
    visible = Challenge.objects.filter(selectors.challenges_visible_q(user)).values("pk")
    links = ChallengeIssuer.objects.filter(challenge_id__in=visible)
    territories = (
        Territory.objects.filter(organisations__challenge_links__in=links)
        .annotate(n=Count("organisations__challenge_links__challenge", distinct=True))
        .order_by("name")
        .values_list("slug", "name", "n")
    )
    return [
        status_facet(Challenge, visible, S, filters.statuses),
        sector_facet("challenges", visible, filters.sectors),
        country_facet(links, "challenge_id", _("Pays de l’émetteur"), filters.countries),
        counted_facet("territory", _("Territoire de l’émetteur"), territories, filters.territories),
    ]


@require_GET
def challenge_list(request: HttpRequest) -> HttpResponse:
    """Challenges the user may read: search box, facets, cards, pagination; htmx: results only."""
    filters = selectors.ChallengeFilters.from_params(request.GET)
    rows = selectors.challenges_list_for(request.user, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "facets": _facets(request.user, filters),
        "has_filters": bool(
            filters.query
            or filters.statuses
            or filters.sectors
            or filters.countries
            or filters.territories
        ),
        "can_create": _can_create(request.user),
        "can_review": can(request.user, "review", Challenge),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "market/_challenge_results.html", context)
    return render(request, "market/challenge_list.html", context)


def _can_create(user: Any) -> bool:
    from mediane.market.forms_challenges import issuer_choices

    return can(user, "create", Challenge) and bool(issuer_choices(user))


@login_required
@require_GET
def challenge_review_queue(request: HttpRequest) -> HttpResponse:
    """The secretariat's queue: submitted challenges, oldest first."""
    require(request.user, "review", Challenge)
    filters = selectors.ChallengeFilters(statuses=(S.SUBMITTED,))
    rows = selectors.challenges_list_for(request.user, filters).order_by("submitted_at", "pk")
    return render(request, "market/challenge_review_queue.html", {"challenges": rows})


# --- The challenge page --------------------------------------------------------------------


@dataclass
class Action:
    name: str  # URL name, e.g. "market:challenge_edit"
    label: str
    style: str = "btn-secondary"


def _actions(user: Any, challenge: Challenge, now: Any) -> list[Action]:
    """Buttons of the challenge page, each shown only when its rule and the state allow it."""
    status = challenge.status
    change = can(user, "change", challenge)
    review = can(user, "review", challenge)
    actions: list[Action] = []
    if change and (status == S.DRAFT or (review and status == S.SUBMITTED)):
        actions.append(Action("market:challenge_edit", _("Modifier"), "btn-primary"))
    if change and status == S.DRAFT:
        actions.append(
            Action("market:challenge_submit", _("Soumettre au secrétariat"), "btn-primary")
        )
    if review and status == S.SUBMITTED:
        actions.append(Action("market:challenge_publish", _("Publier"), "btn-primary"))
        actions.append(Action("market:challenge_return", _("Renvoyer en brouillon")))
    if change and status == S.OPEN and challenge.closes_at and challenge.closes_at <= now:
        actions.append(Action("market:challenge_close", _("Clore")))
    if change and status == S.CLOSED:
        # The jury's page for it (its confirmation says who is told), as from the jury page.
        actions.append(Action("market:evaluation_start", _("Ouvrir l’évaluation"), "btn-primary"))
    if change and status in (S.AWARDED, S.NOT_AWARDED, S.PILOT_REPORT):
        actions.append(Action("market:challenge_archive", _("Archiver")))
    return actions


def _answering_organisations(user: Any, challenge: Challenge) -> list[Organisation]:
    """Organisations the user may answer for: edited by them, eligible, not issuers."""
    if not is_authenticated(user):
        return []
    editable = [pk for pk in user_roles(user) if has_role(user, pk, "editor")]
    issuers = issuer_ids(challenge)
    qs = Organisation.objects.filter(pk__in=editable).exclude(pk__in=issuers).order_by("name")
    if challenge.eligible_countries:
        qs = qs.filter(country__in=challenge.eligible_countries)
    if challenge.eligible_kinds:
        qs = qs.filter(kind__in=challenge.eligible_kinds)
    return list(qs)


@require_GET
def challenge_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    challenge = selectors.challenge_get_for(user, slug=slug)
    now = timezone.now()
    accepting = challenge.is_accepting_answers(now)
    my_answer = selectors.my_answer_to(user, challenge) if is_authenticated(user) else None
    can_change = can(user, "change", challenge)
    context = {
        "challenge": challenge,
        "issuer_links": list(challenge.issuer_links.all()),  # type: ignore[attr-defined]
        "timeline": selectors.challenge_timeline(user, challenge),
        "questions": selectors.questions_for(user, challenge),
        "actions": _actions(user, challenge, now),
        "accepting": accepting,
        "not_yet_open": challenge.status == S.OPEN
        and challenge.opens_at is not None
        and now < challenge.opens_at,
        "my_answer": my_answer,
        "can_answer": accepting and bool(_answering_organisations(user, challenge)),
        "can_ask": accepting and can(user, "ask", challenge),
        "question_form": QuestionForm(),
        "can_change": can_change,
        "can_manage_files": can_change and challenge.status in (S.DRAFT, S.SUBMITTED, S.OPEN),
        "answer_form": QuestionAnswerForm(),
        "criteria": list(challenge.criteria.all()),  # type: ignore[attr-defined]
        "is_juror": juror_of(user, challenge) is not None,
        "can_view_ranking": can(user, "view_ranking", challenge),
        "has_pilot": challenge.status in (S.PILOT, S.PILOT_REPORT, S.ARCHIVED),
        # The decision is public once taken: the retained organisations and the reasons (the
        # answers themselves stay confidential), then the pilot report.
        "awarded": list(
            challenge.answers.filter(  # type: ignore[attr-defined]
                awarded=True, organisation__in=Organisation.objects.filter(visible_q(user))
            ).select_related("organisation")
        )
        if challenge.decided_at
        else [],
        "pilot_report": getattr(challenge, "pilot_report", None),
    }
    return render(request, "market/challenge_detail.html", context)


# --- The guided form -------------------------------------------------------------------------


def _guidance_context(form: ChallengeForm) -> dict[str, Any]:
    guidance = form.guidance()
    items = [(item, CHECK_LABELS[item.key]) for item in guidance.items]
    return {"guidance": guidance, "checklist": items}


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "create", Challenge)
    form = ChallengeCreateForm(
        request.POST or None, request.FILES or None, user=request.user, initial={"currency": "EUR"}
    )
    if not form.fields["lead_issuer"].choices:  # type: ignore[attr-defined]
        raise PermissionDenied("create")
    if request.method == "POST" and form.is_valid():
        lead, co = form.organisations()
        try:
            challenge = services.challenge_create(
                actor=request.user, lead_issuer=lead, data=form.to_input(), co_issuers=co
            )
            _attach_from(form, request, challenge)
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Le brouillon est enregistré. Relisez-le, puis soumettez-le au secrétariat."),
            )
            return redirect(challenge)
    context = {"form": form, **_guidance_context(form)}
    return render(request, "market/challenge_form.html", context)


def _attach_from(form: Any, request: HttpRequest, challenge: Challenge) -> None:
    upload = form.cleaned_data.get("attachment")
    if upload:
        try:
            services.challenge_attach(
                actor=request.user,
                challenge=challenge,
                file=upload,
                title=form.cleaned_data.get("attachment_title", ""),
            )
        except MedianeError as error:
            # The challenge is saved; the file is refused on its own, with the reason.
            messages.error(request, _("Pièce jointe refusée : %(reason)s") % {"reason": error})


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    require(request.user, "change", challenge)
    form = ChallengeForm(request.POST or None, initial=ChallengeForm.initial_from(challenge))
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_update(actor=request.user, challenge=challenge, data=form.to_input())
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Les modifications ont été enregistrées."))
            return redirect(challenge)
    context = {
        "form": form,
        "challenge": challenge,
        "issuer_links": list(challenge.issuer_links.all()),  # type: ignore[attr-defined]
        "co_issuer_form": CoIssuerForm(user=request.user, challenge=challenge),
        "attachment_form": AttachmentForm(),
        **_guidance_context(form),
    }
    return render(request, "market/challenge_form.html", context)


@require_POST
def challenge_checklist(request: HttpRequest) -> HttpResponse:
    """The checklist of the text being typed (htmx refresh of the guided form)."""
    form = ChallengeForm(request.POST)
    return render(request, "market/_challenge_checklist.html", _guidance_context(form))


@login_required
@require_POST
def challenge_co_issuer_add(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    require(request.user, "change", challenge)
    form = CoIssuerForm(request.POST, user=request.user, challenge=challenge)
    if not form.is_valid():
        messages.error(request, _("Choisissez une organisation dans la liste."))
        return redirect("market:challenge_edit", slug=challenge.slug)
    organisation = Organisation.objects.get(pk=int(form.cleaned_data["organisation"]))
    try:
        services.challenge_add_co_issuer(
            actor=request.user, challenge=challenge, organisation=organisation
        )
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s est co-émetteur du défi.") % {"name": organisation.name}
        )
    return redirect("market:challenge_edit", slug=challenge.slug)


@login_required
@require_POST
def challenge_co_issuer_remove(
    request: HttpRequest, slug: str, organisation_id: int
) -> HttpResponse:
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    require(request.user, "change", challenge)
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    try:
        services.challenge_remove_co_issuer(
            actor=request.user, challenge=challenge, organisation=organisation
        )
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Le co-émetteur a été retiré."))
    return redirect("market:challenge_edit", slug=challenge.slug)


# --- Attachments -----------------------------------------------------------------------------


@login_required
@require_POST
def challenge_attachment_add(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    require(request.user, "change", challenge)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choisissez un fichier à joindre."))
    else:
        try:
            services.challenge_attach(
                actor=request.user,
                challenge=challenge,
                file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except MedianeError as error:
            messages.error(request, _("Pièce jointe refusée : %(reason)s") % {"reason": error})
        else:
            messages.success(request, _("La pièce jointe a été ajoutée."))
    if request.POST.get("next") == "edit":
        return redirect("market:challenge_edit", slug=challenge.slug)
    return redirect(challenge)


@login_required
@require_POST
def challenge_attachment_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    attachment = challenge.attachments.filter(pk=pk).first()  # type: ignore[attr-defined]
    if attachment is None:
        raise Http404
    try:
        services.attachment_delete(actor=request.user, attachment=attachment)
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("La pièce jointe a été supprimée."))
    return redirect(challenge)


def _download(attachment: Any) -> FileResponse:
    return stored_file_response(attachment, fallback_name="fichier")


@require_GET
def challenge_attachment_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    attachment = challenge.attachments.filter(pk=pk).first()  # type: ignore[attr-defined]
    if attachment is None or not can(request.user, "view", attachment):
        raise Http404
    return _download(attachment)


# --- Transitions (confirmation page, then POST) -------------------------------------------------


@dataclass(frozen=True)
class Transition:
    service: str
    title: Any
    explanation: Any
    button: Any
    form: type | None = None
    style: str = "btn-primary"


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        "challenge_submit",
        gettext_lazy("Soumettre le défi au secrétariat"),
        gettext_lazy(
            "Le secrétariat relit le défi avant de le publier. Vous ne pourrez plus le modifier, "
            "sauf s’il vous est renvoyé."
        ),
        gettext_lazy("Soumettre"),
    ),
    "return": Transition(
        "challenge_return_to_draft",
        gettext_lazy("Renvoyer le défi en brouillon"),
        gettext_lazy("Les émetteurs reçoivent le motif et peuvent corriger le défi."),
        gettext_lazy("Renvoyer en brouillon"),
        ReasonForm,
        "btn-danger",
    ),
    "publish": Transition(
        "challenge_publish",
        gettext_lazy("Publier le défi"),
        gettext_lazy(
            "Le défi devient public et les personnes qui suivent ses secteurs, ses territoires "
            "ou ses émetteurs sont prévenues. Les réponses sont acceptées entre ses dates."
        ),
        gettext_lazy("Publier"),
    ),
    "close": Transition(
        "challenge_close",
        gettext_lazy("Clore le défi"),
        gettext_lazy("Les réponses sont verrouillées et transmises au jury."),
        gettext_lazy("Clore"),
    ),
    "start_evaluation": Transition(
        "challenge_start_evaluation",
        gettext_lazy("Lancer l’évaluation"),
        gettext_lazy(
            "Les membres du jury déclarent leurs intérêts, puis notent les réponses "
            "selon la grille."
        ),
        gettext_lazy("Lancer l’évaluation"),
    ),
    "archive": Transition(
        "challenge_archive",
        gettext_lazy("Archiver le défi"),
        gettext_lazy("Le défi reste public, en lecture seule, dans les archives."),
        gettext_lazy("Archiver"),
        NoteForm,
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def challenge_transition(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    """Confirm, then move the challenge (one URL per action; the service checks who and when)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    needed = "review" if action in ("return", "publish") else "change"
    require(request.user, needed, challenge)
    form = transition.form(request.POST or None) if transition.form else None
    errors: list[str] = []
    if request.method == "POST" and (form is None or form.is_valid()):
        kwargs: dict[str, Any] = {"actor": request.user, "challenge": challenge}
        if action == "return":
            kwargs["reason"] = form.cleaned_data["reason"]  # type: ignore[union-attr]
        if action == "archive":
            kwargs["note"] = form.cleaned_data["note"]  # type: ignore[union-attr]
        try:
            getattr(services, transition.service)(**kwargs)
        except MedianeError as error:
            errors = [error.message] + [m for ms in error.field_errors.values() for m in ms]
        else:
            challenge.refresh_from_db()
            messages.success(
                request,
                _("Le défi est maintenant : %(status)s.")
                % {"status": challenge.get_status_display()},  # type: ignore[attr-defined]
            )
            return redirect(challenge)
    context = {"challenge": challenge, "transition": transition, "form": form, "errors": errors}
    return render(request, "market/challenge_confirm.html", context)


# --- Questions -------------------------------------------------------------------------------


@login_required
@require_POST
def question_ask(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    require(request.user, "ask", challenge)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_ask(
                actor=request.user, challenge=challenge, question=form.cleaned_data["question"]
            )
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Votre question est envoyée ; elle sera publiée avec la réponse.")
            )
    else:
        messages.error(request, _("Écrivez une question (2 000 caractères au maximum)."))
    return redirect(challenge.get_absolute_url() + "#questions")


@login_required
@require_POST
def question_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    question = selectors.questions_for(request.user, challenge).filter(pk=pk).first()
    if question is None:
        raise Http404
    require(request.user, "answer", question)
    form = QuestionAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.question_answer(
                actor=request.user, question=question, answer=form.cleaned_data["answer"]
            )
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("La réponse est publiée."))
    else:
        messages.error(request, _("Écrivez une réponse (4 000 caractères au maximum)."))
    return redirect(challenge.get_absolute_url() + "#questions")


# --- Answers ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def answer_create(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_get_for(request.user, slug=slug)
    existing = selectors.my_answer_to(request.user, challenge)
    if existing is not None and can(request.user, "change", existing):
        return redirect("market:answer_edit", pk=existing.pk)
    organisations = _answering_organisations(request.user, challenge)
    if not organisations:
        raise PermissionDenied("answer")
    accepting = challenge.is_accepting_answers(timezone.now())
    form = AnswerCreateForm(
        request.POST or None,
        request.FILES or None,
        organisations=organisations,
        initial={"currency": challenge.currency},
    )
    if request.method == "POST" and accepting and form.is_valid():
        try:
            answer = services.answer_create(
                actor=request.user,
                challenge=challenge,
                organisation=form.chosen_organisation(),
                data=form.to_input(),
            )
            _attach_answer(form, request, answer)
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Votre réponse est déposée."))
            return redirect("market:answer_detail", pk=answer.pk)
    context = {"form": form, "challenge": challenge, "accepting": accepting}
    return render(request, "market/answer_form.html", context)


def _attach_answer(form: Any, request: HttpRequest, answer: Answer) -> None:
    upload = form.cleaned_data.get("attachment")
    if upload:
        try:
            services.answer_attach(
                actor=request.user,
                answer=answer,
                file=upload,
                title=form.cleaned_data.get("attachment_title", ""),
            )
        except MedianeError as error:
            messages.error(request, _("Pièce jointe refusée : %(reason)s") % {"reason": error})


@login_required
@require_http_methods(["GET", "POST"])
def answer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    answer = selectors.answer_get_for(request.user, pk=pk)
    require(request.user, "change", answer)
    challenge = answer.challenge
    accepting = challenge.is_accepting_answers(timezone.now())
    form = AnswerForm(
        request.POST or None, request.FILES or None, initial=AnswerForm.initial_from(answer)
    )
    if request.method == "POST" and accepting and form.is_valid():
        try:
            services.answer_update(actor=request.user, answer=answer, data=form.to_input())
            _attach_answer(form, request, answer)
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Votre réponse est mise à jour."))
            return redirect("market:answer_detail", pk=answer.pk)
    context = {"form": form, "challenge": challenge, "answer": answer, "accepting": accepting}
    return render(request, "market/answer_form.html", context)


@require_GET
def answer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    answer = selectors.answer_get_for(request.user, pk=pk)
    challenge = answer.challenge
    accepting = challenge.is_accepting_answers(timezone.now())
    can_change = (
        can(request.user, "change", answer)
        and accepting
        and answer.status != AnswerStatus.WITHDRAWN
    )
    context = {"answer": answer, "challenge": challenge, "can_change": can_change}
    return render(request, "market/answer_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def answer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    answer = selectors.answer_get_for(request.user, pk=pk)
    require(request.user, "change", answer)
    error = ""
    if request.method == "POST":
        try:
            services.answer_withdraw(actor=request.user, answer=answer)
        except MedianeError as exc:
            error = exc.message
        else:
            messages.success(request, _("Votre réponse est retirée."))
            return redirect(answer.challenge)
    return render(request, "market/answer_withdraw.html", {"answer": answer, "error": error})


@require_GET
def answer_attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    answer = selectors.answer_get_for(request.user, pk=pk)
    attachment = answer.attachments.filter(pk=attachment_pk).first()  # type: ignore[attr-defined]
    if attachment is None or not can(request.user, "view", attachment):
        raise Http404
    return _download(attachment)


@login_required
@require_GET
def my_answers(request: HttpRequest) -> HttpResponse:
    """Answers of the user's organisations, with their state."""
    answers = selectors.my_answers(request.user).select_related("challenge")
    return render(request, "market/answer_list.html", {"answers": answers, "now": timezone.now()})


# --- Sections of other pages ---------------------------------------------------------------------


def territory_section_context(request: HttpRequest, territory: Territory) -> dict[str, Any] | None:
    """Challenges issued by organisations of the territory (or concerning it), public first."""
    challenges = list(selectors.challenges_for_territory(request.user, territory.slug)[:20])
    if not challenges:
        return None
    return {"challenges": challenges, "public_statuses": PUBLIC_STATUSES}


def register_sections() -> None:
    """Add the challenges block to the territory page (called by MarketConfig.ready)."""
    from mediane.territories.sections import TerritorySection, register_section

    register_section(
        TerritorySection(
            key="challenges",
            template="market/_territory_section.html",
            order=40,
            context=territory_section_context,
        )
    )
