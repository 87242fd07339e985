"""Forms of the tiers-lieux pages: booking, training. They parse; the services decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediane.core.errors import MedianeError
from mediane.tierslieux.models import Resource


class BookingForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    start = forms.TimeField(
        label=_("Début"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=_("Fin"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"})
    )
    note = forms.CharField(label=_("Objet (facultatif)"), max_length=200, required=False)

    def __init__(self, *args: Any, resource: Resource, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resource = resource
        step = str(resource.slot_minutes * 60)
        for name in ("start", "end"):
            self.fields[name].widget.attrs["step"] = step
        self.fields["start"].help_text = _(
            "Heure locale (%(zone)s), par créneaux de %(m)s min."
        ) % {
            "zone": resource.time_zone,
            "m": resource.slot_minutes,
        }

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The aware start and end, in the resource's zone."""
        data = self.cleaned_data
        zone = self.resource.zone
        start = datetime.datetime.combine(data["date"], data["start"], tzinfo=zone)
        end = datetime.datetime.combine(data["date"], data["end"], tzinfo=zone)
        return start, end

    def add_service_errors(self, error: MedianeError) -> None:
        for field, messages in error.field_errors.items():
            for message in messages:
                if field in self.fields and message != error.message:
                    self.add_error(field, message)
        self.add_error(None, error.message)


class TrainingForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail de la personne formée"))
    granted_on = forms.DateField(
        label=_("Formée le"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        required=False,
    )


class ResourceForm(forms.ModelForm):
    """The resource's description and rules; the service validates and saves."""

    class Meta:
        model = Resource
        fields = [
            "name", "kind", "description", "capacity", "slot_minutes", "min_minutes",
            "max_minutes", "who_may_book", "training_required", "price_member",
            "price_partner", "price_other", "currency", "rules", "is_active", "show_bookers",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "rules": forms.Textarea(attrs={"rows": 4}),
        }

    def add_service_errors(self, error: MedianeError) -> None:
        for field, messages in error.field_errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        if not error.field_errors:
            self.add_error(None, error.message)


WEEKDAY_NAMES = [
    _("Lundi"), _("Mardi"), _("Mercredi"), _("Jeudi"), _("Vendredi"), _("Samedi"), _("Dimanche"),
]  # fmt: skip
PERIODS = (1, 2)


class HoursForm(forms.Form):
    """Two opening periods per weekday (leave both times empty for none)."""

    def __init__(self, *args: Any, resource: Resource, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        existing: dict[int, list[Any]] = {}
        for row in resource.opening_hours.all():  # type: ignore[attr-defined]
            existing.setdefault(row.weekday, []).append(row)
        for day, name in enumerate(WEEKDAY_NAMES):
            rows = existing.get(day, [])
            for period in PERIODS:
                current = rows[period - 1] if len(rows) >= period else None
                for edge, label in (("opens", _("ouverture")), ("closes", _("fermeture"))):
                    self.fields[f"{edge}_{day}_{period}"] = forms.TimeField(
                        label=f"{name}, {label} {period}",
                        required=False,
                        initial=getattr(current, edge) if current else None,
                        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
                    )

    def rows(self) -> list[dict[str, Any]]:
        """For the template: one row per weekday with its four bound fields."""
        return [
            {
                "name": name,
                "fields": [
                    self[f"{edge}_{day}_{period}"]
                    for period in PERIODS
                    for edge in ("opens", "closes")
                ],
            }
            for day, name in enumerate(WEEKDAY_NAMES)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day, name in enumerate(WEEKDAY_NAMES):
            for period in PERIODS:
                opens, closes = (
                    data.get(f"opens_{day}_{period}"),
                    data.get(f"closes_{day}_{period}"),
                )
                if (opens is None) != (closes is None):
                    raise forms.ValidationError(
                        _("%(day)s : indiquez l'ouverture et la fermeture, ou aucune des deux.")
                        % {"day": name}
                    )
        return data

    def hours(self) -> list[tuple[int, Any, Any]]:
        data = self.cleaned_data
        return [
            (day, data[f"opens_{day}_{period}"], data[f"closes_{day}_{period}"])
            for day in range(7)
            for period in PERIODS
            if data.get(f"opens_{day}_{period}") is not None
        ]


class ClosureForm(forms.Form):
    starts_on = forms.DateField(
        label=_("Du"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Au (inclus)"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Motif"), max_length=200, required=False)
