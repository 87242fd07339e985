"""API of support."""

from ninja import Router

router = Router(tags=["Accompagnement"])
