"""Forms of the solution pages. They only parse input: writes go through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediane.core.errors import MedianeError
from mediane.core.models import Visibility
from mediane.directory.models import Organisation, OrganisationKind, Sector
from mediane.market.forms_evaluation import ServiceErrorsMixin
from mediane.market.models import Offer, OfferStatus
from mediane.solutions.models import Currency, SolutionStatus, TargetKind
from mediane.solutions.services import IndicatorInput, SolutionInput

INDICATOR_ROWS = 5
INDICATOR_PARTS = ("name", "unit", "value_before", "value_after", "measured_on")


class SolutionForm(ServiceErrorsMixin, forms.Form):
    organisation = forms.TypedChoiceField(label=_("Ville qui a déployé la solution"), coerce=int)
    title = forms.CharField(label=_("Titre"), max_length=200)
    summary = forms.CharField(
        label=_("Résumé"),
        required=False,
        max_length=300,
        help_text=_("Une phrase : ce que la ville a fait et ce que cela a changé."),
    )
    problem = forms.CharField(
        label=_("Problème de départ"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Le besoin de la ville avant la solution, avec quelques chiffres."),
    )
    solution = forms.CharField(
        label=_("Solution déployée"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Ce qui a été mis en place, comment, avec qui."),
    )
    supplier_offer = forms.ChoiceField(
        label=_("Offre du fournisseur (place de marché)"), required=False
    )
    supplier_organisation = forms.ChoiceField(label=_("Fournisseur (annuaire)"), required=False)
    supplier_name = forms.CharField(
        label=_("Fournisseur absent de l’annuaire"),
        required=False,
        max_length=200,
        help_text=_("Son nom, si ni l’offre ni l’organisation ne sont sur Médiane."),
    )
    cost_amount = forms.CharField(
        label=_("Coût total"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-narrow"}),
        help_text=_("Montant entier, hors taxes (investissement et première année)."),
    )
    currency = forms.ChoiceField(label=_("Devise"), choices=Currency.choices)
    duration_months = forms.CharField(
        label=_("Durée du déploiement (mois)"),
        required=False,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-narrow"}),
    )
    deployed_on = forms.DateField(
        label=_("Mise en service"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    results = forms.CharField(
        label=_("Résultats"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce qui a changé ; les chiffres vont dans les indicateurs ci-dessous."),
    )
    lessons = forms.CharField(
        label=_("Enseignements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce que vous referiez, ce que vous éviteriez."),
    )
    contact_role = forms.CharField(
        label=_("Contact (fonction)"),
        required=False,
        max_length=150,
        help_text=_(
            "Une fonction ou un service, par exemple « Direction des systèmes d’information »."
        ),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Secteurs"), required=False, widget=forms.CheckboxSelectMultiple
    )
    visibility = forms.ChoiceField(
        label=_("Qui peut lire la fiche"), choices=Visibility.choices, widget=forms.RadioSelect
    )
    status = forms.ChoiceField(
        label=_("État"),
        choices=SolutionStatus.choices,
        widget=forms.RadioSelect,
        help_text=_("Un brouillon n’est lu que par les membres de la ville."),
    )

    def __init__(
        self, *args: Any, organisations: list[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]
            self.organisations = {o.pk: o for o in organisations}
        self.fields["sectors"].choices = [(s.slug, s.name) for s in Sector.objects.all()]  # type: ignore[attr-defined]
        offers = Offer.objects.filter(status=OfferStatus.PUBLISHED).select_related("organisation")
        self.fields["supplier_offer"].choices = [("", _("Aucune"))] + [  # type: ignore[attr-defined]
            (o.slug, f"{o.title} — {o.organisation.name}") for o in offers.order_by("title")
        ]
        suppliers = (
            Organisation.objects.exclude(kind=OrganisationKind.COLLECTIVITE)
            .filter(visibility=Visibility.PUBLIC)
            .order_by("name")
            .values_list("slug", "name")
        )
        self.fields["supplier_organisation"].choices = [("", _("Aucun"))] + list(suppliers)  # type: ignore[attr-defined]
        for i in range(INDICATOR_ROWS):
            self.fields[f"ind_{i}_name"] = forms.CharField(
                label=_("Indicateur %(n)s : nom") % {"n": i + 1}, required=False, max_length=200
            )
            self.fields[f"ind_{i}_unit"] = forms.CharField(
                label=_("Indicateur %(n)s : unité") % {"n": i + 1}, required=False, max_length=40
            )
            self.fields[f"ind_{i}_value_before"] = forms.CharField(
                label=_("Indicateur %(n)s : valeur avant") % {"n": i + 1},
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            self.fields[f"ind_{i}_value_after"] = forms.CharField(
                label=_("Indicateur %(n)s : valeur après") % {"n": i + 1},
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            self.fields[f"ind_{i}_measured_on"] = forms.DateField(
                label=_("Indicateur %(n)s : mesuré le") % {"n": i + 1},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    @classmethod
    def initial_from(cls, data: SolutionInput) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(data, name)
            for name in (
                "title", "summary", "problem", "solution", "supplier_offer",
                "supplier_organisation", "supplier_name", "cost_amount", "currency",
                "duration_months", "deployed_on", "results", "lessons", "contact_role",
                "sectors", "visibility", "status",
            )
        }  # fmt: skip
        for i, indicator in enumerate(data.indicators[:INDICATOR_ROWS]):
            for part in INDICATOR_PARTS:
                value = getattr(indicator, part)
                initial[f"ind_{i}_{part}"] = "" if value is None else value
        return initial

    def main_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not name.startswith("ind_")]

    def indicator_rows(self) -> list[list[Any]]:
        return [
            [self[f"ind_{i}_{part}"] for part in INDICATOR_PARTS] for i in range(INDICATOR_ROWS)
        ]

    def to_input(self) -> SolutionInput:
        data = self.cleaned_data
        return SolutionInput(
            title=data["title"],
            summary=data["summary"],
            problem=data["problem"],
            solution=data["solution"],
            supplier_organisation=data["supplier_organisation"],
            supplier_offer=data["supplier_offer"],
            supplier_name=data["supplier_name"],
            cost_amount=data["cost_amount"],
            currency=data["currency"],
            duration_months=data["duration_months"],
            deployed_on=data["deployed_on"],
            results=data["results"],
            lessons=data["lessons"],
            contact_role=data["contact_role"],
            sectors=list(data["sectors"]),
            visibility=data["visibility"],
            status=data["status"],
            indicators=[
                IndicatorInput(**{part: data[f"ind_{i}_{part}"] for part in INDICATOR_PARTS})
                for i in range(INDICATOR_ROWS)
            ],
        )

    def add_service_errors(
        self, error: MedianeError, aliases: dict[str, str] | None = None
    ) -> None:
        names = dict(aliases or {})
        for key in error.field_errors:
            if key.startswith("indicators."):
                _prefix, index, part = (key.split(".") + ["", ""])[:3]
                names[key] = f"ind_{index}_{part}"
        super().add_service_errors(error, names)


class ReplicateForm(ServiceErrorsMixin, forms.Form):
    organisation = forms.TypedChoiceField(label=_("Ville qui reproduit la solution"), coerce=int)
    kind = forms.ChoiceField(label=_("Créer"), choices=TargetKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(
        label=_("Titre du brouillon"),
        required=False,
        max_length=200,
        help_text=_("Laissé vide : le titre de la solution suivi du nom de votre ville."),
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]
        self.organisations = {o.pk: o for o in organisations}
        self.fields["kind"].initial = TargetKind.CHALLENGE.value


class OutcomeForm(ServiceErrorsMixin, forms.Form):
    outcome_note = forms.CharField(
        label=_("Où en est la reproduction"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
