"""Permission rules of labels (`core.permissions.rule`)."""
