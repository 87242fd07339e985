"""Forms of the data hub pages. They only parse input: writes go through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediane.core.models import Visibility
from mediane.datahub.models import Frequency, Licence, TableSchema, Theme
from mediane.directory.forms import find_territory
from mediane.market.forms_evaluation import ServiceErrorsMixin


class DatasetForm(ServiceErrorsMixin, forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation propriétaire"), coerce=int)
    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Ce que contient le jeu de données, d'où viennent les chiffres, comment les lire."
        ),
    )
    themes = forms.MultipleChoiceField(
        label=_("Thèmes"),
        required=False,
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    keywords = forms.CharField(
        label=_("Mots-clés"),
        required=False,
        max_length=500,
        help_text=_("Séparés par des virgules."),
    )
    territory = forms.CharField(
        label=_("Couverture géographique"),
        required=False,
        max_length=40,
        help_text=_(
            "Code officiel de la commune (INSEE, code géographique du Québec) ou identifiant."
        ),
    )
    temporal_start = forms.DateField(
        label=_("Période couverte : début"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    temporal_end = forms.DateField(
        label=_("Période couverte : fin"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    frequency = forms.ChoiceField(label=_("Fréquence de mise à jour"), choices=Frequency.choices)
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices)
    licence_other = forms.CharField(label=_("Autre licence"), required=False, max_length=200)
    contact_name = forms.CharField(
        label=_("Point de contact (service)"), required=False, max_length=120
    )
    contact_email = forms.EmailField(label=_("Adresse de contact générique"), required=False)
    schema = forms.ModelChoiceField(
        label=_("Schéma suivi"),
        required=False,
        queryset=TableSchema.objects.all(),
        empty_label=_("Aucun schéma"),
        help_text=_("Les fichiers déposés seront validés contre ce schéma (SCDL ou autre)."),
    )

    def __init__(self, *args: Any, organisations: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]
            self.organisations = {o.pk: o for o in organisations}

    def clean_territory(self) -> Any:
        value = self.cleaned_data.get("territory", "").strip()
        return find_territory(value) if value else None

    def metadata(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("organisation", None)
        return data

    @staticmethod
    def initial_from(dataset: Any) -> dict[str, Any]:
        return {
            "title": dataset.title,
            "description": dataset.description,
            "themes": dataset.themes,
            "keywords": ", ".join(dataset.keywords),
            "territory": dataset.territory.code if dataset.territory else "",
            "temporal_start": dataset.temporal_start,
            "temporal_end": dataset.temporal_end,
            "frequency": dataset.frequency,
            "licence": dataset.licence,
            "licence_other": dataset.licence_other,
            "contact_name": dataset.contact_name,
            "contact_email": dataset.contact_email,
            "schema": dataset.schema_id,
        }


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("CSV (encodage et séparateur détectés), XLSX ou ODS."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,.ods"}),
    )
    note = forms.CharField(label=_("Note de version"), required=False, max_length=300)


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("Accès"), choices=Visibility.choices, widget=forms.RadioSelect
    )


class LegalBasisForm(forms.Form):
    column = forms.CharField(label=_("Colonne"), max_length=200)
    basis = forms.CharField(
        label=_("Base légale"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : noms des élus publiables en vertu du décret n° 2018-1117."),
    )


class SchemaUploadForm(forms.Form):
    identifier = forms.CharField(label=_("Identifiant"), max_length=120)
    version = forms.CharField(label=_("Version"), max_length=40)
    file = forms.FileField(label=_("Fichier schema.json (Table Schema)"))


class DeleteForm(forms.Form):
    confirm = forms.CharField(label=_("Identifiant du jeu de données"), max_length=120)
