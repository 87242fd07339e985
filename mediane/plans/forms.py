"""Forms of the plans pages: they parse input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mediane.core.models import Visibility
from mediane.plans.models import ActionStatus, Currency, PlanStatus, Priority


class PlanForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Ville"), required=False)
    title = forms.CharField(label=_("Titre"), max_length=200)
    start_year = forms.IntegerField(label=_("Année de début"), min_value=1990, max_value=2100)
    end_year = forms.IntegerField(label=_("Année de fin"), min_value=1990, max_value=2100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    status = forms.ChoiceField(label=_("État"), choices=PlanStatus.choices)
    visibility = forms.ChoiceField(
        label=_("Visibilité de la page de redevabilité"),
        choices=Visibility.choices,
        help_text=_("Qui peut lire le plan une fois sorti du brouillon."),
    )
    currency = forms.ChoiceField(label=_("Devise"), choices=Currency.choices)


class AxisForm(forms.Form):
    number = forms.IntegerField(label=_("Numéro"), min_value=1, max_value=999)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    weight = forms.CharField(
        label=_("Poids"),
        required=False,
        help_text=_("Facultatif : sans poids, l'axe compte pour 1 dans l'avancement du plan."),
    )


class ActionForm(forms.Form):
    axis = forms.ChoiceField(label=_("Axe"))
    number = forms.IntegerField(
        label=_("Numéro"),
        min_value=1,
        max_value=99999,
        required=False,
        help_text=_("Unique dans le plan ; laissé vide, le prochain numéro libre."),
    )
    title = forms.CharField(label=_("Intitulé"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    status = forms.ChoiceField(label=_("État"), choices=ActionStatus.choices)
    priority = forms.ChoiceField(label=_("Priorité"), choices=Priority.choices)
    progress = forms.IntegerField(
        label=_("Avancement (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("De 0 à 100 ; une action réalisée compte pour 100."),
    )
    weight = forms.CharField(
        label=_("Poids"),
        required=False,
        help_text=_("Facultatif : sans poids, l'action compte pour 1 dans son axe."),
    )
    start_date = forms.DateField(
        label=_("Début"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("Fin"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    budget_planned = forms.CharField(label=_("Budget prévu"), required=False)
    budget_spent = forms.CharField(label=_("Budget dépensé"), required=False)
    pilots = forms.MultipleChoiceField(
        label=_("Pilotes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Membres de la ville ; ils sont prévenus de l'affectation et des changements d'état."
        ),
    )
    pilot_roles = forms.CharField(
        label=_("Services ou fonctions pilotes"), required=False, max_length=300
    )
    partners = forms.MultipleChoiceField(label=_("Partenaires"), required=False)
    projects = forms.MultipleChoiceField(
        label=_("Projets liés"), required=False, widget=forms.CheckboxSelectMultiple
    )
    challenges = forms.MultipleChoiceField(
        label=_("Défis liés"), required=False, widget=forms.CheckboxSelectMultiple
    )
    datasets = forms.MultipleChoiceField(
        label=_("Jeux de données liés"), required=False, widget=forms.CheckboxSelectMultiple
    )
    question_codes = forms.CharField(
        label=_("Questions de l'autodiagnostic"),
        required=False,
        max_length=200,
        help_text=_("Codes séparés par des virgules, par exemple : 3.2, 5.1"),
    )


class FundingForm(forms.Form):
    funder = forms.CharField(label=_("Financeur"), max_length=200)
    amount = forms.CharField(label=_("Montant"), max_length=30)
    currency = forms.ChoiceField(label=_("Devise"), choices=Currency.choices)


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Nom de l'indicateur"), max_length=200)
    unit = forms.CharField(label=_("Unité"), max_length=40, required=False)
    target = forms.CharField(label=_("Cible"), max_length=30, required=False)


class IndicatorValueForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.CharField(label=_("Valeur"), max_length=30)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_("Une ligne par action ; 1 000 lignes et 2 Mo au plus."),
    )
