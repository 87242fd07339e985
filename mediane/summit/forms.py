"""Forms of the summit pages. They only parse input: writes go through the summit services."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediane.directory.models import Organisation
from mediane.market.forms_evaluation import ServiceErrorsMixin
from mediane.summit.models import (
    Edition,
    HalfDayPreference,
    MeetingTable,
    OutcomeResult,
    ParticipantType,
)


class RegistrationForm(ServiceErrorsMixin, forms.Form):
    participant_type = forms.ChoiceField(label=_("Vous venez en tant que"))
    organisation = forms.TypedChoiceField(
        label=_("Organisation représentée"), coerce=int, required=False, empty_value=None
    )
    job_title = forms.CharField(label=_("Fonction"), max_length=150, required=False)
    wants_meetings = forms.BooleanField(
        label=_("Je participe aux rendez-vous d'affaires"), required=False, initial=True
    )
    offers = forms.CharField(
        label=_("Ce que j'apporte"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Vos solutions, savoir-faire, projets : ce qui peut intéresser les autres."),
    )
    seeks = forms.CharField(
        label=_("Ce que je cherche"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Les problèmes que vous voulez résoudre, les partenaires recherchés. "
            "Les suggestions de rendez-vous s'en servent."
        ),
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation],
        organiser: bool = False,
        update: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        types = [
            c for c in ParticipantType.choices if organiser or c[0] != ParticipantType.ORGANISER
        ]
        self.fields["participant_type"].choices = types  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [("", _("— aucune (à titre personnel) —"))] + [  # type: ignore[attr-defined]
            (o.pk, o.name) for o in organisations
        ]
        if update:
            del self.fields["participant_type"]
            del self.fields["organisation"]


class AvailabilityForm(ServiceErrorsMixin, forms.Form):
    arrives_at = forms.DateTimeField(
        label=_("Arrivée"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Heure locale du sommet. Vide : dès l'ouverture."),
    )
    departs_at = forms.DateTimeField(
        label=_("Départ"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Heure locale du sommet. Vide : jusqu'à la clôture."),
    )
    half_day = forms.ChoiceField(
        label=_("Rendez-vous d'affaires"),
        choices=HalfDayPreference.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    attended_sessions = forms.TypedMultipleChoiceField(
        label=_("Sessions du programme auxquelles j'assiste"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun rendez-vous ne sera placé pendant ces sessions."),
    )
    unavailable_slots = forms.TypedMultipleChoiceField(
        label=_("Créneaux où je ne suis pas disponible"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(edition.time_zone)
        for name in ("arrives_at", "departs_at"):
            self.fields[name].widget.attrs.update(
                {"min": f"{edition.starts_on}T00:00", "max": f"{edition.ends_on}T23:59"}
            )
        self.fields["attended_sessions"].choices = [  # type: ignore[attr-defined]
            (
                s.pk,
                f"{s.starts_at.astimezone(self.zone):%d/%m %H:%M}–"
                f"{s.ends_at.astimezone(self.zone):%H:%M} · {s.title}",
            )
            for s in edition.sessions.order_by("starts_at")  # type: ignore[attr-defined]
        ]
        self.fields["unavailable_slots"].choices = [  # type: ignore[attr-defined]
            (
                s.pk,
                f"{s.starts_at.astimezone(self.zone):%d/%m %H:%M}–"
                f"{s.ends_at.astimezone(self.zone):%H:%M}",
            )
            for s in edition.slots.order_by("starts_at")  # type: ignore[attr-defined]
        ]

    def _aware(self, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=None).replace(tzinfo=self.zone)

    def clean_arrives_at(self) -> datetime | None:
        return self._aware(self.cleaned_data.get("arrives_at"))

    def clean_departs_at(self) -> datetime | None:
        return self._aware(self.cleaned_data.get("departs_at"))


class RequestForm(ServiceErrorsMixin, forms.Form):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Pourquoi cette rencontre : votre besoin, votre proposition."),
    )


class DecisionForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(
        label=_("Motif (obligatoire pour un refus)"), max_length=300, required=False
    )


class RunForm(ServiceErrorsMixin, forms.Form):
    time_limit = forms.IntegerField(
        label=_("Temps de calcul maximal (secondes)"),
        min_value=5,
        max_value=600,
        initial=60,
        help_text=_("Le meilleur planning trouvé dans ce délai est retenu."),
    )
    fairness = forms.IntegerField(
        label=_("Écart maximal de pauses entre deux participants"),
        min_value=0,
        max_value=20,
        initial=2,
        help_text=_(
            "Une pause est une suite de créneaux libres entre deux rendez-vous d'une même journée."
        ),
    )


class SlotsForm(ServiceErrorsMixin, forms.Form):
    day = forms.DateField(label=_("Jour"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("Début"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Fin"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(
        label=_("Durée d'un rendez-vous (minutes)"), min_value=5, max_value=120, initial=20
    )
    lunch_start = forms.TimeField(
        label=_("Pause déjeuner : début"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    lunch_end = forms.TimeField(
        label=_("Pause déjeuner : fin"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )


class TablesForm(ServiceErrorsMixin, forms.Form):
    count = forms.IntegerField(label=_("Nombre de tables"), min_value=1, max_value=1000)


class MoveForm(ServiceErrorsMixin, forms.Form):
    slot = forms.TypedChoiceField(label=_("Nouveau créneau"), coerce=int)
    table = forms.TypedChoiceField(label=_("Table"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = zoneinfo.ZoneInfo(edition.time_zone)
        self.fields["slot"].choices = [  # type: ignore[attr-defined]
            (s.pk, f"{s.starts_at.astimezone(zone):%d/%m %H:%M}")
            for s in edition.slots.order_by("starts_at")  # type: ignore[attr-defined]
        ]
        tables: list[MeetingTable] = list(edition.tables.order_by("number"))  # type: ignore[attr-defined]
        self.fields["table"].choices = [("", _("— une table libre —"))] + [  # type: ignore[attr-defined]
            (t.pk, str(t)) for t in tables
        ]


class OutcomeForm(ServiceErrorsMixin, forms.Form):
    took_place = forms.TypedChoiceField(
        label=_("Le rendez-vous a-t-il eu lieu ?"),
        choices=[("1", _("Oui")), ("0", _("Non"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    result = forms.ChoiceField(label=_("Ce qui en est sorti"), choices=OutcomeResult.choices)
    amount = forms.DecimalField(
        label=_("Montant (devis ou contrat, en euros ou dollars)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    note = forms.CharField(label=_("Commentaire"), required=False, max_length=500)
