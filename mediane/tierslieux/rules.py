"""Permission rules of tierslieux (`core.permissions.rule`)."""
