"""The URL namespace of this version of the API (reverse("api-v1:<operation>"))."""

API_NAMESPACE = "api-v1"
