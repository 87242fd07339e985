"""operationIds of the tierslieux API (collected by tests/api/test_api_docs.py)."""

OPERATION_IDS: set[str] = {
    "resources_list",
    "resource_get",
    "resource_availability",
    "bookings_mine",
}
