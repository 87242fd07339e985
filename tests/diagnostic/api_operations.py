"""operationIds of the diagnostic API (collected by tests/api/test_api_docs.py)."""

OPERATION_IDS: set[str] = {"diagnostics_mine", "diagnostic_get", "diagnostic_network_stats"}
