"""Permission rules of cooperation (`core.permissions.rule`)."""
