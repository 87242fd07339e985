"""Forms of the evaluation pages (grid, jury, interests, marks, decision, pilot report).

They only parse input: writes go through `mediane.market.services`, which say what is wrong in
French; `add_service_errors` puts those messages next to the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediane.core.errors import MedianeError
from mediane.market.inputs import PilotReportInput
from mediane.market.models import SCORE_MAX, Answer, Criterion, Currency
from mediane.market.services import CriterionInput, MarkInput

MAX_CRITERIA = 12


class ServiceErrorsMixin:
    """Show a service's field errors next to the matching fields (others at the top)."""

    def add_service_errors(
        self, error: MedianeError, aliases: dict[str, str] | None = None
    ) -> None:
        aliases = aliases or {}
        for name, messages in error.field_errors.items():
            field = aliases.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)  # type: ignore[attr-defined]
        if not error.field_errors:
            self.add_error(None, error.message)  # type: ignore[attr-defined]


class CriteriaForm(ServiceErrorsMixin, forms.Form):
    """The weighted grid: up to 12 rows (label, weight, description); empty rows are ignored."""

    def __init__(self, *args: Any, criteria: list[Criterion] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        existing = list(criteria or [])
        rows = min(MAX_CRITERIA, max(len(existing) + 2, 5))
        self.rows: list[dict[str, Any]] = []
        for i in range(rows):
            current = existing[i] if i < len(existing) else None
            self.fields[f"label_{i}"] = forms.CharField(
                label=_("Critère %(number)s") % {"number": i + 1},
                required=False,
                max_length=150,
                initial=current.label if current else "",
            )
            self.fields[f"weight_{i}"] = forms.IntegerField(
                label=_("Poids du critère %(number)s") % {"number": i + 1},
                required=False,
                min_value=1,
                max_value=100,
                initial=current.weight if current else None,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-narrow"}),
            )
            self.fields[f"description_{i}"] = forms.CharField(
                label=_("Précisions sur le critère %(number)s") % {"number": i + 1},
                required=False,
                max_length=300,
                initial=current.description if current else "",
            )

    def row_fields(self) -> list[tuple[Any, Any, Any]]:
        count = len([n for n in self.fields if n.startswith("label_")])
        return [
            (self[f"label_{i}"], self[f"weight_{i}"], self[f"description_{i}"])
            for i in range(count)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        count = len([n for n in self.fields if n.startswith("label_")])
        filled = 0
        for i in range(count):
            label, weight = data.get(f"label_{i}"), data.get(f"weight_{i}")
            if label and weight is None and f"weight_{i}" not in self.errors:
                self.add_error(f"weight_{i}", _("Indiquez le poids de ce critère (1 à 100)."))
            if weight is not None and not label:
                self.add_error(f"label_{i}", _("Nommez ce critère ou effacez son poids."))
            filled += bool(label)
        if not filled:
            raise forms.ValidationError(_("La grille compte au moins un critère."))
        return data

    def to_inputs(self) -> list[CriterionInput]:
        data = self.cleaned_data
        count = len([n for n in self.fields if n.startswith("label_")])
        return [
            CriterionInput(
                label=data[f"label_{i}"],
                weight=data[f"weight_{i}"],
                description=data.get(f"description_{i}") or "",
            )
            for i in range(count)
            if data.get(f"label_{i}")
        ]

    def add_service_errors(
        self, error: MedianeError, aliases: dict[str, str] | None = None
    ) -> None:
        # The service numbers the criteria it received (filled rows only).
        rows = [
            i
            for i in range(len([n for n in self.fields if n.startswith("label_")]))
            if self.cleaned_data.get(f"label_{i}")
        ]
        mapping: dict[str, str] = {}
        for position, i in enumerate(rows):
            mapping[f"criteria.{position}.label"] = f"label_{i}"
            mapping[f"criteria.{position}.weight"] = f"weight_{i}"
        super().add_service_errors(error, mapping)


class JurorAddForm(ServiceErrorsMixin, forms.Form):
    user = forms.TypedChoiceField(label=_("Personne à inviter"), coerce=int)

    def __init__(self, *args: Any, candidates: dict[str, list[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {u.pk: u for key in ("issuers", "experts") for u in candidates.get(key, [])}
        field = self.fields["user"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", _("— Choisir —")),
            (
                _("Membres des organisations émettrices"),
                [(u.pk, u.get_full_name()) for u in candidates["issuers"]],
            ),
        ]
        groups: list[tuple[Any, list[Any] | None]] = [
            (_("Experts des secteurs du défi"), candidates.get("experts_in_sectors")),
            (_("Autres experts"), candidates.get("other_experts")),
        ]
        if groups[0][1] is None:  # not split: every expert in one group
            groups = [(_("Experts invités"), candidates["experts"])]
        field.choices += [
            (label, [(u.pk, u.expert_profile.name) for u in people])
            for label, people in groups
            if people
        ]


class ConflictsForm(forms.Form):
    """One choice per candidate organisation: no conflict, or a conflict (with a note)."""

    NONE = "none"
    CONFLICT = "conflict"

    def __init__(self, *args: Any, candidates: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for candidate in candidates:
            organisation = candidate["organisation"]
            declared = candidate["has_conflict"]
            self.fields[f"org_{organisation.pk}"] = forms.ChoiceField(
                label=organisation.name,
                required=False,
                widget=forms.RadioSelect,
                choices=[
                    (self.NONE, _("Aucun conflit d'intérêts")),
                    (self.CONFLICT, _("Conflit d'intérêts : je ne lirai pas cette réponse")),
                ],
                initial=(None if declared is None else (self.CONFLICT if declared else self.NONE)),
            )
            self.fields[f"note_{organisation.pk}"] = forms.CharField(
                label=_("Précisions (facultatif)"), required=False, max_length=500
            )

    def rows(self) -> list[tuple[dict[str, Any], Any, Any]]:
        return [
            (c, self[f"org_{c['organisation'].pk}"], self[f"note_{c['organisation'].pk}"])
            for c in self.candidates
        ]

    def declarations(self) -> list[tuple[Any, bool, str]]:
        """(organisation, has_conflict, note) for each candidate given an answer."""
        out = []
        for candidate in self.candidates:
            organisation = candidate["organisation"]
            choice = self.cleaned_data.get(f"org_{organisation.pk}")
            if choice:
                note = self.cleaned_data.get(f"note_{organisation.pk}") or ""
                out.append((organisation, choice == self.CONFLICT, note))
        return out


SCORE_CHOICES = [(str(v), str(v)) for v in range(SCORE_MAX + 1)]


class ScoreForm(ServiceErrorsMixin, forms.Form):
    """A mark 0–5 and a comment for every criterion of the grid."""

    def __init__(
        self,
        *args: Any,
        criteria: list[Criterion],
        scores: dict[int, Any],
        disabled: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            score = scores.get(criterion.pk)
            self.fields[f"mark_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.label,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                initial=str(score.value) if score else None,
                disabled=disabled,
                error_messages={"required": _("Donnez une note de 0 à 5.")},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Commentaire sur « %(label)s »") % {"label": criterion.label},
                required=False,
                max_length=5000,
                initial=score.comment if score else "",
                disabled=disabled,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Criterion, Any, Any]]:
        return [(c, self[f"mark_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def to_inputs(self) -> list[MarkInput]:
        return [
            MarkInput(
                criterion=c,
                value=self.cleaned_data[f"mark_{c.pk}"],
                comment=self.cleaned_data.get(f"comment_{c.pk}") or "",
            )
            for c in self.criteria
        ]


class DecisionForm(forms.Form):
    """Awarded answers, each with its reason, or none ("non attribué") with the reason why."""

    note = forms.CharField(
        label=_("Motifs de la décision"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Obligatoire si aucune réponse n'est retenue. Visible des candidats."),
    )

    def __init__(self, *args: Any, answers: list[Answer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers = answers
        for answer in answers:
            self.fields[f"award_{answer.pk}"] = forms.BooleanField(
                label=_("Retenir la réponse de %(name)s") % {"name": answer.organisation.name},
                required=False,
            )
            self.fields[f"reason_{answer.pk}"] = forms.CharField(
                label=_("Motif pour %(name)s") % {"name": answer.organisation.name},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Answer, Any, Any]]:
        return [(a, self[f"award_{a.pk}"], self[f"reason_{a.pk}"]) for a in self.answers]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [a for a in self.answers if data.get(f"award_{a.pk}")]
        for answer in chosen:
            if not (data.get(f"reason_{answer.pk}") or "").strip():
                self.add_error(f"reason_{answer.pk}", _("Motivez chaque réponse retenue."))
        if not chosen and not (data.get("note") or "").strip():
            self.add_error(
                "note", _("Sans réponse retenue, expliquez pourquoi le défi n'est pas attribué.")
            )
        return data

    def awarded(self) -> dict[int, str]:
        return {
            a.pk: self.cleaned_data[f"reason_{a.pk}"].strip()
            for a in self.answers
            if self.cleaned_data.get(f"award_{a.pk}")
        }


class PilotReportForm(ServiceErrorsMixin, forms.Form):
    outcome = forms.CharField(
        label=_("Résultats de l'expérimentation"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Mise en forme simple autorisée : paragraphes, gras, italique, listes, liens."),
    )
    contract_signed = forms.BooleanField(label=_("Un contrat a été signé"), required=False)
    amount = forms.IntegerField(
        label=_("Montant du contrat"),
        required=False,
        min_value=0,
        max_value=2_000_000_000,
        help_text=_("Obligatoire si un contrat a été signé. Nombre entier, sans espace."),
    )
    currency = forms.ChoiceField(label=_("Devise"), choices=Currency.choices)
    lessons = forms.CharField(
        label=_("Enseignements"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def to_input(self) -> PilotReportInput:
        data = self.cleaned_data
        return PilotReportInput(
            outcome=data["outcome"],
            contract_signed=data["contract_signed"],
            amount=data.get("amount"),
            currency=data["currency"],
            lessons=data.get("lessons") or "",
        )
