"""Pages of cooperation: hub, project list and page, forms, workspace tabs, similar needs and
pooling proposals.

Views parse input, call one selector or service, render. Hidden projects raise the selectors'
NotFound (404); refused actions PermissionDenied (403). Service errors become French messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.accounts.models import User
from mediane.cooperation import selectors, services
from mediane.cooperation.forms import (
    BudgetTotalForm,
    DecisionForm,
    DocumentForm,
    MessageForm,
    MilestoneForm,
    PartnerForm,
    PhaseForm,
    ProjectForm,
    ProposalForm,
    ShareForm,
    StatusForm,
    TaskForm,
    ThreadForm,
)
from mediane.cooperation.models import (
    Milestone,
    Phase,
    PoolingProposal,
    Project,
    ProjectPartner,
    ProjectStatus,
)
from mediane.cooperation.rules import partner_ids
from mediane.cooperation.services import CLOSED_STATUSES, TRANSITIONS, ShareInput
from mediane.core.errors import MedianeError
from mediane.core.facets import Facet, country_facet, sector_facet, status_facet
from mediane.core.files import stored_file_response
from mediane.core.models import choice_label
from mediane.core.permissions import can, has_role, is_authenticated, require, user_roles
from mediane.directory.models import Organisation, Sector
from mediane.territories.models import Territory

PAGE_SIZE = 20
TABS = [
    ("discussions", gettext_lazy("Discussions")),
    ("taches", gettext_lazy("Tâches")),
    ("decisions", gettext_lazy("Décisions")),
    ("documents", gettext_lazy("Documents")),
    ("budget", gettext_lazy("Budget")),
    ("phases", gettext_lazy("Phases et jalons")),
]


# --- Hub and list -----------------------------------------------------------------------------


@require_GET
def hub(request: HttpRequest) -> HttpResponse:
    projects = selectors.projects_list_for(request.user).exclude(status=ProjectStatus.DRAFT)
    return render(
        request,
        "cooperation/hub.html",
        {
            "project_count": projects.count(),
            "recent": list(projects[:3]),
            "proposals": selectors.proposals_for(request.user),
        },
    )


def _facets(
    user: Any, filters: selectors.ProjectFilters
) -> tuple[list[Facet], list[tuple[str, str, int, bool]]]:
    visible = Project.objects.filter(selectors.projects_visible_q(user)).values("pk")
    links = ProjectPartner.objects.filter(project_id__in=visible)
    partners = (
        Organisation.objects.filter(project_links__in=links)
        .annotate(n=Count("project_links__project", distinct=True))
        .order_by("name")
        .values_list("slug", "name", "n")
    )
    return [
        status_facet(Project, visible, ProjectStatus, filters.statuses),
        sector_facet("projects", visible, filters.sectors),
        country_facet(links, "project_id", _("Pays des partenaires"), filters.countries),
    ], [(s, n, c, s == filters.partner) for s, n, c in partners]


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.ProjectFilters.from_params(request.GET)
    projects = selectors.projects_list_for(request.user, filters)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    facets, partners = _facets(request.user, filters)
    context = {
        "filters": filters,
        "page": page,
        "facets": facets,
        "partners": partners,
        "has_filters": bool(
            filters.statuses or filters.sectors or filters.countries or filters.partner
        ),
        "can_create": can(request.user, "create", Project),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "project-body":
        return render(request, "cooperation/_project_results.html", context)
    return render(request, "cooperation/project_list.html", context)


# --- Project form -----------------------------------------------------------------------------


def _objects(model: Any, slugs: list[str]) -> list[Any]:
    return list(model.objects.filter(slug__in=slugs))


def _project_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The project form's cleaned data as the fields of `project_create` / `project_update`."""
    return {
        "title": data["title"],
        "summary": data["summary"],
        "goals": data["goals"],
        "description": data["description"],
        "sectors": _objects(Sector, data["sectors"]),
        "territories": _objects(Territory, data["territories"]),
        "visibility": data["visibility"],
    }


def _form_errors(form: Any, error: MedianeError) -> None:
    placed = False
    for field, texts in error.field_errors.items():
        for text in texts:
            if field in form.fields:
                form.add_error(field, text)
                placed = True
    if not placed:
        form.add_error(None, error.message)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "create", Project)
    leads = list(selectors.partner_organisations_for(request.user))
    if not leads:
        raise PermissionDenied("create")
    form = ProjectForm(request.POST or None, leads=leads)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lead = next((o for o in leads if str(o.pk) == data["lead"]), None)
        if lead is None:
            raise PermissionDenied("create")
        try:
            project = services.project_create(
                actor=request.user, lead=lead, **_project_fields(data)
            )
        except MedianeError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("Le projet est créé en brouillon : invitez vos partenaires, puis proposez-le."),
            )
            return redirect(project)
    return render(request, "cooperation/project_form.html", {"form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = selectors.project_get_for(request.user, slug=slug)
    require(request.user, "change", project)
    initial = {
        "title": project.title,
        "summary": project.summary,
        "goals": project.goals,
        "description": project.description,
        "sectors": [s.slug for s in project.sectors.all()],
        "territories": [t.slug for t in project.territories.all()],
        "visibility": project.visibility,
    }
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                actor=request.user, project=project, **_project_fields(form.cleaned_data)
            )
        except MedianeError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Le projet est enregistré."))
            return redirect(project)
    return render(request, "cooperation/project_form.html", {"form": form, "project": project})


# --- Public page ------------------------------------------------------------------------------


def _transitions(project: Project) -> list[tuple[str, str]]:
    order = list(ProjectStatus.values)
    return sorted(
        [(to, choice_label(ProjectStatus, to)) for (fr, to) in TRANSITIONS if fr == project.status],
        key=lambda item: order.index(item[0]),
    )


@require_GET
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = selectors.project_get_for(request.user, slug=slug)
    can_change = can(request.user, "change", project)
    context: dict[str, Any] = {
        "project": project,
        "partners": sorted(project.partner_links.all(), key=lambda p: (p.role != "lead", p.pk)),  # type: ignore[attr-defined]
        "budget": selectors.budget_summary(project),
        "phases": project.phases.all(),  # type: ignore[attr-defined]
        "can_change": can_change,
        "can_workspace": can(request.user, "workspace", project),
        "transitions": _transitions(project) if can_change else [],
        "closed": project.status in CLOSED_STATUSES,
    }
    if can_change and project.status not in CLOSED_STATUSES:
        context["partner_form"] = PartnerForm(
            candidates=selectors.candidate_partners(request.user, project)
        )
    # Editors of another organisation may propose to pool their need with this project.
    own = [o for o in _editable_organisations(request.user) if o.pk not in partner_ids(project)]
    if own and project.status not in CLOSED_STATUSES and project.lead is not None:
        context["pool_from"] = own
    return render(request, "cooperation/project_detail.html", context)


def _back(project: Project, tab: str = "") -> HttpResponse:
    if tab:
        return redirect(f"{project.get_workspace_url()}?onglet={tab}")
    return redirect(project)


def _run(request: HttpRequest, success: str, call: Any) -> bool:
    try:
        call()
    except MedianeError as error:
        details = [m for ms in error.field_errors.values() for m in ms if m != error.message]
        messages.error(request, " ".join([error.message, *details]))
        return False
    messages.success(request, success)
    return True


@login_required
@require_POST
def project_status(request: HttpRequest, slug: str) -> HttpResponse:
    project = selectors.project_get_for(request.user, slug=slug)
    require(request.user, "change", project)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un nouvel état."))
        return redirect(project)
    to = form.cleaned_data["to"]
    _run(
        request,
        _("Le projet est maintenant « %(status)s ».") % {"status": choice_label(ProjectStatus, to)},
        lambda: services.project_set_status(
            actor=request.user, project=project, to=to, note=form.cleaned_data["note"]
        ),
    )
    return redirect(project)


@login_required
@require_POST
def partner_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = selectors.project_get_for(request.user, slug=slug)
    require(request.user, "change", project)
    form = PartnerForm(request.POST, candidates=selectors.candidate_partners(request.user, project))
    if not form.is_valid():
        messages.error(request, _("Choisissez une organisation dans la liste."))
        return redirect(project)
    organisation = Organisation.objects.get(pk=int(form.cleaned_data["organisation"]))
    _run(
        request,
        _("%(name)s est partenaire du projet.") % {"name": organisation.name},
        lambda: services.partner_add(
            actor=request.user, project=project, organisation=organisation
        ),
    )
    return redirect(project)


@login_required
@require_POST
def partner_remove(request: HttpRequest, slug: str, organisation_id: int) -> HttpResponse:
    project = selectors.project_get_for(request.user, slug=slug)
    require(request.user, "change", project)
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    _run(
        request,
        _("%(name)s n'est plus partenaire du projet.") % {"name": organisation.name},
        lambda: services.partner_remove(
            actor=request.user, project=project, organisation=organisation
        ),
    )
    return redirect(project)


# --- Workspace --------------------------------------------------------------------------------


@login_required
@require_GET
def workspace(request: HttpRequest, slug: str) -> HttpResponse:
    project = selectors.workspace_get_for(request.user, slug=slug)
    tab = request.GET.get("onglet") or "discussions"
    if tab not in dict(TABS):
        tab = "discussions"
    user = request.user
    can_change = can(user, "change", project)
    open_ = project.status not in CLOSED_STATUSES
    context: dict[str, Any] = {
        "project": project,
        "tab": tab,
        "tabs": [(key, str(label)) for key, label in TABS],
        "can_change": can_change,
        "can_decide": can(user, "decide", project),
        "open": open_,
    }
    if tab == "discussions":
        context["threads"] = selectors.threads_for(user, project)
        context["thread_form"] = ThreadForm()
    elif tab == "taches":
        context["tasks"] = selectors.tasks_for(user, project)
        context["task_form"] = TaskForm(owners=selectors.task_owners_for(user, project))
    elif tab == "decisions":
        context["decisions"] = selectors.decisions_for(user, project)
        context["decision_form"] = DecisionForm()
    elif tab == "documents":
        context["documents"] = selectors.documents_for(user, project)
        context["document_form"] = DocumentForm()
    elif tab == "budget":
        context["budget"] = selectors.budget_summary(project)
        partners = [link.organisation for link in project.partner_links.all()]  # type: ignore[attr-defined]
        context["total_form"] = BudgetTotalForm(
            initial={"total": project.budget_total or "", "currency": project.currency}
        )
        context["share_form"] = ShareForm(partners=partners)
    else:
        context["phases"] = project.phases.all()  # type: ignore[attr-defined]
        context["phase_form"] = PhaseForm()
        context["milestone_form"] = MilestoneForm()
    return render(request, "cooperation/workspace.html", context)


def _workspace_post(request: HttpRequest, slug: str) -> Project:
    return selectors.workspace_get_for(request.user, slug=slug)


def _invalid(request: HttpRequest, form: Any) -> None:
    texts = [
        f"{form.fields[name].label} : {e}" if name in form.fields else str(e)
        for name, errors in form.errors.items()
        for e in errors
    ]
    messages.error(request, _("Le formulaire contient des erreurs : ") + " ".join(texts))


def _workspace_form(
    request: HttpRequest,
    project: Project,
    tab: str,
    form: Any,
    success: str,
    write: Callable[[dict[str, Any]], Any],
) -> HttpResponse:
    """A form of the workspace posted: its errors as a message, else `write(cleaned_data)` run
    (service errors as a message, else `success`); back to the `tab` either way."""
    if not form.is_valid():
        _invalid(request, form)
    else:
        _run(request, success, lambda: write(form.cleaned_data))
    return _back(project, tab)


@login_required
@require_POST
def thread_create(request: HttpRequest, slug: str) -> HttpResponse:
    project = _workspace_post(request, slug)
    form = ThreadForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
        return _back(project, "discussions")
    result: dict[str, Any] = {}

    def call() -> None:
        result["thread"] = services.thread_create(
            actor=request.user, project=project, **form.cleaned_data
        )

    if _run(request, _("La discussion est ouverte."), call):
        return redirect("cooperation:thread", slug=project.slug, pk=result["thread"].pk)
    return _back(project, "discussions")


@login_required
@require_http_methods(["GET", "POST"])
def thread_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _workspace_post(request, slug)
    thread = selectors.thread_get_for(request.user, project, pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid() and _run(
            request,
            _("Votre message est publié."),
            lambda: services.message_post(
                actor=request.user, thread=thread, body=form.cleaned_data["body"]
            ),
        ):
            return redirect("cooperation:thread", slug=project.slug, pk=thread.pk)
        if not form.is_valid():
            _invalid(request, form)
    return render(
        request,
        "cooperation/thread.html",
        {
            "project": project,
            "thread": thread,
            "form": form,
            "open": project.status not in CLOSED_STATUSES,
        },
    )


@login_required
@require_POST
def task_create(request: HttpRequest, slug: str) -> HttpResponse:
    project = _workspace_post(request, slug)
    owners = selectors.task_owners_for(request.user, project)
    return _workspace_form(
        request,
        project,
        "taches",
        TaskForm(request.POST, owners=owners),
        _("La tâche est ajoutée."),
        lambda data: services.task_create(
            actor=request.user,
            project=project,
            title=data["title"],
            owner=User.objects.filter(pk=data["owner"]).first() if data["owner"] else None,
            due_on=data["due_on"],
        ),
    )


@login_required
@require_POST
def task_done(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _workspace_post(request, slug)
    task = get_object_or_404(selectors.tasks_for(request.user, project), pk=pk)
    done = request.POST.get("done") == "1"
    _run(
        request,
        _("La tâche est faite.") if done else _("La tâche est rouverte."),
        lambda: services.task_set_done(actor=request.user, task=task, done=done),
    )
    return _back(project, "taches")


@login_required
@require_POST
def decision_create(request: HttpRequest, slug: str) -> HttpResponse:
    project = _workspace_post(request, slug)
    return _workspace_form(
        request,
        project,
        "decisions",
        DecisionForm(request.POST),
        _("La décision est inscrite au registre ; les partenaires sont prévenus."),
        lambda data: services.decision_record(actor=request.user, project=project, **data),
    )


@login_required
@require_POST
def document_upload(request: HttpRequest, slug: str) -> HttpResponse:
    project = _workspace_post(request, slug)
    return _workspace_form(
        request,
        project,
        "documents",
        DocumentForm(request.POST, request.FILES),
        _("Le document est déposé."),
        lambda data: services.document_upload(
            actor=request.user,
            project=project,
            file=data["file"],
            title=data["title"],
            name=data["file"].name,
        ),
    )


@login_required
@require_GET
def document_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    project = _workspace_post(request, slug)
    document = selectors.documents_for(request.user, project).filter(pk=pk).first()
    if document is None or not can(request.user, "view", document):
        raise Http404
    return stored_file_response(document, fallback_name="document")


@login_required
@require_POST
def document_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _workspace_post(request, slug)
    document = get_object_or_404(selectors.documents_for(request.user, project), pk=pk)
    _run(
        request,
        _("Le document est supprimé."),
        lambda: services.document_delete(actor=request.user, document=document),
    )
    return _back(project, "documents")


@login_required
@require_POST
def budget_total(request: HttpRequest, slug: str) -> HttpResponse:
    project = _workspace_post(request, slug)
    return _workspace_form(
        request,
        project,
        "budget",
        BudgetTotalForm(request.POST),
        _("Le budget total est enregistré."),
        lambda data: services.budget_total_set(
            actor=request.user, project=project, total=data["total"], currency=data["currency"]
        ),
    )


@login_required
@require_POST
def budget_share(request: HttpRequest, slug: str) -> HttpResponse:
    project = _workspace_post(request, slug)
    partners = [link.organisation for link in project.partner_links.all()]  # type: ignore[attr-defined]
    form = ShareForm(request.POST, partners=partners)
    if not form.is_valid():
        _invalid(request, form)
        return _back(project, "budget")
    data = form.cleaned_data
    organisation = next(o for o in partners if str(o.pk) == data["organisation"])
    share = ShareInput(
        organisation=organisation,
        amount=data["amount"],
        currency=data["currency"],
        rate=data["rate"],
        rate_date=data["rate_date"],
        note=data["note"],
    )
    _run(
        request,
        _("La part de %(name)s est enregistrée.") % {"name": organisation.name},
        lambda: services.budget_share_set(actor=request.user, project=project, share=share),
    )
    return _back(project, "budget")


@login_required
@require_POST
def phase_create(request: HttpRequest, slug: str) -> HttpResponse:
    project = _workspace_post(request, slug)
    return _workspace_form(
        request,
        project,
        "phases",
        PhaseForm(request.POST),
        _("La phase est ajoutée."),
        lambda data: services.phase_add(actor=request.user, project=project, **data),
    )


@login_required
@require_POST
def phase_delete(request: HttpRequest, slug: str, phase_id: int) -> HttpResponse:
    project = _workspace_post(request, slug)
    phase = get_object_or_404(Phase, project=project, pk=phase_id)
    _run(
        request,
        _("La phase « %(title)s » est supprimée avec ses jalons.") % {"title": phase.title},
        lambda: services.phase_delete(actor=request.user, phase=phase),
    )
    return _back(project, "phases")


@login_required
@require_POST
def milestone_create(request: HttpRequest, slug: str, phase_id: int) -> HttpResponse:
    project = _workspace_post(request, slug)
    phase = get_object_or_404(Phase, project=project, pk=phase_id)
    return _workspace_form(
        request,
        project,
        "phases",
        MilestoneForm(request.POST),
        _("Le jalon est ajouté."),
        lambda data: services.milestone_add(actor=request.user, phase=phase, **data),
    )


@login_required
@require_POST
def milestone_done(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _workspace_post(request, slug)
    milestone = get_object_or_404(Milestone, phase__project=project, pk=pk)
    done = request.POST.get("done") == "1"
    _run(
        request,
        _("Le jalon est atteint.") if done else _("Le jalon est rouvert."),
        lambda: services.milestone_set_done(actor=request.user, milestone=milestone, done=done),
    )
    return _back(project, "phases")


# --- Similar needs and pooling ----------------------------------------------------------------


@require_GET
def needs(request: HttpRequest) -> HttpResponse:
    groups = selectors.need_groups(request.user)
    own = _editable_organisations(request.user)
    return render(
        request,
        "cooperation/needs.html",
        {"groups": groups, "pool_from": own, "own_ids": {o.pk for o in own}},
    )


def _editable_organisations(user: Any) -> list[Organisation]:
    if not is_authenticated(user):
        return []
    ids = [pk for pk in user_roles(user) if has_role(user, pk, "editor")]
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
def similar_fragment(request: HttpRequest) -> HttpResponse:
    """The htmx fragment of a form being drafted (project or challenge): similar needs of other
    cities, refreshed as the user types."""
    data = request.POST if request.method == "POST" else request.GET
    kind = "challenge" if data.get("need_kind") == "challenge" else "project"
    title = data.get("title") or ""
    parts = (
        ("summary", "problem", "context")
        if kind == "challenge"
        else ("summary", "goals", "description")
    )
    text = " ".join(str(data.get(name) or "") for name in parts)
    sectors = tuple(data.getlist("sectors"))[:20]
    own = _editable_organisations(request.user)
    organisation_id = _int(data.get("lead_issuer") if kind == "challenge" else data.get("lead"))
    need_id = _int(data.get("need_id"))
    source_project = None
    if kind == "project" and need_id:
        source_project = Project.objects.filter(pk=need_id).first()
        if source_project is not None and can(request.user, "change", source_project):
            organisation_id = organisation_id or services.need_owner(source_project).pk  # type: ignore[union-attr]
        else:
            source_project = None
    elif kind == "challenge" and need_id and organisation_id is None:
        from mediane.market.models import ChallengeIssuer

        link = ChallengeIssuer.objects.filter(challenge_id=need_id, role="lead").first()
        organisation_id = link.organisation_id if link is not None else None
    if organisation_id is None and len(own) == 1:
        organisation_id = own[0].pk
    exclude = {(kind, need_id)} if need_id else set()
    matches = selectors.similar_needs(
        request.user,
        title=title,
        text=text,
        sectors=sectors,
        exclude_organisation=organisation_id,
        exclude=exclude,
    )
    from_organisation = next((o for o in own if o.pk == organisation_id), None)
    return render(
        request,
        "cooperation/_similar_needs.html",
        {
            "matches": matches,
            "from_organisation": from_organisation,
            "source_project": source_project,
            "typed": bool(title.strip() or text.strip() or sectors),
            "next": data.get("next") or "",
        },
    )


def _safe_next(request: HttpRequest, value: str, default: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


@login_required
@require_POST
def proposal_create(request: HttpRequest) -> HttpResponse:
    from django.urls import reverse

    from mediane.market.models import Challenge

    form = ProposalForm(request.POST)
    default = reverse("cooperation:proposals")
    if not form.is_valid():
        messages.error(request, _("La proposition est incomplète."))
        return redirect(default)
    data = form.cleaned_data
    back = _safe_next(request, data["next"], default)
    organisation = Organisation.objects.filter(pk=data["from_organisation"]).first()
    model = Project if data["kind"] == "project" else Challenge
    target = model.objects.filter(pk=data["target"]).first()
    source = (
        Project.objects.filter(pk=data["source_project"]).first()
        if data["source_project"]
        else None
    )
    if organisation is None or target is None:
        messages.error(request, _("Besoin introuvable."))
        return redirect(back)
    try:
        services.pooling_propose(
            actor=request.user,
            from_organisation=organisation,
            target=target,
            message=data["message"],
            source_project=source,
        )
    except PermissionDenied:
        messages.error(
            request,
            _("Seuls les éditeurs de %(name)s peuvent proposer une mutualisation en son nom.")
            % {"name": organisation.name},
        )
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Proposition envoyée : %(city)s est prévenue et vous répondra.")
            % {"city": services.need_owner(target)},
        )
    return redirect(back)


@login_required
@require_GET
def proposals(request: HttpRequest) -> HttpResponse:
    found = selectors.proposals_for(request.user)
    answerable = {p.pk for p in found["received"] if can(request.user, "answer", p)}
    return render(
        request,
        "cooperation/proposals.html",
        {"received": found["received"], "sent": found["sent"], "answerable": answerable},
    )


@login_required
@require_POST
def proposal_answer(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    proposal: PoolingProposal = selectors.proposal_get_for(request.user, pk)
    if answer == "accepter":
        _run(
            request,
            _("Proposition acceptée : vous mutualisez désormais ce besoin."),
            lambda: services.pooling_accept(actor=request.user, proposal=proposal),
        )
    elif answer == "decliner":
        _run(
            request,
            _("Proposition déclinée."),
            lambda: services.pooling_decline(actor=request.user, proposal=proposal),
        )
    else:
        raise Http404
    return redirect("cooperation:proposals")
