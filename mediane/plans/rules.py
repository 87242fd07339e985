"""Permission rules of plans (`core.permissions.rule`)."""
