"""API of tierslieux."""

from ninja import Router

router = Router(tags=["Tiers-lieux"])
