"""API of cooperation."""

from ninja import Router

router = Router(tags=["Projets"])
