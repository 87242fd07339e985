"""Forms of the support pages; they parse input, the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediane.core.errors import MedianeError
from mediane.directory.models import Expert, Organisation, Sector, Skill
from mediane.support.models import SupportLanguage, Urgency
from mediane.support.services import SupportRequestInput
from mediane.territories.models import Territory


class ServiceErrorsMixin:
    def add_service_errors(self, error: MedianeError) -> None:
        form: Any = self
        placed = False
        for name, messages in error.field_errors.items():
            for message in messages:
                if name in form.fields:
                    form.add_error(name, message)
                    placed = True
        if not placed:
            form.add_error(None, error.message)


class SupportRequestForm(ServiceErrorsMixin, forms.Form):
    organisation = forms.TypedChoiceField(label=_("Au nom de"), coerce=int)
    subject = forms.CharField(label=pgettext_lazy("sujet", "Objet"), max_length=200)
    description = forms.CharField(
        label=_("Votre besoin"),
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Le contexte, ce que vous avez déjà essayé, ce que vous attendez d'un expert."),
    )
    territory = forms.TypedChoiceField(
        label=_("Territoire concerné"),
        coerce=int,
        help_text=_("Les experts qui servent ce territoire ou ses environs sont proposés d'abord."),
    )
    language = forms.ChoiceField(
        label=_("Langue de l'accompagnement"), choices=SupportLanguage.choices
    )
    urgency = forms.ChoiceField(label=_("Urgence"), choices=Urgency.choices)
    skills = forms.ModelMultipleChoiceField(
        label=_("Compétences recherchées"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Secteurs"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {o.pk: o for o in organisations}
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]
        org_territories = [o.territory_id for o in organisations if o.territory_id]
        territories = Territory.objects.filter(
            Q(pk__in=org_territories) | Q(pk__in=Territory.objects.network_members().values("pk"))
        ).distinct()
        self.fields["territory"].choices = [("", _("— choisir —"))] + [  # type: ignore[attr-defined]
            (t.pk, f"{t.name} ({t.get_country_display()})")  # type: ignore[attr-defined]
            for t in territories.order_by("name")
        ]
        if organisations and not self.is_bound:
            first = organisations[0]
            self.initial.setdefault("organisation", first.pk)
            if first.territory_id:
                self.initial.setdefault("territory", first.territory_id)
            if first.country == "QC":
                self.initial.setdefault("language", "fr")

    def to_input(self) -> SupportRequestInput:
        data = self.cleaned_data
        return SupportRequestInput(
            subject=data["subject"],
            description=data["description"],
            territory_id=data["territory"],
            language=data["language"],
            urgency=data["urgency"],
            skill_ids=[s.pk for s in data["skills"]],
            sector_ids=[s.pk for s in data["sectors"]],
        )


class ReasonForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 4}))


class MessageForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(label=_("Votre message"), widget=forms.Textarea(attrs={"rows": 4}))


class CloseForm(ServiceErrorsMixin, forms.Form):
    outcome = forms.CharField(
        label=_("Résultat de l'accompagnement"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ce qui a été fait, décidé ou livré."),
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Votre satisfaction"),
        coerce=int,
        choices=[
            (5, _("5 — très satisfait")),
            (4, _("4 — satisfait")),
            (3, _("3 — moyennement satisfait")),
            (2, _("2 — peu satisfait")),
            (1, _("1 — pas satisfait")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class RouteForm(ServiceErrorsMixin, forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label=_("Experts à qui proposer la demande"),
        queryset=Expert.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Laissez vide pour proposer la demande aux meilleurs experts suivants."),
    )

    def __init__(self, *args: Any, experts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = experts  # type: ignore[attr-defined]
