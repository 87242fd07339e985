"""Innovation market: challenges (calls for solutions), answers, jury evaluation and offers.

Tables and invariants only. Every write goes through `mediane.market.services`, every read of
non-public rows through `mediane.market.selectors`; see docs/market.md.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from mediane.core.models import Currency, TimeStampedModel, url_or_empty


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumis au secrétariat")
    OPEN = "open", _("Publié")
    CLOSED = "closed", _("Clos")
    EVALUATION = "evaluation", _("En évaluation")
    AWARDED = "awarded", _("Attribué")
    NOT_AWARDED = "not_awarded", _("Sans suite")
    PILOT = "pilot", _("Expérimentation en cours")
    PILOT_REPORT = "pilot_report", _("Bilan d'expérimentation publié")
    ARCHIVED = "archived", _("Archivé")


#: Statuses in which a challenge is readable by everyone (never drafts nor those under review).
PUBLIC_STATUSES = frozenset(
    {
        ChallengeStatus.OPEN,
        ChallengeStatus.CLOSED,
        ChallengeStatus.EVALUATION,
        ChallengeStatus.AWARDED,
        ChallengeStatus.NOT_AWARDED,
        ChallengeStatus.PILOT,
        ChallengeStatus.PILOT_REPORT,
        ChallengeStatus.ARCHIVED,
    }
)


class Challenge(TimeStampedModel):
    """A call for solutions issued by one or several organisations (a lead and co-issuers)."""

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant d'URL"), max_length=220, unique=True)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    problem = models.TextField(
        _("problème à résoudre"), help_text=_("Décrivez le problème, pas la solution.")
    )
    context = models.TextField(_("contexte et chiffres"), blank=True)
    expected_outcomes = models.TextField(_("résultats attendus"), blank=True)
    constraints = models.TextField(_("contraintes"), blank=True)
    budget_min = models.PositiveIntegerField(_("budget minimum"), null=True, blank=True)
    budget_max = models.PositiveIntegerField(_("budget maximum"), null=True, blank=True)
    currency = models.CharField(
        _("devise"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    pilot_duration_months = models.PositiveSmallIntegerField(
        _("durée de l'expérimentation (mois)"), null=True, blank=True
    )
    opens_at = models.DateTimeField(_("ouverture"), null=True, blank=True)
    closes_at = models.DateTimeField(_("clôture"), null=True, blank=True)
    time_zone = models.CharField(
        _("fuseau horaire"),
        max_length=64,
        default="Europe/Paris",
        help_text=_("Celui du territoire de l'émetteur principal ; les dates y sont saisies."),
    )
    status = models.CharField(
        _("état"),
        max_length=16,
        choices=ChallengeStatus.choices,
        default=ChallengeStatus.DRAFT,
        db_index=True,
    )
    sectors = models.ManyToManyField(
        "directory.Sector", verbose_name=_("secteurs"), blank=True, related_name="challenges"
    )
    territories = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territoires concernés"),
        blank=True,
        related_name="challenges",
    )
    issuers = models.ManyToManyField(
        "directory.Organisation",
        through="ChallengeIssuer",
        verbose_name=_("émetteurs"),
        related_name="issued_challenges",
    )
    eligible_countries = models.JSONField(
        _("pays éligibles"), default=list, blank=True, help_text=_("Vide : tous.")
    )
    eligible_kinds = models.JSONField(
        _("types d'organisation éligibles"), default=list, blank=True, help_text=_("Vide : tous.")
    )
    contact_name = models.CharField(_("contact"), max_length=150, blank=True)
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    review_note = models.TextField(_("motif du renvoi en brouillon"), blank=True)
    submitted_at = models.DateTimeField(_("soumis le"), null=True, blank=True)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    jury_closed_at = models.DateTimeField(_("jury clos le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décision le"), null=True, blank=True)
    decision_note = models.TextField(_("motifs de la décision"), blank=True)
    is_demo = models.BooleanField(_("fictif (démonstration)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("défi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChallengeStatus.values), name="challenge_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="challenge_currency_valid"
            ),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=models.F("budget_max")),
                name="challenge_budget_range",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(opens_at__lt=models.F("closes_at")),
                name="challenge_opens_before_closing",
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"], name="challenge_status_closes")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_or_empty("market:challenge", slug=self.slug)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def lead_issuer(self):  # type: ignore[no-untyped-def]
        link = next(
            (i for i in self.issuer_links.all() if i.role == IssuerRole.LEAD),  # type: ignore[attr-defined]
            None,
        )
        return link.organisation if link is not None else None

    def is_accepting_answers(self, now) -> bool:  # type: ignore[no-untyped-def]
        """Open and `now` within [opening, closing): the server-side deadline."""
        return (
            self.status == ChallengeStatus.OPEN
            and self.opens_at is not None
            and self.closes_at is not None
            and self.opens_at <= now < self.closes_at
        )


class IssuerRole(models.TextChoices):
    LEAD = "lead", _("Émetteur principal")
    CO = "co", _("Co-émetteur")


class ChallengeIssuer(models.Model):
    """An issuing organisation of a challenge: exactly one lead, any number of co-issuers."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="issuer_links")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="challenge_links"
    )
    role = models.CharField(_("rôle"), max_length=4, choices=IssuerRole.choices)

    class Meta:
        verbose_name = _("émetteur d'un défi")
        verbose_name_plural = _("émetteurs d'un défi")
        ordering = ["role", "id"]  # "co" < "lead": read `lead_issuer`, not the first row
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "organisation"], name="challenge_issuer_unique"
            ),
            models.UniqueConstraint(
                fields=["challenge"], condition=Q(role="lead"), name="challenge_one_lead"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["lead", "co"]), name="challenge_issuer_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.challenge_id} ({self.role})"  # type: ignore[attr-defined]


class ChallengeEvent(models.Model):
    """One step of the visible timeline: who moved the challenge from which state to which."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("date"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(
        _("état précédent"), max_length=16, choices=ChallengeStatus.choices, blank=True
    )
    to_status = models.CharField(_("nouvel état"), max_length=16, choices=ChallengeStatus.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("étape d'un défi")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.challenge_id}: {self.from_status or '∅'} → {self.to_status}"  # type: ignore[attr-defined]


def attachment_path(instance: models.Model, filename: str) -> str:
    """A path nobody can guess (a random folder per file), in the private storage."""
    return f"market/{instance._meta.model_name}/{uuid.uuid4().hex}/{filename}"


class _PrivateStorage(LazyObject):
    """settings.STORAGES["private"], looked up on first use and again after a settings change
    (a FileField evaluates its storage callable once, when models load)."""

    def _setup(self) -> None:
        self._wrapped = storages["private"]


_private_storage = _PrivateStorage()


@receiver(setting_changed)
def _private_storage_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting in ("STORAGES", "PRIVATE_MEDIA_ROOT"):
        _private_storage._wrapped = empty  # type: ignore[assignment]


def private_storage() -> Storage:
    """Attachments are confidential (answers) or follow their challenge's visibility: they live
    in the private storage (settings.STORAGES["private"]), which has no public URL."""
    return _private_storage  # type: ignore[return-value]


class Attachment(models.Model):
    """A file checked by content (see `mediane.market.attachments`)."""

    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(
        _("fichier"), upload_to=attachment_path, storage=private_storage, max_length=300
    )
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class ChallengeAttachment(Attachment):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="attachments")

    class Meta(Attachment.Meta):
        verbose_name = _("pièce jointe d'un défi")


class ChallengeQuestion(TimeStampedModel):
    """A public question of a network member, published with the issuers' answer."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("réponse"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    is_published = models.BooleanField(_("publiée"), default=False)

    class Meta:
        verbose_name = _("question sur un défi")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.question[:80]


class PilotReport(TimeStampedModel):
    """What the pilot gave: outcome, contract signed or not, amount, lessons."""

    challenge = models.OneToOneField(
        Challenge, on_delete=models.CASCADE, related_name="pilot_report"
    )
    outcome = models.TextField(_("résultats de l'expérimentation"))
    contract_signed = models.BooleanField(_("contrat signé"), default=False)
    amount = models.PositiveIntegerField(_("montant"), null=True, blank=True)
    currency = models.CharField(
        _("devise"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    lessons = models.TextField(_("enseignements"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("bilan d'expérimentation")
        constraints = [
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="pilot_report_currency_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id}"  # type: ignore[attr-defined]


# --- Answers ----------------------------------------------------------------------------------


class AnswerStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Déposée")
    WITHDRAWN = "withdrawn", _("Retirée")


class Answer(TimeStampedModel):
    """An organisation's proposal; readable by its members, the cleared jury, the secretariat."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="answers")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="challenge_answers"
    )
    status = models.CharField(
        _("état"), max_length=16, choices=AnswerStatus.choices, default=AnswerStatus.SUBMITTED
    )
    approach = models.TextField(_("démarche proposée"))
    references = models.TextField(
        _("références"), blank=True, help_text=_("Où la solution est-elle déjà déployée ?")
    )
    price_min = models.PositiveIntegerField(_("prix minimum"), null=True, blank=True)
    price_max = models.PositiveIntegerField(_("prix maximum"), null=True, blank=True)
    currency = models.CharField(
        _("devise"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    team = models.TextField(_("équipe"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("retirée le"), null=True, blank=True)
    shortlisted = models.BooleanField(_("présélectionnée"), default=False)
    awarded = models.BooleanField(_("retenue"), default=False)
    decision_reason = models.TextField(_("motif de la décision"), blank=True)

    class Meta:
        verbose_name = _("réponse à un défi")
        verbose_name_plural = _("réponses à un défi")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "organisation"],
                condition=~Q(status="withdrawn"),
                name="answer_one_active_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AnswerStatus.values), name="answer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(price_min__isnull=True)
                | Q(price_max__isnull=True)
                | Q(price_min__lte=models.F("price_max")),
                name="answer_price_range",
            ),
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="answer_currency_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.challenge}"


class AnswerAttachment(Attachment):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="attachments")

    class Meta(Attachment.Meta):
        verbose_name = _("pièce jointe d'une réponse")


# --- Evaluation -------------------------------------------------------------------------------


class Criterion(models.Model):
    """One weighted criterion of a challenge's evaluation grid."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField(_("critère"), max_length=150)
    description = models.CharField(_("précisions"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("poids"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("critère d'évaluation")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "label"], name="criterion_label_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100), name="criterion_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class JurorKind(models.TextChoices):
    ISSUER = "issuer", _("Membre d'un émetteur")
    EXPERT = "expert", _("Expert invité")


class JuryMember(models.Model):
    """A juror of a challenge: a person of an issuing organisation or an invited expert."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="jury")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jury_seats"
    )
    kind = models.CharField(_("qualité"), max_length=8, choices=JurorKind.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("membre du jury")
        verbose_name_plural = _("membres du jury")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="jury_member_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=JurorKind.values), name="jury_member_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.challenge_id})"  # type: ignore[attr-defined]


class ConflictDeclaration(models.Model):
    """A juror's declaration about one candidate, required before reading its answer."""

    juror = models.ForeignKey(JuryMember, on_delete=models.CASCADE, related_name="declarations")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    has_conflict = models.BooleanField(_("conflit d'intérêts"))
    note = models.CharField(_("précisions"), max_length=500, blank=True)
    declared_at = models.DateTimeField(_("déclaré le"), auto_now=True)

    class Meta:
        verbose_name = _("déclaration d'intérêts")
        constraints = [
            models.UniqueConstraint(
                fields=["juror", "organisation"], name="conflict_declaration_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.juror_id}/{self.organisation_id}: {self.has_conflict}"  # type: ignore[attr-defined]


SCORE_MAX = 5


class Score(models.Model):
    """A juror's mark (0–5) of one answer on one criterion."""

    juror = models.ForeignKey(JuryMember, on_delete=models.CASCADE, related_name="scores")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(
        _("note"), validators=[MinValueValidator(0), MaxValueValidator(SCORE_MAX)]
    )
    comment = models.TextField(_("commentaire"), blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("note")
        constraints = [
            models.UniqueConstraint(
                fields=["juror", "answer", "criterion"], name="score_unique_per_juror"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0, value__lte=SCORE_MAX), name="score_value_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value}/{SCORE_MAX}"


# --- Offers -----------------------------------------------------------------------------------


class PriceModel(models.TextChoices):
    FREE = "free", _("Gratuit")
    SUBSCRIPTION = "subscription", _("Abonnement")
    LICENCE = "licence", _("Licence")
    PER_USE = "per_use", _("À l'usage")
    QUOTE = "quote", _("Sur devis")
    OTHER = "other", _("Autre")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publiée")


class Offer(TimeStampedModel):
    """A solution published by a company, for kinds of buyers."""

    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="offers"
    )
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant d'URL"), max_length=220, unique=True)
    summary = models.CharField(_("accroche"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    sectors = models.ManyToManyField(
        "directory.Sector", verbose_name=_("secteurs"), blank=True, related_name="offers"
    )
    target_kinds = models.JSONField(
        _("acheteurs visés"), default=list, blank=True, help_text=_("Types d'organisation.")
    )
    price_model = models.CharField(
        _("modèle de prix"), max_length=16, choices=PriceModel.choices, default=PriceModel.QUOTE
    )
    status = models.CharField(
        _("état"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.DRAFT
    )
    is_demo = models.BooleanField(_("fictive (démonstration)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("offre")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OfferStatus.values), name="offer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(price_model__in=PriceModel.values), name="offer_price_model_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_or_empty("market:offer", slug=self.slug)


class OfferReference(models.Model):
    """A place where the offer is deployed: a territory or an organisation (usually a city).

    Shown as confirmed only once someone of that city confirms it (`confirmed_at`).
    """

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="references")
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="offer_references",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="offer_references",
    )
    description = models.CharField(_("ce qui a été déployé"), max_length=300, blank=True)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("référence d'une offre")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(territory__isnull=False) & Q(organisation__isnull=True))
                | (Q(territory__isnull=True) & Q(organisation__isnull=False)),
                name="offer_reference_one_target",
            ),
            models.UniqueConstraint(
                fields=["offer", "territory"],
                condition=Q(territory__isnull=False),
                name="offer_reference_territory_unique",
            ),
            models.UniqueConstraint(
                fields=["offer", "organisation"],
                condition=Q(organisation__isnull=False),
                name="offer_reference_organisation_unique",
            ),
        ]

    def __str__(self) -> str:
        return str(self.territory or self.organisation)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


# --- Invitations to answer (recommendation pages) ------------------------------------------------


class ChallengeInvitation(models.Model):
    """An issuer (or the secretariat) invites an organisation to answer a challenge.

    One per challenge and organisation (inviting again changes nothing). The organisation's
    editors are notified when the challenge is public: at once for an open challenge, at its
    publication for a submitted one (`notified_at` stays empty until then).
    """

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="challenge_invitations"
    )
    message = models.CharField(_("message"), max_length=1000, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(_("invitée le"))
    notified_at = models.DateTimeField(_("prévenue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation à répondre")
        verbose_name_plural = _("invitations à répondre")
        ordering = ["-invited_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "organisation"], name="challenge_invitation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id} → {self.organisation_id}"  # type: ignore[attr-defined]


class MatchProfile(models.Model):
    """What the recommendations need of one organisation, analysed once and stored: its name,
    kind, country, sectors, published offers' titles, confirmed references, place, text, the
    text's analysis and its vectors of meaning (see `matching_adapter`). A cache of the
    database: `version` says which state of the organisation, its offers, the analyser and the
    encoder it was built from; a stale profile is built again when read, and `mediane
    matching-profiles` builds them all."""

    organisation = models.OneToOneField(
        "directory.Organisation",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    version = models.CharField(_("version"), max_length=300)
    data = models.JSONField(_("profil"))
    # Meaning (`mediane.matching.semantic`): the vector of the organisation's text, then one
    # per published offer title, float16, one after the other.
    vectors = models.BinaryField(_("vecteurs"), null=True, blank=True)
    built_at = models.DateTimeField(_("construit le"), auto_now=True)

    class Meta:
        verbose_name = _("profil de recommandation")
        verbose_name_plural = _("profils de recommandation")

    def __str__(self) -> str:
        return str(self.organisation_id)  # type: ignore[attr-defined]


class ChallengeMatchVector(models.Model):
    """The meaning of one challenge as the recommendations read it (`ranker.challenge_vector`:
    its whole text moved away from its scene), stored so that the list of challenges for an
    organisation encodes nothing. A cache of the database: `version` says which state of the
    challenge and which encoder it was built from; `mediane matching-profiles` and the
    worker's periodic job build the missing or stale ones of the open challenges."""

    challenge = models.OneToOneField(
        Challenge, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.CharField(_("version"), max_length=300)
    vector = models.BinaryField(_("vecteur"))  # float16 (`semantic.pack`)
    built_at = models.DateTimeField(_("construit le"), auto_now=True)

    class Meta:
        verbose_name = _("vecteur de recommandation d'un défi")
        verbose_name_plural = _("vecteurs de recommandation des défis")

    def __str__(self) -> str:
        return str(self.challenge_id)  # type: ignore[attr-defined]
