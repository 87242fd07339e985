"""The versioned API: one NinjaAPI per version, one Router per app (`<app>/api.py`)."""

from ninja import NinjaAPI

api_v1 = NinjaAPI(title="Médiane API", version="1.0.0", urls_namespace="api-v1")
