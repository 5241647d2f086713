"""Fixtures every test may use. Real PostgreSQL always; Redis and Chromium where present.

Under CI (CI=true) a missing Redis or Chromium fails the tests that need them; on a
laptop without them those tests are skipped with the reason.
"""

import os

import pytest
from django.core.cache import cache

UNDER_CI = bool(os.environ.get("CI"))


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if UNDER_CI:
        pytest.fail(f"Required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (the page cache included)."""
    from programs.pagecache import content_changed

    cache.clear()
    content_changed()
    yield
    cache.clear()
    content_changed()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
