"""The console email backend used when no mail server is configured.

Django's console backend prints whole messages, private links included, to the process's
output (a worker's log in production-like runs). This one prints each message with its
private links masked. With DEBUG on (development, where nobody has a real inbox) it adds a
one-line notice with the links, so a developer can still follow a cancel or status link.
"""

import re
import sys
import threading

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from core.logs import mask_path

_URL = re.compile(r"https?://\S+")


def _links(text: str) -> list[str]:
    return [url.rstrip(".,)>\"'") for url in _URL.findall(text)]


class MaskingConsoleEmailBackend(BaseEmailBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages) -> int:
        sent = 0
        with self._lock:
            for message in email_messages:
                body = message.body if isinstance(message.body, str) else ""
                self.stream.write(
                    "-" * 72
                    + f"\nSubject: {message.subject}\nTo: {len(message.recipients())} recipient(s)"
                    + f"\n\n{mask_path(body)}\n"
                )
                private = [link for link in _links(body) if mask_path(link) != link]
                if settings.DEBUG and private:
                    self.stream.write(
                        "(development only) links in this email: " + " ".join(private) + "\n"
                    )
                self.stream.flush()
                sent += 1
        return sent
