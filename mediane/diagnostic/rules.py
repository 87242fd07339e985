"""Permission rules of diagnostic (`core.permissions.rule`)."""
