"""Every write on notifications, follows and e-mail preferences, and the e-mails themselves.

Other apps call `notify(...)` inside their own transaction (a rolled-back write notifies nobody)
and `followers_for(...)` to find who follows what a new challenge is about. E-mails: people who
chose `immediate` get one per notification from a task enqueued once the transaction commits;
the others get a digest from `mediane send-digests`. Each e-mail is recorded in `EmailDelivery`
and the notifications it carries point to it, so nothing is ever e-mailed twice.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import LazyObject
from django.utils.translation import gettext as _

from mediane.accounts.models import User
from mediane.core.errors import ValidationFailed
from mediane.core.permissions import is_authenticated, require
from mediane.core.services import audit_record
from mediane.directory.models import Organisation, Sector
from mediane.notifications import digest
from mediane.notifications.models import (
    EmailDelivery,
    Follow,
    Frequency,
    Notification,
    NotificationPreference,
    Topic,
    topic_label,
)
from mediane.notifications.selectors import (
    FollowNotFound,
    NotificationNotFound,
    unread_cache_key,
)
from mediane.search.query import stems
from mediane.territories.models import Territory

logger = logging.getLogger(__name__)

TOPIC_MAX_LENGTH = 32
QUERY_MAX_LENGTH = 200
DIGEST_MAX_ITEMS_PER_TOPIC = 10


def _unwrap(obj: Any) -> Any:
    """The real object behind `request.user` (a lazy proxy), so rules are found by its type."""
    if isinstance(obj, LazyObject):
        obj.pk  # noqa: B018  (forces the proxy to load its object)
        return obj._wrapped
    return obj


# --- notify --------------------------------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[User],
    topic: str,
    verb: str,
    title: str,
    url: str = "",
    actor: User | None = None,
    target: Model | None = None,
) -> int:
    """Create one notification per distinct active recipient other than `actor`; return the count.

    Runs inside the caller's transaction. The caller decides who may know about `target`
    (only pass recipients allowed to see it). Recipients who chose immediate e-mails get theirs
    from a task enqueued when the transaction commits.
    """
    topic = (topic or "").strip()
    if not topic or len(topic) > TOPIC_MAX_LENGTH:
        raise ValueError(f"notify(): topic must be 1 to {TOPIC_MAX_LENGTH} characters")
    actor_id = getattr(actor, "pk", None)
    people: dict[int, User] = {}
    for person in recipients:
        person = _unwrap(person)
        if person is None or person.pk is None or not person.is_active or person.pk == actor_id:
            continue
        people.setdefault(person.pk, person)
    if not people:
        return 0
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    target_id = str(target.pk) if target is not None and target.pk is not None else ""
    with transaction.atomic():
        created = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=pk,
                    topic=topic,
                    verb=verb[:64],
                    title=title[:255],
                    url=url[:500],
                    actor_id=actor_id,
                    target_type=target_type,
                    target_id=target_id,
                )
                for pk in people
            ]
        )
        immediate = set(
            NotificationPreference.objects.filter(
                user_id__in=list(people), frequency=Frequency.IMMEDIATE
            ).values_list("user_id", flat=True)
        )
        ids = [n.pk for n in created if n.recipient_id in immediate and n.pk is not None]
        if not ids and immediate:
            # Backends that do not return primary keys from bulk_create (none we support).
            ids = list(
                Notification.objects.filter(
                    recipient_id__in=immediate, topic=topic, email__isnull=True
                ).values_list("pk", flat=True)
            )
        if ids:
            transaction.on_commit(lambda: _enqueue_immediate(ids))
        _forget_unread(list(people))
    return len(created)


def _forget_unread(user_ids: list[int]) -> None:
    """Drop the cached unread counts now and again once the transaction commits."""
    keys = [unread_cache_key(pk) for pk in user_ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _enqueue_immediate(ids: list[int]) -> None:
    from mediane.notifications.tasks import send_immediate_emails

    try:
        send_immediate_emails.enqueue(ids)
    except Exception:  # the notifications exist; a queue failure must not break the request
        logger.exception("could not enqueue %d immediate notification e-mails", len(ids))


# --- e-mails --------------------------------------------------------------------------------------


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def _send(*, user: User, template: str, context: dict[str, Any]) -> None:
    """Render `notifications/email/<template>_{subject,body}.txt` and `_body.html`; send them."""
    language = user.preferred_language or settings.LANGUAGE_CODE
    context = {
        **context,
        "user": user,
        "site_url": settings.SITE_URL,
        "settings_url": _absolute(reverse("notifications:preferences")),
        "centre_url": _absolute(reverse("notifications:centre")),
    }
    with translation.override(language):
        subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
        text = render_to_string(f"notifications/email/{template}_body.txt", context)
        html = render_to_string(f"notifications/email/{template}_body.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, None, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def _muted(user: User) -> set[str]:
    try:
        preference = user.notification_preference  # type: ignore[attr-defined]
    except NotificationPreference.DoesNotExist:
        return set()
    return set(preference.muted_topics or [])


def _claim(*, user: User, frequency: str, period: str, ids: list[int]) -> EmailDelivery | None:
    """Record the e-mail for (user, frequency, period) and attach the still-unsent notifications.

    Returns None when that e-mail already exists (sent or being sent) or nothing is left to send.
    """
    try:
        with transaction.atomic():
            delivery, created = EmailDelivery.objects.get_or_create(
                user=user, frequency=frequency, period=period
            )
            if not created:
                return None
            count = Notification.objects.filter(pk__in=ids, email__isnull=True).update(
                email=delivery
            )
            if not count:
                delivery.delete()
                return None
            delivery.count = count
            delivery.save(update_fields=["count"])
    except IntegrityError:  # another worker recorded the same e-mail at the same moment
        return None
    return delivery


def _deliver(*, delivery: EmailDelivery, template: str, context: dict[str, Any]) -> bool:
    """Send a claimed e-mail; on failure release its notifications for a later attempt."""
    try:
        _send(user=delivery.user, template=template, context=context)
    except Exception:
        logger.exception("could not send notification e-mail %s", delivery.pk)
        delivery.delete()  # notifications fall back to "not e-mailed" (SET_NULL)
        return False
    delivery.sent_at = timezone.now()
    delivery.save(update_fields=["sent_at"])
    return True


def emails_send_immediate(*, notification_ids: Iterable[int]) -> int:
    """E-mail these notifications to recipients who chose immediate e-mails; return the count."""
    pending = (
        Notification.objects.filter(
            pk__in=list(notification_ids),
            email__isnull=True,
            recipient__is_active=True,
            recipient__notification_preference__frequency=Frequency.IMMEDIATE,
        )
        .select_related("recipient", "recipient__notification_preference")
        .order_by("pk")
    )
    sent = 0
    for notification in pending:
        user = notification.recipient
        if notification.topic in _muted(user):
            continue
        delivery = _claim(
            user=user,
            frequency=Frequency.IMMEDIATE,
            period=f"n{notification.pk}",
            ids=[notification.pk],
        )
        if delivery is None:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "notification": notification,
                "topic": topic_label(notification.topic),
                "url": _absolute(notification.url),
            }
        if _deliver(delivery=delivery, template="immediate", context=context):
            sent += 1
    return sent


def digest_period(frequency: str, when: datetime, time_zone: str) -> str:
    """The day (`2025-06-03`) or ISO week (`2025-W23`) of `when` in the person's time zone."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = when.astimezone(zone)
    if frequency == Frequency.WEEKLY:
        year, week, _day = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def _digest_users(frequency: str) -> Any:
    if frequency == Frequency.DAILY:
        chosen = Q(notification_preference__isnull=True) | Q(
            notification_preference__frequency=Frequency.DAILY
        )
    else:
        chosen = Q(notification_preference__frequency=frequency)
    waiting = Notification.objects.filter(email__isnull=True, read_at__isnull=True)
    return (
        User.objects.filter(chosen, is_active=True, pk__in=waiting.values("recipient_id"))
        .select_related("notification_preference")
        .order_by("pk")
    )


def digest_send_for(*, user: User, frequency: str, now: datetime | None = None) -> bool:
    """Send `user` their digest for the current period if it was not sent yet; True if sent.

    The digest holds the unread notifications not e-mailed yet, minus the muted topics,
    grouped by topic. Read notifications are skipped: the person has already seen them.
    """
    now = now or timezone.now()
    muted = _muted(user)
    pending = list(
        Notification.objects.filter(recipient=user, email__isnull=True, read_at__isnull=True)
        .exclude(topic__in=muted)
        .order_by("-created_at", "-id")
    )
    if not pending:
        return False
    period = digest_period(frequency, now, user.time_zone)
    delivery = _claim(user=user, frequency=frequency, period=period, ids=[n.pk for n in pending])
    if delivery is None:
        return False
    claimed_ids = set(delivery.notifications.values_list("pk", flat=True))
    claimed = [n for n in pending if n.pk in claimed_ids]
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        groups = digest.build_digest(
            [
                digest.DigestItem(
                    topic=n.topic, title=n.title, url=_absolute(n.url), created_at=n.created_at
                )
                for n in claimed
            ],
            topic_order=list(Topic.values),
            max_per_topic=DIGEST_MAX_ITEMS_PER_TOPIC,
        )
        context = {
            "frequency": frequency,
            "count": len(claimed),
            "groups": [
                {"label": topic_label(g.topic), "items": g.items, "more": g.more} for g in groups
            ],
        }
    return _deliver(delivery=delivery, template="digest", context=context)


def digests_send(*, frequency: str, now: datetime | None = None) -> int:
    """Send every due digest of this frequency (`daily` or `weekly`); return how many were sent.

    Safe to rerun: a person gets at most one digest per day (daily) or ISO week (weekly).
    """
    if frequency not in (Frequency.DAILY, Frequency.WEEKLY):
        raise ValidationFailed(_("Fréquence inconnue : %(value)s.") % {"value": frequency})
    now = now or timezone.now()
    return sum(
        1
        for user in _digest_users(frequency).iterator(chunk_size=500)
        if digest_send_for(user=user, frequency=frequency, now=now)
    )


# --- reading -------------------------------------------------------------------------------------
# Marking as read is a personal, frequent action on one's own data: no audit entry.


def notification_mark_read(*, actor: Any, notification_id: int) -> Notification:
    """Mark one of the actor's notifications as read (no-op when already read)."""
    actor = _unwrap(actor)
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or not is_authenticated(actor):
        raise NotificationNotFound(_("Notification introuvable."))
    require(actor, "mark_read", notification)
    with transaction.atomic():
        if notification.read_at is None:
            notification.read_at = timezone.now()
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
                read_at=notification.read_at
            )
            _forget_unread([notification.recipient_id])
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of the actor as read; return how many changed."""
    actor = _unwrap(actor)
    if not is_authenticated(actor):
        raise PermissionDenied("mark_read")
    with transaction.atomic():
        count = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        _forget_unread([actor.pk])
    return count


# --- preferences ---------------------------------------------------------------------------------


def preference_update(
    *, actor: Any, user: User, frequency: str, muted_topics: Iterable[str] = ()
) -> NotificationPreference:
    """Set how `user` receives e-mails: immediate, daily or weekly, and which topics are muted."""
    actor = _unwrap(actor)
    preference = NotificationPreference.objects.filter(user=user).first() or (
        NotificationPreference(user=user)
    )
    require(actor, "change", preference)
    if frequency not in Frequency.values:
        raise ValidationFailed(
            _("Fréquence inconnue : %(value)s.") % {"value": frequency},
            field_errors={"frequency": [_("Choisissez une fréquence dans la liste.")]},
        )
    muted = sorted(set(muted_topics))
    unknown = [topic for topic in muted if topic not in Topic.values]
    if unknown:
        raise ValidationFailed(
            _("Sujet inconnu : %(value)s.") % {"value": ", ".join(unknown)},
            field_errors={"muted_topics": [_("Choisissez des sujets dans la liste.")]},
        )
    with transaction.atomic():
        before = {"frequency": preference.frequency, "muted_topics": preference.muted_topics}
        preference.frequency = frequency
        preference.muted_topics = muted
        preference.save()
        audit_record(
            actor=actor,
            action="notification_preference_update",
            obj=preference,
            changes={"before": before, "after": {"frequency": frequency, "muted_topics": muted}},
        )
    return preference


# --- follows -------------------------------------------------------------------------------------


def query_key(text: str) -> str:
    """The saved-search key: distinct stems, sorted (the search analyzer's normalisation)."""
    return " ".join(sorted(set(stems(text or ""))))[:400]


def follow_create(
    *,
    actor: Any,
    sector: Sector | None = None,
    territory: Territory | None = None,
    organisation: Organisation | None = None,
    query: str = "",
) -> Follow:
    """Follow exactly one sector, territory, organisation or saved search; idempotent."""
    actor = _unwrap(actor)
    require(actor, "create", Follow)
    query = " ".join((query or "").split())
    given = [x for x in (sector, territory, organisation) if x is not None] + (
        [query] if query else []
    )
    if len(given) != 1:
        raise ValidationFailed(_("Choisissez une seule chose à suivre."))
    if organisation is not None:
        require(actor, "view", organisation)
    key = ""
    if query:
        if len(query) > QUERY_MAX_LENGTH:
            raise ValidationFailed(
                _("La recherche enregistrée est trop longue (%(max)s caractères au plus).")
                % {"max": QUERY_MAX_LENGTH},
                field_errors={"query": [_("Raccourcissez la recherche.")]},
            )
        key = query_key(query)
        if not key:
            raise ValidationFailed(
                _("La recherche ne contient aucun mot significatif."),
                field_errors={"query": [_("Saisissez au moins un mot significatif.")]},
            )
    lookup: dict[str, Any] = {"user": actor}
    if sector is not None:
        lookup["sector"] = sector
    elif territory is not None:
        lookup["territory"] = territory
    elif organisation is not None:
        lookup["organisation"] = organisation
    else:
        lookup["query_key"] = key
    try:
        with transaction.atomic():
            found, created = Follow.objects.get_or_create(**lookup, defaults={"query": query})
            if created:
                audit_record(actor=actor, action="follow_create", obj=found)
    except IntegrityError:  # the same follow created at the same moment (double click)
        found = Follow.objects.get(**lookup)
    return found


def follow_delete(*, actor: Any, follow_id: int) -> None:
    """Stop following; only the follower can."""
    actor = _unwrap(actor)
    found = Follow.objects.filter(pk=follow_id).first()
    if found is None:
        raise FollowNotFound(_("Abonnement introuvable."))
    require(actor, "delete", found)
    with transaction.atomic():
        audit_record(actor=actor, action="follow_delete", obj=found)
        found.delete()


def followers_for(
    *,
    sectors: Iterable[Sector | int] = (),
    territories: Iterable[Territory | int] = (),
    organisations: Iterable[Organisation | int] = (),
    text: str = "",
) -> set[User]:
    """Active people following any of these sectors, territories or organisations, or whose
    saved search matches `text` (every stem of the search is among the stems of `text`).

    Used when something public appears (a challenge opens); the caller still filters by
    visibility when what it notifies about is not public.
    """

    def ids(values: Iterable[Any]) -> list[int]:
        return [v if isinstance(v, int) else v.pk for v in values]

    match = Q(pk__in=[])
    sector_ids, territory_ids, organisation_ids = ids(sectors), ids(territories), ids(organisations)
    if sector_ids:
        match |= Q(sector_id__in=sector_ids)
    if territory_ids:
        match |= Q(territory_id__in=territory_ids)
    if organisation_ids:
        match |= Q(organisation_id__in=organisation_ids)
    user_ids = set(Follow.objects.filter(match).values_list("user_id", flat=True))
    text_stems = set(stems(text or ""))
    if text_stems:
        saved = Follow.objects.exclude(query_key="").exclude(user_id__in=user_ids)
        for user_id, key in saved.values_list("user_id", "query_key").iterator(chunk_size=2000):
            if set(key.split()) <= text_stems:
                user_ids.add(user_id)
    if not user_ids:
        return set()
    return set(User.objects.filter(pk__in=user_ids, is_active=True))
