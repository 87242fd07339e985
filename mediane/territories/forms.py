"""Forms of the secretariat's territory pages; they parse input, the services validate rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mediane.core.errors import MedianeError
from mediane.territories.models import MembershipStatus, TwinningKind
from mediane.territories.selectors import territory_resolve

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MembershipForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=MembershipStatus.choices)
    member_since = forms.DateField(
        label=_("Membre depuis"), required=False, widget=DATE_WIDGET, help_text=_("AAAA-MM-JJ")
    )
    notes = forms.CharField(
        label=_("Notes internes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TwinningForm(forms.Form):
    other = forms.CharField(
        label=_("Territoire jumelé"),
        max_length=220,
        help_text=_("Identifiant d'URL (ex. nevers-58194) ou code officiel de la commune."),
    )
    kind = forms.ChoiceField(label=_("Nature"), choices=TwinningKind.choices)
    since = forms.DateField(
        label=_("Depuis"), required=False, widget=DATE_WIDGET, help_text=_("AAAA-MM-JJ")
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_other(self):  # type: ignore[no-untyped-def]
        territory = territory_resolve(self.cleaned_data["other"])
        if territory is None:
            raise forms.ValidationError(
                _("Territoire introuvable : indiquez son identifiant d'URL ou son code officiel.")
            )
        return territory


class TerritoryEditForm(forms.Form):
    website = forms.CharField(label=_("Site web"), required=False, max_length=200)
    description = forms.CharField(
        label=_("Présentation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )


def add_service_errors(form: forms.Form, error: MedianeError) -> None:
    """Show a service's errors on the form: its message at the top, details by field."""
    details = [m for messages in error.field_errors.values() for m in messages]
    if error.message not in details:
        form.add_error(None, error.message)
    for name, messages in error.field_errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
