"""Forms of the challenge and answer pages. They only parse input: writes go through services.

Rich texts are typed as plain text (blank line: new paragraph, "- " at the start of a line: a
list item) and turned into the small HTML subset the services sanitise; editing shows them back
as plain text.
"""

from __future__ import annotations

import html
import re
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediane.core.errors import MedianeError
from mediane.core.permissions import has_role, is_secretariat, user_roles
from mediane.directory.forms import find_territory
from mediane.directory.models import Organisation, OrganisationKind, Sector
from mediane.directory.sanitize import html_to_text
from mediane.market.guidance import Guidance, challenge_guidance
from mediane.market.inputs import AnswerInput, ChallengeInput
from mediane.market.models import Answer, Challenge, Currency
from mediane.territories.models import Country

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

#: Labels of the checklist items (keys of `mediane.market.guidance`).
CHECK_LABELS = {
    "problem": _("Le problème est décrit (25 mots au moins) sans nommer de solution"),
    "figures": _("Des chiffres situent le problème (fréquentation, coûts, volumes…)"),
    "outcomes": _("Les résultats attendus sont mesurables (un chiffre, un indicateur)"),
    "budget": _("Le budget est indiqué"),
    "timeline": _("Les dates d’ouverture et de clôture sont fixées"),
    "sectors": _("Au moins un secteur est choisi"),
}


# --- Plain text <-> rich text -----------------------------------------------------------------

_BLOCK_END = re.compile(r"</(?:p|h3|h4|blockquote|ul|ol)>", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LI = re.compile(r"<li[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def text_to_html(value: str) -> str:
    """Plain text typed in a textarea to paragraphs and lists (HTML typed in is kept)."""
    value = (value or "").replace("\r\n", "\n").strip()
    if not value or re.search(r"<(?:p|ul|ol|br|strong|em|a)\b", value, re.IGNORECASE):
        return value
    blocks = []
    for block in re.split(r"\n\s*\n", value):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines and all(line.startswith(("- ", "• ", "* ")) for line in lines):
            items = "".join(f"<li>{html.escape(line[2:].strip())}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines:
            blocks.append("<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>")
    return "".join(blocks)


def html_to_plain(value: str) -> str:
    """Stored rich text back to the plain text of the textarea."""
    if not value:
        return ""
    text = _LI.sub("- ", value)
    text = re.sub(r"</li>", "\n", text, flags=re.IGNORECASE)
    text = _BR.sub("\n", text)
    text = _BLOCK_END.sub("\n\n", text)
    text = html.unescape(_TAG.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def local_input(value: Any, zone: str) -> str:
    """An aware datetime as the value of a datetime-local input in `zone`."""
    if value is None:
        return ""
    return str(value.astimezone(zoneinfo.ZoneInfo(zone)).strftime(DATETIME_FORMAT))


class ServiceErrorsMixin:
    """Show a service's field errors next to the matching fields (others at the top)."""

    def add_service_errors(self, error: MedianeError) -> None:
        form: Any = self
        for name, messages in error.field_errors.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
        if not error.field_errors:
            form.add_error(None, error.message)


def _textarea(rows: int = 6) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ChallengeForm(ServiceErrorsMixin, forms.Form):
    """The guided form of a challenge: content, budget, dates, sectors, eligibility."""

    title = forms.CharField(
        label=_("Titre du défi"),
        max_length=200,
        help_text=_(
            "Une question ou un problème, par exemple « Où vont les visiteurs hors saison ? »."
        ),
    )
    summary = forms.CharField(
        label=_("Résumé en une phrase"),
        max_length=300,
        required=False,
        help_text=_("Il apparaît dans les listes et les alertes."),
    )
    problem = forms.CharField(
        label=_("Problème à résoudre"),
        widget=_textarea(8),
        help_text=_(
            "Qui rencontre le problème, quand, avec quelles conséquences ? Décrivez le besoin, "
            "pas l’outil : les entreprises proposeront les solutions."
        ),
    )
    context = forms.CharField(
        label=_("Contexte et chiffres"),
        widget=_textarea(6),
        required=False,
        help_text=_("Données disponibles, volumes, saisonnalité, ce qui a déjà été essayé."),
    )
    expected_outcomes = forms.CharField(
        label=_("Résultats attendus"),
        widget=_textarea(5),
        required=False,
        help_text=_(
            "Comment saurez-vous que le problème est résolu ? Un indicateur et une cible. "
            "Une ligne commençant par « - » devient un élément de liste."
        ),
    )
    constraints = forms.CharField(
        label=_("Contraintes"),
        widget=_textarea(4),
        required=False,
        help_text=_("Réglementation, données personnelles, interopérabilité, accessibilité."),
    )
    budget_min = forms.IntegerField(label=_("Budget minimum"), required=False, min_value=0)
    budget_max = forms.IntegerField(label=_("Budget maximum"), required=False, min_value=0)
    currency = forms.ChoiceField(label=_("Devise"), choices=Currency.choices)
    pilot_duration_months = forms.IntegerField(
        label=_("Durée de l’expérimentation (mois)"), required=False, min_value=1, max_value=120
    )
    opens_at = forms.CharField(
        label=_("Ouverture des réponses"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    closes_at = forms.CharField(
        label=_("Clôture des réponses"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Secteurs"), required=False, widget=forms.CheckboxSelectMultiple
    )
    territories = forms.CharField(
        label=_("Territoires concernés"),
        required=False,
        max_length=500,
        help_text=_(
            "Codes officiels séparés par des virgules (code INSEE en France, code géographique "
            "au Québec), par exemple 65286 pour Lourdes."
        ),
    )
    eligible_countries = forms.MultipleChoiceField(
        label=_("Pays éligibles"),
        required=False,
        choices=Country.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune case cochée : tous les pays."),
    )
    eligible_kinds = forms.MultipleChoiceField(
        label=_("Types d’organisation éligibles"),
        required=False,
        choices=OrganisationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune case cochée : toutes les organisations."),
    )
    contact_name = forms.CharField(label=_("Contact"), required=False, max_length=150)
    contact_email = forms.EmailField(
        label=_("Adresse de contact"),
        required=False,
        max_length=254,
        help_text=_("Une adresse professionnelle du service (innovation@…)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sectors = self.fields["sectors"]
        assert isinstance(sectors, forms.MultipleChoiceField)
        sectors.choices = [(s.slug, s.name) for s in Sector.objects.order_by("name")]

    @classmethod
    def initial_from(cls, challenge: Challenge) -> dict[str, Any]:
        data = ChallengeInput.from_challenge(challenge)
        values = {k: v for k, v in vars(data).items()}
        for name in ("problem", "context", "expected_outcomes", "constraints"):
            values[name] = html_to_plain(values[name])
        values["opens_at"] = local_input(challenge.opens_at, challenge.time_zone)
        values["closes_at"] = local_input(challenge.closes_at, challenge.time_zone)
        values["territories"] = ", ".join(t.code for t in challenge.territories.all())
        return values

    def clean_territories(self) -> list[str]:
        raw = self.cleaned_data.get("territories", "")
        values = [v.strip() for v in re.split(r"[,;\n]", raw) if v.strip()]
        slugs: list[str] = []
        for value in values[:50]:
            slugs.append(find_territory(value).slug)
        return list(dict.fromkeys(slugs))

    def to_input(self) -> ChallengeInput:
        data = self.cleaned_data
        return ChallengeInput(
            title=data["title"],
            summary=data["summary"],
            problem=text_to_html(data["problem"]),
            context=text_to_html(data["context"]),
            expected_outcomes=text_to_html(data["expected_outcomes"]),
            constraints=text_to_html(data["constraints"]),
            budget_min=data["budget_min"],
            budget_max=data["budget_max"],
            currency=data["currency"],
            pilot_duration_months=data["pilot_duration_months"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            sectors=list(data["sectors"]),
            territories=list(data["territories"]),
            eligible_countries=list(data["eligible_countries"]),
            eligible_kinds=list(data["eligible_kinds"]),
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
        )

    def guidance(self) -> Guidance:
        """The checklist of what is typed (bound form) or stored (initial values)."""
        if self.is_bound:
            source: Any = self.data
            sectors = source.getlist("sectors") if hasattr(source, "getlist") else []
        else:
            source = self.initial
            sectors = source.get("sectors") or []

        def plain(name: str) -> str:
            return html_to_text(text_to_html(str(source.get(name) or "")))

        return challenge_guidance(
            title=str(source.get("title") or ""),
            summary=str(source.get("summary") or ""),
            problem=plain("problem"),
            context=plain("context"),
            expected_outcomes=plain("expected_outcomes"),
            budget_min=source.get("budget_min"),
            budget_max=source.get("budget_max"),
            opens_at=source.get("opens_at"),
            closes_at=source.get("closes_at"),
            sectors=list(sectors),
        )


def issuer_choices(user: Any, *, exclude: set[int] | None = None) -> list[tuple[str, str]]:
    """What `user` may name as issuer: collectivités they edit (all for the secretariat)."""
    qs = Organisation.objects.order_by("name")
    if is_secretariat(user):
        qs = qs.filter(kind=OrganisationKind.COLLECTIVITE) | qs.filter(
            pk__in=[pk for pk in user_roles(user) if has_role(user, pk, "editor")]
        )
    else:
        editable = [pk for pk in user_roles(user) if has_role(user, pk, "editor")]
        qs = qs.filter(pk__in=editable, kind=OrganisationKind.COLLECTIVITE)
    exclude = exclude or set()
    return [(str(o.pk), o.name) for o in qs.distinct() if o.pk not in exclude]


class ChallengeCreateForm(ChallengeForm):
    """Creation adds the issuers and a first attachment."""

    field_order = ["lead_issuer", "co_issuers"]
    lead_issuer = forms.ChoiceField(
        label=_("Émetteur principal"),
        help_text=_("Les dates sont saisies dans le fuseau horaire de son territoire."),
    )
    co_issuers = forms.MultipleChoiceField(
        label=_("Co-émetteurs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Un appel commun : les entreprises y répondent une seule fois."),
    )
    attachment = forms.FileField(
        label=_("Pièce jointe (facultative)"),
        required=False,
        help_text=_("PDF, image ou document bureautique, 10 Mo au maximum."),
    )
    attachment_title = forms.CharField(
        label=_("Titre de la pièce jointe"), required=False, max_length=200
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = issuer_choices(user)
        lead = self.fields["lead_issuer"]
        co = self.fields["co_issuers"]
        assert isinstance(lead, forms.ChoiceField) and isinstance(co, forms.MultipleChoiceField)
        lead.choices = choices
        co.choices = choices
        if len(choices) < 2:
            del self.fields["co_issuers"]

    def organisations(self) -> tuple[Organisation, list[Organisation]]:
        lead_pk = int(self.cleaned_data["lead_issuer"])
        co_pks = [int(pk) for pk in self.cleaned_data.get("co_issuers") or [] if int(pk) != lead_pk]
        found = Organisation.objects.in_bulk([lead_pk, *co_pks])
        return found[lead_pk], [found[pk] for pk in co_pks if pk in found]


class CoIssuerForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Ajouter un co-émetteur"))

    def __init__(self, *args: Any, user: Any, challenge: Challenge, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        current = {link.organisation_id for link in challenge.issuer_links.all()}  # type: ignore[attr-defined]
        field.choices = issuer_choices(user, exclude=current)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"), help_text=_("PDF, image ou document bureautique, 10 Mo au maximum.")
    )
    title = forms.CharField(label=_("Titre"), required=False, max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (lu par les émetteurs)"), widget=_textarea(4), max_length=5000
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (facultative, visible dans l’historique)"),
        widget=_textarea(3),
        required=False,
        max_length=5000,
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Votre question"),
        widget=_textarea(3),
        max_length=2000,
        help_text=_("Elle sera publiée avec la réponse, sans votre nom."),
    )


class QuestionAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Réponse publique"), widget=_textarea(3), max_length=4000)


class AnswerForm(ServiceErrorsMixin, forms.Form):
    """An organisation's proposal: approach, references, price range, team, a file."""

    approach = forms.CharField(
        label=_("Démarche proposée"),
        widget=_textarea(8),
        help_text=_("Comment vous répondez au problème posé, étape par étape."),
    )
    references = forms.CharField(
        label=_("Références"),
        widget=_textarea(4),
        required=False,
        help_text=_("Où votre solution est-elle déjà déployée ? Avec quels résultats ?"),
    )
    price_min = forms.IntegerField(label=_("Prix minimum"), required=False, min_value=0)
    price_max = forms.IntegerField(label=_("Prix maximum"), required=False, min_value=0)
    currency = forms.ChoiceField(label=_("Devise"), choices=Currency.choices)
    team = forms.CharField(
        label=_("Équipe"),
        widget=_textarea(4),
        required=False,
        help_text=_("Qui mènera l’expérimentation, avec quelles compétences."),
    )
    attachment = forms.FileField(
        label=_("Pièce jointe (facultative)"),
        required=False,
        help_text=_("PDF, image ou document bureautique, 10 Mo au maximum."),
    )
    attachment_title = forms.CharField(
        label=_("Titre de la pièce jointe"), required=False, max_length=200
    )

    @classmethod
    def initial_from(cls, answer: Answer) -> dict[str, Any]:
        return {
            "approach": html_to_plain(answer.approach),
            "references": html_to_plain(answer.references),
            "team": html_to_plain(answer.team),
            "price_min": answer.price_min,
            "price_max": answer.price_max,
            "currency": answer.currency,
        }

    def to_input(self) -> AnswerInput:
        data = self.cleaned_data
        return AnswerInput(
            approach=text_to_html(data["approach"]),
            references=text_to_html(data["references"]),
            team=text_to_html(data["team"]),
            price_min=data["price_min"],
            price_max=data["price_max"],
            currency=data["currency"],
        )


class AnswerCreateForm(AnswerForm):
    field_order = ["organisation"]
    organisation = forms.ChoiceField(label=_("Organisation qui répond"))

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(o.pk), o.name) for o in organisations]
        self.organisations = {str(o.pk): o for o in organisations}

    def chosen_organisation(self) -> Organisation:
        return self.organisations[self.cleaned_data["organisation"]]
