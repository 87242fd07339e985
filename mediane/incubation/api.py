"""API of incubation."""

from ninja import Router

router = Router(tags=["Jumelages"])
