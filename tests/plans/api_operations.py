"""operationIds of the plans API (collected by tests/api/test_api_docs.py)."""

OPERATION_IDS: set[str] = {"plans_list", "plan_get"}
