"""Forms of the directory pages. They only parse input: writes go through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediane.core.errors import MedianeError
from mediane.core.models import Visibility
from mediane.directory.inputs import OrganisationInput
from mediane.directory.models import Organisation, OrganisationKind, Sector
from mediane.territories.models import Country, Kind, Territory


class OrganisationForm(forms.Form):
    """The profile of an organisation (creation and edition)."""

    name = forms.CharField(label=_("Nom"), max_length=200)
    kind = forms.ChoiceField(label=_("Type d'organisation"), choices=OrganisationKind.choices)
    country = forms.ChoiceField(label=_("Pays"), choices=Country.choices)
    territory = forms.CharField(
        label=_("Territoire"),
        required=False,
        max_length=220,
        help_text=_(
            "Code INSEE de la commune (France) ou code géographique de la municipalité "
            "(Québec), par exemple 65286 pour Lourdes."
        ),
    )
    siren = forms.CharField(label=_("SIREN"), required=False, max_length=20)
    siret = forms.CharField(label=_("SIRET"), required=False, max_length=20)
    neq = forms.CharField(
        label=_("NEQ"),
        required=False,
        max_length=20,
        help_text=_("Numéro d'entreprise du Québec, 10 chiffres."),
    )
    summary = forms.CharField(label=_("Accroche"), required=False, max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Mise en forme simple autorisée : paragraphes, gras, italique, listes, liens."),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Secteurs"), required=False, widget=forms.CheckboxSelectMultiple
    )
    website = forms.CharField(label=_("Site web"), required=False, max_length=200)
    contact_email = forms.CharField(
        label=_("Adresse de contact générique"),
        required=False,
        max_length=254,
        help_text=_("Une adresse de l'organisation (contact@…), pas une adresse personnelle."),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    visibility = forms.ChoiceField(label=_("Visibilité"), choices=Visibility.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sectors = self.fields["sectors"]
        assert isinstance(sectors, forms.MultipleChoiceField)
        sectors.choices = [(s.slug, s.name) for s in Sector.objects.all()]

    @classmethod
    def initial_from(cls, organisation: Organisation) -> dict[str, Any]:
        data = OrganisationInput.from_organisation(organisation)
        territory = organisation.territory
        return {
            **{k: v for k, v in vars(data).items() if k not in {"territory_id", "sector_slugs"}},
            "territory": territory.code if territory else "",
            "sectors": data.sector_slugs,
        }

    def clean_territory(self) -> Territory | None:
        value = self.cleaned_data.get("territory", "").strip()
        if not value:
            return None
        country = self.data.get(self.add_prefix("country"))
        return find_territory(value, country)

    def to_input(self) -> OrganisationInput:
        data = self.cleaned_data
        territory = data.get("territory")
        return OrganisationInput(
            name=data["name"],
            kind=data["kind"],
            country=data["country"],
            siren=data["siren"],
            siret=data["siret"],
            neq=data["neq"],
            territory_id=territory.pk if territory else None,
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            website=data["website"],
            summary=data["summary"],
            description=data["description"],
            contact_email=data["contact_email"],
            visibility=data["visibility"],
            sector_slugs=list(data["sectors"]),
        )

    def add_service_errors(self, error: MedianeError) -> None:
        """Show a service's field errors next to the matching fields (others at the top)."""
        for name, messages in error.field_errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        if not error.field_errors:
            self.add_error(None, error.message)


def find_territory(value: str, country: str | None = None) -> Territory:
    """A territory by official code (commune first) or slug; ValidationError when unknown."""
    qs = Territory.objects.filter(Q(code=value) | Q(slug=value))
    if country in Country.values:
        qs = qs.filter(country=country)
    order: dict[str, int] = {
        Kind.MUNICIPALITY: 0,
        Kind.GROUPING: 1,
        Kind.DEPARTEMENT: 2,
        Kind.REGION: 3,
    }
    matches = sorted(qs[:10], key=lambda t: order.get(t.kind, 9))
    if not matches:
        raise forms.ValidationError(
            _("Territoire introuvable : « %(value)s »."), params={"value": value}
        )
    return matches[0]


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo"),
        help_text=_("PNG, JPEG ou WebP, 2 Mo au maximum. Le SVG n'est pas accepté."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
