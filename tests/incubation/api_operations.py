"""operationIds of the incubation API (collected by tests/api/test_api_docs.py)."""

OPERATION_IDS: set[str] = {
    "twinning_agreements_list",
    "twinning_agreement_get",
    "soft_landing_requests_mine",
}
