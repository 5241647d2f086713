"""Security headers for answers the header middleware never sees (WhiteNoise's static files).

WhiteNoise answers a static file before any later middleware runs, so its files would
otherwise go out without the site's Content-Security-Policy, X-Frame-Options or
Cross-Origin-Resource-Policy. WhiteNoise calls `static_file_headers` for each file.
"""

import functools

from django.conf import settings


@functools.cache
def _site_policy() -> str:
    from csp.utils import build_policy

    return build_policy()


def static_file_headers(headers, path: str, url: str) -> None:
    headers["Content-Security-Policy"] = _site_policy()
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY
