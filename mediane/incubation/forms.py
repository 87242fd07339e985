"""Forms of incubation: parsing only; the services check permissions and business rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediane.core.errors import MedianeError
from mediane.incubation.models import Need
from mediane.territories.forms import add_service_errors


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ServiceErrors:
    def add_service_errors(self, error: MedianeError) -> None:
        add_service_errors(self, error)  # type: ignore[arg-type]


def _org_choices(organisations: Any) -> list[tuple[int, str]]:
    return [(o.pk, f"{o.name} ({o.get_country_display()})") for o in organisations]


class AgreementForm(ServiceErrors, forms.Form):
    first = forms.TypedChoiceField(label=_("Votre structure"), coerce=int)
    second = forms.TypedChoiceField(label=_("Structure partenaire"), coerce=int)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    start = forms.DateField(label=_("Début"), widget=DateInput())
    end = forms.DateField(
        label=_("Fin"), required=False, widget=DateInput(), help_text=_("Vide : sans terme.")
    )
    scope = forms.CharField(
        label=_("Périmètre"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Secteurs, publics, engagements de chaque côté."),
    )
    programme = forms.CharField(
        label=_("Programme d'échanges"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Une étape par ligne : missions, accueils croisés, événements."),
    )

    def __init__(self, *args: Any, firsts: Any = (), seconds: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first"].choices = _org_choices(firsts)  # type: ignore[attr-defined]
        self.fields["second"].choices = [("", "—"), *_org_choices(seconds)]  # type: ignore[attr-defined]


class AgreementEditForm(ServiceErrors, forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    start = forms.DateField(label=_("Début"), widget=DateInput())
    end = forms.DateField(
        label=_("Fin"), required=False, widget=DateInput(), help_text=_("Vide : sans terme.")
    )
    scope = forms.CharField(
        label=_("Périmètre"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    programme = forms.CharField(
        label=_("Programme d'échanges"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    first_contact = forms.TypedChoiceField(label="", coerce=int, required=False, empty_value=None)
    second_contact = forms.TypedChoiceField(label="", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, agreement: Any, contacts: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, side in (
            ("first_contact", agreement.first),
            ("second_contact", agreement.second),
        ):
            self.fields[field].label = _("Contact pour %(name)s") % {"name": side.name}
            self.fields[field].choices = [  # type: ignore[attr-defined]
                ("", "—"),
                *((u.pk, u.full_name or u.email) for u in contacts[field]),
            ]


class EndForm(forms.Form):
    note = forms.CharField(
        label=_("Motif de la fin (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequestForm(ServiceErrors, forms.Form):
    startup = forms.TypedChoiceField(label=_("Votre entreprise"), coerce=int)
    option = forms.ChoiceField(
        label=_("Incubateur d'accueil"),
        help_text=_("Les incubateurs jumelés avec le vôtre, par accord en vigueur."),
    )
    start = forms.DateField(label=_("Arrivée"), widget=DateInput())
    end = forms.DateField(label=_("Départ"), widget=DateInput())
    needs = forms.MultipleChoiceField(
        label=_("Besoins"),
        choices=Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs_other = forms.CharField(
        label=_("Autres besoins ou précisions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    message = forms.CharField(
        label=_("Message à l'incubateur d'accueil"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Votre projet, vos objectifs sur place, les personnes qui viennent."),
    )

    def __init__(self, *args: Any, startups: Any = (), options: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["startup"].choices = _org_choices(startups)  # type: ignore[attr-defined]
        self.options = {f"{a.pk}:{home.pk}": (a, home, host) for a, home, host in options}
        self.fields["option"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *(
                (key, _("%(host)s — depuis %(home)s") % {"host": host.name, "home": home.name})
                for key, (_a, home, host) in self.options.items()
            ),
        ]

    def add_service_errors(self, error: MedianeError) -> None:
        renamed = {
            ("option" if k in ("home", "agreement") else k): v
            for k, v in error.field_errors.items()
        }
        add_service_errors(self, MedianeError(error.message, field_errors=renamed))  # type: ignore[arg-type]


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Message à la start-up (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposeDatesForm(ServiceErrors, forms.Form):
    proposed_start = forms.DateField(label=_("Arrivée proposée"), widget=DateInput())
    proposed_end = forms.DateField(label=_("Départ proposé"), widget=DateInput())
    note = forms.CharField(
        label=_("Explication"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeclineForm(ServiceErrors, forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Il est communiqué à la start-up et à son incubateur."),
    )


class NoteForm(ServiceErrors, forms.Form):
    body = forms.CharField(label=_("Nouvelle note"), widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(ServiceErrors, forms.Form):
    contacts_made = forms.IntegerField(label=_("Contacts établis"), min_value=0, initial=0)
    contracts_signed = forms.IntegerField(label=_("Contrats signés"), min_value=0, initial=0)
    contracts_amount = forms.DecimalField(
        label=_("Montant total des contrats"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    currency = forms.ChoiceField(
        label=_("Devise"), choices=[("EUR", _("euro (EUR)")), ("CAD", _("dollar canadien (CAD)"))]
    )
    jobs_created = forms.IntegerField(label=_("Emplois créés"), min_value=0, initial=0)
    notes = forms.CharField(
        label=_("Commentaires"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CapacityForm(ServiceErrors, forms.Form):
    start = forms.DateField(label=_("Début de la période"), widget=DateInput())
    end = forms.DateField(label=_("Fin de la période"), widget=DateInput())
    places = forms.IntegerField(
        label=_("Places simultanées"),
        min_value=0,
        max_value=500,
        help_text=_("Nombre de start-up accueillies en même temps."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
