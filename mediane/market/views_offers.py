"""Offer pages: the list with facets, an offer, its forms and references, the cities' list of
references to confirm. Reads through the market selectors, writes through one service each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError
from mediane.core.permissions import can, require
from mediane.directory.models import OrganisationKind
from mediane.market import selectors, services
from mediane.market.forms_offers import OfferForm, ReferenceForm
from mediane.market.models import Offer, OfferReference, OfferStatus


def _data(request: HttpRequest) -> QueryDict | None:
    """The posted data (even empty, so that an empty form shows its errors), else None."""
    return request.POST if request.method == "POST" else None


@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    """Published offers (and one's own drafts): search box, facets, cards, pagination."""
    filters = selectors.OfferSearchFilters.from_params(request.GET)
    results = selectors.offers_search(request.user, filters, page=request.GET.get("page", 1))
    context = {
        "results": results,
        "can_create": bool(selectors.offer_organisations_for(request.user)),
        "references_to_confirm": (
            selectors.offer_references_to_confirm(request.user).count()
            if request.user.is_authenticated
            else 0
        ),
        "query_string": _query_without_page(request),
    }
    return render(request, "market/offer_list.html", context)


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
def offer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    offer = selectors.offer_get_for(request.user, slug=slug)
    can_change = can(request.user, "change", offer)
    references = list(offer.references.all())  # type: ignore[attr-defined]
    kinds = dict(OrganisationKind.choices)
    context = {
        "offer": offer,
        "can_change": can_change,
        "references": [r for r in references if can_change or r.is_confirmed],
        "pending": sum(1 for r in references if not r.is_confirmed),
        "confirmable": [
            r.pk for r in references if not r.is_confirmed and can(request.user, "confirm", r)
        ],
        "target_labels": [kinds.get(k, k) for k in offer.target_kinds],
    }
    return render(request, "market/offer_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "create", Offer)
    organisations = selectors.offer_organisations_for(request.user)
    if not organisations:
        return render(request, "market/offer_no_organisation.html", status=403)
    form = OfferForm(_data(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_create(
                actor=request.user,
                organisation=form.organisations[form.cleaned_data["organisation"]],
                data=form.to_input(),
                publish="publish" in request.POST,
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, _("L'offre « %(title)s » a été enregistrée.") % {"title": offer.title}
            )
            return redirect("market:offer_detail", slug=offer.slug)
    return render(request, "market/offer_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, slug: str) -> HttpResponse:
    offer = selectors.offer_get_for(request.user, slug=slug)
    require(request.user, "change", offer)
    form = OfferForm(_data(request), initial=OfferForm.initial_from(offer))
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(actor=request.user, offer=offer, data=form.to_input())
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Les modifications ont été enregistrées."))
            return redirect("market:offer_detail", slug=offer.slug)
    return render(request, "market/offer_form.html", {"form": form, "offer": offer})


@login_required
@require_POST
def offer_publish(request: HttpRequest, slug: str) -> HttpResponse:
    """Publish (`status=published`) or take back to draft (`status=draft`)."""
    offer = selectors.offer_get_for(request.user, slug=slug)
    status = request.POST.get("status", "")
    try:
        services.offer_set_status(actor=request.user, offer=offer, status=status)
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("L'offre est publiée.")
            if status == OfferStatus.PUBLISHED
            else _("L'offre est repassée en brouillon : elle n'est plus visible du public."),
        )
    return redirect("market:offer_detail", slug=offer.slug)


@login_required
@require_http_methods(["GET", "POST"])
def offer_delete(request: HttpRequest, slug: str) -> HttpResponse:
    offer = selectors.offer_get_for(request.user, slug=slug)
    require(request.user, "change", offer)
    if request.method == "POST":
        services.offer_delete(actor=request.user, offer=offer)
        messages.success(
            request, _("L'offre « %(title)s » a été supprimée.") % {"title": offer.title}
        )
        return redirect("market:offer_list")
    return render(request, "market/offer_delete.html", {"offer": offer})


@login_required
@require_http_methods(["GET", "POST"])
def offer_reference_add(request: HttpRequest, slug: str) -> HttpResponse:
    offer = selectors.offer_get_for(request.user, slug=slug)
    require(request.user, "change", offer)
    form = ReferenceForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_reference_add(actor=request.user, offer=offer, **form.target())
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Référence ajoutée : affichée dès que la collectivité l'aura confirmée."),
            )
            return redirect("market:offer_detail", slug=offer.slug)
    return render(request, "market/offer_reference_form.html", {"form": form, "offer": offer})


def _reference(request: HttpRequest, slug: str, pk: int) -> tuple[Offer, OfferReference]:
    offer = selectors.offer_get_for(request.user, slug=slug)
    reference = next((r for r in offer.references.all() if r.pk == pk), None)  # type: ignore[attr-defined]
    if reference is None:
        raise selectors.OfferNotFound(_("Référence introuvable."))
    return offer, reference


@login_required
@require_http_methods(["GET", "POST"])
def offer_reference_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    offer, reference = _reference(request, slug, pk)
    require(request.user, "change", offer)
    if request.method == "POST":
        services.offer_reference_remove(actor=request.user, reference=reference)
        messages.success(request, _("La référence a été retirée."))
        return redirect("market:offer_detail", slug=offer.slug)
    return render(
        request, "market/offer_reference_remove.html", {"offer": offer, "reference": reference}
    )


@login_required
@require_GET
def references_to_confirm(request: HttpRequest) -> HttpResponse:
    """For a city's editors: the offers that cite their collectivité or territory."""
    references = list(selectors.offer_references_to_confirm(request.user))
    return render(request, "market/offer_references_to_confirm.html", {"references": references})


@login_required
@require_POST
def offer_reference_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The city confirms (`decision=confirm`) or refuses (`decision=refuse`) a reference."""
    reference = next(
        (r for r in selectors.offer_references_to_confirm(request.user) if r.pk == pk), None
    )
    if reference is None:
        # Not one of the user's cities (or already decided): same answer as a missing one.
        raise selectors.OfferNotFound(_("Référence introuvable."))
    decision = request.POST.get("decision")
    if decision == "confirm":
        services.offer_reference_confirm(actor=request.user, reference=reference)
        messages.success(
            request, _("Référence confirmée : elle est désormais affichée sur l'offre.")
        )
    elif decision == "refuse":
        if request.POST.get("confirmed") != "1":  # a refusal removes the reference: confirm
            return render(request, "market/offer_reference_refuse.html", {"reference": reference})
        services.offer_reference_refuse(actor=request.user, reference=reference)
        messages.success(request, _("Référence refusée : elle a été retirée de l'offre."))
    else:
        messages.error(request, _("Choisissez de confirmer ou de refuser la référence."))
    return redirect("market:offer_references_to_confirm")
