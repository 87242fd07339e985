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
