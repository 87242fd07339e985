"""Permission rules of incubation (`core.permissions.rule`)."""
