"""Forms of the offer pages. They only parse input: writes go through the market services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediane.directory.forms import find_territory
from mediane.directory.models import Organisation, OrganisationKind, Sector
from mediane.market.forms_evaluation import ServiceErrorsMixin
from mediane.market.inputs import OfferInput
from mediane.market.models import Offer, PriceModel
from mediane.territories.models import Territory


class OfferForm(ServiceErrorsMixin, forms.Form):
    """An offer (creation and edition); the organisation is chosen at creation only."""

    organisation = forms.TypedChoiceField(label=_("Organisation qui propose l'offre"), coerce=int)
    title = forms.CharField(label=_("Titre"), max_length=200)
    summary = forms.CharField(
        label=_("Accroche"),
        required=False,
        max_length=300,
        help_text=_("Une phrase : le problème que l'offre résout, pour qui."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Mise en forme simple autorisée : paragraphes, gras, italique, listes, liens."),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Secteurs"), required=False, widget=forms.CheckboxSelectMultiple
    )
    target_kinds = forms.MultipleChoiceField(
        label=_("Acheteurs visés"),
        required=False,
        choices=OrganisationKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    price_model = forms.ChoiceField(label=_("Modèle de prix"), choices=PriceModel.choices)

    def __init__(
        self, *args: Any, organisations: list[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        sectors = self.fields["sectors"]
        assert isinstance(sectors, forms.MultipleChoiceField)
        sectors.choices = [(s.slug, s.name) for s in Sector.objects.all()]
        if organisations is None:  # edition: the organisation does not change
            del self.fields["organisation"]
        else:
            self.organisations = {o.pk: o for o in organisations}
            field = self.fields["organisation"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [(o.pk, o.name) for o in organisations]

    @staticmethod
    def initial_from(offer: Offer) -> dict[str, Any]:
        return {
            "title": offer.title,
            "summary": offer.summary,
            "description": offer.description,
            "sectors": [s.slug for s in offer.sectors.all()],
            "target_kinds": list(offer.target_kinds),
            "price_model": offer.price_model,
        }

    def to_input(self) -> OfferInput:
        data = self.cleaned_data
        return OfferInput(
            title=data["title"],
            summary=data["summary"],
            description=data["description"],
            sectors=list(data["sectors"]),
            target_kinds=list(data["target_kinds"]),
            price_model=data["price_model"],
        )


class ReferenceForm(ServiceErrorsMixin, forms.Form):
    """Where the offer is deployed: a collectivité of the directory, or a territory by code."""

    organisation = forms.TypedChoiceField(
        label=_("Collectivité de l'annuaire"), required=False, coerce=int, empty_value=None
    )
    territory = forms.CharField(
        label=_("Ou territoire"),
        required=False,
        max_length=220,
        help_text=_("Code INSEE (France) ou code géographique (Québec), par exemple 58194."),
    )
    description = forms.CharField(label=_("Ce qui a été déployé"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cities = Organisation.objects.filter(
            kind=OrganisationKind.COLLECTIVITE, visibility="public"
        ).order_by("name")
        self.cities = {c.pk: c for c in cities.only("pk", "name", "kind", "slug")}
        field = self.fields["organisation"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("— Aucune —")), *((pk, c.name) for pk, c in self.cities.items())]

    def clean_territory(self) -> Territory | None:
        value = (self.cleaned_data.get("territory") or "").strip()
        return find_territory(value) if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_org = data.get("organisation") is not None
        has_territory = data.get("territory") is not None
        if has_org == has_territory and "territory" not in self.errors:
            raise forms.ValidationError(
                _("Choisissez soit une collectivité, soit un territoire (un seul des deux).")
            )
        return data

    def target(self) -> dict[str, Any]:
        organisation = self.cleaned_data.get("organisation")
        return {
            "organisation": self.cities[organisation] if organisation is not None else None,
            "territory": self.cleaned_data.get("territory"),
            "description": self.cleaned_data.get("description") or "",
        }
