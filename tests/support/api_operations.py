"""operationIds of the support API (collected by tests/api/test_api_docs.py)."""

OPERATION_IDS: set[str] = {"support_requests_mine", "support_request_get", "support_offers_mine"}
