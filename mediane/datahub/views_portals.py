"""Pages of the publication to national portals: an organisation's portal accounts (its
administrators and the secretariat) and a dataset's publications (its editors), with a dry run
that shows the planned requests. Writes go through `datahub.publishing`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError
from mediane.core.permissions import can
from mediane.datahub import publishing, selectors
from mediane.datahub.models import Dataset, PortalAccount, PortalKind
from mediane.directory.models import Organisation
from mediane.market.forms_evaluation import ServiceErrorsMixin

#: What an exchange did, for the pages.
ACTION_LABELS = {
    "created": gettext_lazy("créé sur le portail"),
    "updated": gettext_lazy("mis à jour"),
    "unchanged": gettext_lazy("déjà à jour, rien n'a été écrit"),
    "planned": gettext_lazy("simulation"),
    "deleted": gettext_lazy("retiré du portail"),
    "absent": gettext_lazy("déjà absent du portail"),
    "publish": gettext_lazy("publication"),
    "unpublish": gettext_lazy("retrait"),
}


class PortalAccountForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type de portail"), choices=PortalKind.choices)
    base_url = forms.CharField(
        label=gettext_lazy("Adresse du portail"),
        max_length=300,
        widget=forms.URLInput(attrs={"list": "portal-urls", "autocomplete": "url"}),
        help_text=gettext_lazy(
            "Par exemple https://www.data.gouv.fr (ou https://demo.data.gouv.fr pour essayer) "
            "ou https://www.donneesquebec.ca/recherche."
        ),
    )
    remote_organisation = forms.CharField(
        label=gettext_lazy("Organisation sur le portail"),
        max_length=200,
        help_text=gettext_lazy(
            "data.gouv.fr : identifiant de l'organisation (dans l'adresse de son espace "
            "d'administration) ; Données Québec : nom ou identifiant de l'organisation "
            "(owner_org)."
        ),
    )
    api_key = forms.CharField(
        label=gettext_lazy("Clé d'API"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "La clé d'un membre de l'organisation sur le portail. Elle ne sera plus affichée "
            "(seuls ses quatre derniers caractères) ; laissez vide pour garder la clé déjà "
            "enregistrée pour ce portail."
        ),
    )


def _organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not can(request.user, "view", organisation):
        raise Http404(_("Organisation introuvable."))
    return organisation


def _accounts_page(
    request: HttpRequest,
    organisation: Organisation,
    form: PortalAccountForm | None = None,
    deleting: int | None = None,
) -> HttpResponse:
    accounts = publishing.accounts_for(request.user, organisation)  # 403 for others
    to_delete = next((a for a in accounts if a.pk == deleting), None)
    if deleting is not None and to_delete is None:
        raise Http404(_("Compte de portail introuvable."))
    return render(
        request,
        "datahub/portals.html",
        {
            "organisation": organisation,
            "accounts": accounts,
            "form": form or PortalAccountForm(),
            "deleting": to_delete,
            "known_portals": [url for urls in publishing.KNOWN_PORTALS.values() for url in urls],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def portals(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    if request.method != "POST":
        return _accounts_page(request, organisation)
    form = PortalAccountForm(request.POST)
    if form.is_valid():
        try:
            publishing.portal_account_save(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Le compte de portail a été enregistré."))
            return redirect("datahub:portals", organisation_id=organisation.pk)
    return _accounts_page(request, organisation, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def portal_delete(request: HttpRequest, organisation_id: int, account_id: int) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    if request.method != "POST":
        return _accounts_page(request, organisation, deleting=account_id)
    try:
        account = publishing.account_get_for(request.user, organisation, account_id)
    except MedianeError as error:
        raise Http404(error.message) from None
    publishing.portal_account_delete(actor=request.user, account=account)
    messages.success(request, _("Le compte de portail a été supprimé."))
    return redirect("datahub:portals", organisation_id=organisation.pk)


def _publish_page(request: HttpRequest, dataset: Dataset, **extra: Any) -> HttpResponse:
    rows = publishing.publications_for(request.user, dataset)  # 403 for others
    for row in rows:
        action = row.publication.last_action if row.publication else ""
        row.action_label = ACTION_LABELS.get(action, action)  # type: ignore[attr-defined]
    refusal = publishing.publish_refusal(dataset)
    return render(
        request,
        "datahub/publish.html",
        {
            "dataset": dataset,
            "rows": rows,
            "refusal": refusal[1] if refusal else "",
            "can_manage_accounts": can(
                request.user, "view", PortalAccount(organisation=dataset.organisation)
            ),
            **extra,
        },
    )


def _account(dataset: Dataset, account_id: int) -> PortalAccount:
    account = PortalAccount.objects.filter(
        pk=account_id,
        organisation_id=dataset.organisation_id,  # type: ignore[attr-defined]
    ).first()
    if account is None:
        raise Http404(_("Compte de portail introuvable."))
    return account


@login_required
@require_GET
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_get_for(request.user, slug=slug)
    return _publish_page(request, dataset)


@login_required
@require_POST
def publish_action(request: HttpRequest, slug: str, account_id: int) -> HttpResponse:
    """Publish, or only simulate when the form sends `dry_run` ("Simuler (dry run)")."""
    dataset = selectors.dataset_get_for(request.user, slug=slug)
    publishing.publications_for(request.user, dataset)  # 403 before anything else
    account = _account(dataset, account_id)
    dry_run = bool(request.POST.get("dry_run"))
    try:
        result = publishing.dataset_publish(
            actor=request.user, dataset=dataset, account=account, dry_run=dry_run
        )
    except MedianeError as error:
        if dry_run:
            return _publish_page(request, dataset, plan_error=error.message, plan_account=account)
        messages.error(request, error.message)
        return redirect("datahub:publish", slug=dataset.slug)
    if dry_run:
        return _publish_page(
            request,
            dataset,
            plan=result,
            plan_account=account,
            plan_label=ACTION_LABELS.get(result.action, result.action),
            sent=publishing.portal_dataset_for(dataset, account),
        )
    messages.success(
        request,
        _("Publication sur %(portal)s : %(action)s.")
        % {"portal": account.get_kind_display(), "action": ACTION_LABELS[result.action]},
    )
    return redirect("datahub:publish", slug=dataset.slug)


@login_required
@require_http_methods(["GET", "POST"])
def unpublish(request: HttpRequest, slug: str, account_id: int) -> HttpResponse:
    """GET: the confirmation; POST: withdraw the dataset from the portal."""
    dataset = selectors.dataset_get_for(request.user, slug=slug)
    publishing.publications_for(request.user, dataset)  # 403 before anything else
    account = _account(dataset, account_id)
    if request.method != "POST":
        return _publish_page(request, dataset, withdrawing=account)
    try:
        result = publishing.dataset_unpublish(actor=request.user, dataset=dataset, account=account)
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(portal)s : %(action)s.")
            % {"portal": account.get_kind_display(), "action": ACTION_LABELS[result.action]},
        )
    return redirect("datahub:publish", slug=dataset.slug)
