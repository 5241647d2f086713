"""Log hygiene: private link tokens never reach a log line.

Status, cancel, registration, training-history and draft-preview links carry a secret in
their path.
`mask_path` is the one masking function; `PrivateLinkFilter` applies it to every record of
Django's request and server loggers (and any logger it is attached to), so a 4xx logged by
Django ("Not Found: /training/history/<token>/…") shows "[link]" instead of the token.
"""

import logging
import re

# Path segments after these words are private tokens (status, cancel, history links).
_TOKEN_IN_PATH = re.compile(r"/(status|cancel|history|registered|drafts)/[^/?#\s\"'<>]+")
# A password-reset link: /password-reset/<user id>/<token>/
_RESET_IN_PATH = re.compile(r"/password-reset/[^/?#\s\"'<>]+/[^/?#\s\"'<>]+")


def mask_path(path: str) -> str:
    """A path (or any text containing paths/URLs) with private link tokens masked."""
    path = _RESET_IN_PATH.sub("/password-reset/[link]", path)
    return _TOKEN_IN_PATH.sub(r"/\1/[link]", path)


class PrivateLinkFilter(logging.Filter):
    """Masks private link tokens in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_path(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_path(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: mask_path(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            # AdminEmailHandler and friends format the request; they read these attributes.
            try:
                request.path = mask_path(request.path)
                request.path_info = mask_path(request.path_info)
                request.META["QUERY_STRING"] = ""
            except (AttributeError, TypeError):
                pass
        return True
