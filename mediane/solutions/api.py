"""API of solutions."""

from ninja import Router

router = Router(tags=["Solutions"])
