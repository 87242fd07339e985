"""Forms of cooperation: they parse input; the services check it and say what is wrong."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediane.cooperation.models import Currency, ProjectStatus, ProjectVisibility
from mediane.directory.models import Sector
from mediane.territories.models import Territory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.Form):
    lead = forms.ChoiceField(label=_("Chef de file"), choices=())
    title = forms.CharField(label=_("Titre"), max_length=200)
    summary = forms.CharField(
        label=_("Résumé"),
        max_length=300,
        required=False,
        help_text=_("Une phrase : ce que le projet change pour les habitants."),
    )
    goals = forms.CharField(
        label=_("Objectifs"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    sectors = forms.MultipleChoiceField(
        label=_("Secteurs"), required=False, widget=forms.CheckboxSelectMultiple
    )
    territories = forms.MultipleChoiceField(
        label=_("Territoires concernés"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."),
    )
    visibility = forms.ChoiceField(
        label=_("Page publique visible par"),
        choices=ProjectVisibility.choices,
        initial=ProjectVisibility.PUBLIC,
        help_text=_("Tant que le projet est un brouillon, seuls les partenaires le voient."),
    )

    def __init__(self, *args: Any, leads: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        sectors = self.fields["sectors"]
        assert isinstance(sectors, forms.MultipleChoiceField)
        sectors.choices = [(s.slug, s.name) for s in Sector.objects.order_by("position", "name")]
        territories = self.fields["territories"]
        assert isinstance(territories, forms.MultipleChoiceField)
        # Territories of the network's organisations, and those the project already names.
        chosen = list((self.initial or {}).get("territories") or [])
        territories.choices = [
            (t.slug, f"{t.name} ({t.get_country_display()})")  # type: ignore[attr-defined]
            for t in Territory.objects.filter(Q(organisations__isnull=False) | Q(slug__in=chosen))
            .distinct()
            .order_by("country", "name")[:500]
        ]
        if leads is None:
            del self.fields["lead"]
        else:
            lead = self.fields["lead"]
            assert isinstance(lead, forms.ChoiceField)
            lead.choices = [(str(o.pk), o.name) for o in leads]


class StatusForm(forms.Form):
    to = forms.ChoiceField(choices=ProjectStatus.choices)
    note = forms.CharField(required=False, max_length=500)


class PartnerForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation partenaire"), choices=())

    def __init__(self, *args: Any, candidates: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (str(o.pk), f"{o.name} ({o.get_country_display()})")  # type: ignore[attr-defined]
            for o in candidates
        ]


class PhaseForm(forms.Form):
    title = forms.CharField(label=_("Intitulé de la phase"), max_length=200)
    starts_on = forms.DateField(label=_("Début"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Fin"), required=False, widget=DATE)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Jalon"), max_length=200)
    due_on = forms.DateField(label=_("Date"), widget=DATE)


class BudgetTotalForm(forms.Form):
    total = forms.CharField(label=_("Budget total"), max_length=30)
    currency = forms.ChoiceField(label=_("Devise du projet"), choices=Currency.choices)


class ShareForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Partenaire"), choices=())
    amount = forms.CharField(label=_("Montant"), max_length=30)
    currency = forms.ChoiceField(label=_("Devise"), choices=Currency.choices)
    rate = forms.CharField(
        label=_("Taux vers la devise du projet"),
        max_length=20,
        initial="1",
        help_text=_("1 si la part est dans la devise du projet."),
    )
    rate_date = forms.DateField(label=_("Date du taux"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, partners: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(o.pk), o.name) for o in partners]


class DecisionForm(forms.Form):
    decided_on = forms.DateField(label=_("Date"), widget=DATE)
    decision = forms.CharField(label=_("Décision"), widget=forms.Textarea(attrs={"rows": 3}))
    made_by = forms.CharField(
        label=_("Prise par"),
        max_length=200,
        help_text=_("Par exemple : comité de pilotage du 12 mars."),
    )
    context = forms.CharField(
        label=_("Contexte"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Sujet"), max_length=200)
    body = forms.CharField(label=_("Premier message"), widget=forms.Textarea(attrs={"rows": 4}))


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Votre message"), widget=forms.Textarea(attrs={"rows": 4}))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Tâche"), max_length=200)
    owner = forms.ChoiceField(label=_("Responsable"), required=False, choices=())
    due_on = forms.DateField(label=_("Échéance"), required=False, widget=DATE)

    def __init__(self, *args: Any, owners: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— personne pour l'instant —"))] + [
            (str(u.pk), u.full_name or u.email) for u in owners
        ]


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("PDF, image ou document bureautique (docx, xlsx, pptx, odt, ods, odp)."),
    )
    title = forms.CharField(label=_("Titre"), max_length=200, required=False)


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(choices=[("project", "project"), ("challenge", "challenge")])
    target = forms.IntegerField(min_value=1)
    from_organisation = forms.IntegerField(min_value=1)
    source_project = forms.IntegerField(min_value=1, required=False)
    message = forms.CharField(required=False, max_length=2000)
    next = forms.CharField(required=False, max_length=500)
