"""Permission rules of solutions (`core.permissions.rule`)."""
