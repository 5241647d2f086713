"""A test-only app: a confidential model and tiny views to exercise the access helpers."""
