"""Permission rules of the innovation market (registered with core.permissions.rule)."""
