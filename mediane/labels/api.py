"""API of labels."""

from ninja import Router

router = Router(tags=["Label"])
