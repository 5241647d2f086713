"""The partner API (/api/v1/, django-ninja): coresponder.api.api holds the endpoints."""
