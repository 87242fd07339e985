"""Forms of the notification pages: e-mail preferences and saved searches."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mediane.accounts.forms import AccessibleForm
from mediane.notifications.models import Frequency, Topic
from mediane.notifications.services import QUERY_MAX_LENGTH


class PreferenceForm(AccessibleForm):
    frequency = forms.ChoiceField(
        label=_("Fréquence des e-mails"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        help_text=_("Par défaut, un résumé par jour : jamais plus d'un e-mail quotidien."),
    )
    email_topics = forms.MultipleChoiceField(
        label=_("Sujets reçus par e-mail"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Les sujets décochés restent visibles dans le centre de notifications, sans e-mail."
        ),
    )


class SavedSearchForm(AccessibleForm):
    query = forms.CharField(
        label=_("Mots recherchés"),
        max_length=QUERY_MAX_LENGTH,
        help_text=_(
            "Vous serez prévenu de chaque nouveau défi contenant tous ces mots "
            "(au singulier ou au pluriel, avec ou sans accents)."
        ),
    )
