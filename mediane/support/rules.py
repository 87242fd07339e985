"""Permission rules of support (`core.permissions.rule`)."""
