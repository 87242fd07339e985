"""API of diagnostic."""

from ninja import Router

router = Router(tags=["Diagnostic"])
