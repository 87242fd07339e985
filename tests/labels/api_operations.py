"""operationIds of the labels API (collected by tests/api/test_api_docs.py)."""

OPERATION_IDS: set[str] = {"labels_list", "label_evaluation_get"}
