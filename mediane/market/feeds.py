"""Atom feed of the open challenges: public, read as an anonymous visitor whoever asks.

The feed takes the list's filters (`sector`, `territory`, `country`, `issuer`, `q`) but always
reads as an anonymous visitor and only the `open` state: a feed is cached and shared by readers,
so it never carries a draft, a challenge under review, nor anything user-specific.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from mediane.market.models import Challenge, ChallengeStatus, IssuerRole
from mediane.market.selectors import ChallengeFilters, challenges_list_for
from mediane.market.services import local_time

FEED_ITEMS = 50


class OpenChallengesFeed(Feed):
    """`/defis/flux.atom`: the latest published challenges still open."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> ChallengeFilters:
        params = request.GET.copy()
        params.setlist("status", [ChallengeStatus.OPEN])
        return ChallengeFilters.from_params(params)

    def title(self) -> str:
        return _("Médiane — défis ouverts")

    def subtitle(self) -> str:
        return _(
            "Les défis publiés par les villes du réseau des villes médianes, ouverts aux réponses."
        )

    def link(self) -> str:
        return reverse("market:feed")

    def items(self, obj: ChallengeFilters) -> list[Challenge]:
        qs = challenges_list_for(AnonymousUser(), obj).prefetch_related("territories")
        return list(qs[:FEED_ITEMS])

    def item_title(self, item: Challenge) -> str:
        return item.title

    def item_link(self, item: Challenge) -> str:
        return item.get_absolute_url() or reverse(
            "api-v1:challenge_get", kwargs={"slug": item.slug}
        )

    def item_guid(self, item: Challenge) -> str:
        return f"mediane:challenge:{item.slug}"

    item_guid_is_permalink = False

    def item_description(self, item: Challenge) -> str:
        """Escaped text (Atom `type="html"`): summary, issuers and the closing time."""
        issuers = ", ".join(link.organisation.name for link in self._links(item))
        parts = [escape(item.summary)] if item.summary else []
        parts.append(escape(_("Émis par : %(issuers)s") % {"issuers": issuers}))
        closes = local_time(item.closes_at, item.time_zone)
        if closes is not None:
            parts.append(
                escape(
                    _("Clôture des réponses : %(when)s (%(zone)s)")
                    % {"when": date_format(closes, "DATETIME_FORMAT"), "zone": item.time_zone}
                )
            )
        return "".join(f"<p>{part}</p>" for part in parts)

    def item_author_name(self, item: Challenge) -> str:
        links = self._links(item)
        return links[0].organisation.name if links else ""

    def item_pubdate(self, item: Challenge) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Challenge) -> datetime:
        return item.updated_at

    def item_categories(self, item: Challenge) -> list[str]:
        return [sector.name for sector in item.sectors.all()]

    @staticmethod
    def _links(item: Challenge) -> list[Any]:
        """Issuers, lead first."""
        return sorted(item.issuer_links.all(), key=lambda link: link.role != IssuerRole.LEAD)  # type: ignore[attr-defined]
