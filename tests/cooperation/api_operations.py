"""operationIds of the cooperation API (collected by tests/api/test_api_docs.py)."""

OPERATION_IDS: set[str] = {"projects_list", "project_get", "similar_needs"}
