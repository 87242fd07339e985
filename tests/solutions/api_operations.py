"""operationIds of the solutions API (collected by tests/api/test_api_docs.py)."""

OPERATION_IDS: set[str] = {
    "solutions_list",
    "solution_get",
    "solution_replications",
    "replications_list",
}
