"""gunicorn's settings for the portal; gunicorn reads this file from the working directory.

No `Server` banner: gunicorn writes "Server: gunicorn" on every answer, which tells a
scanner what to try. The reverse proxy may add its own.
"""

from gunicorn.http import wsgi


def _without_server_banner(default_headers):
    def headers(self):
        return [line for line in default_headers(self) if not line.startswith("Server:")]

    return headers


wsgi.Response.default_headers = _without_server_banner(wsgi.Response.default_headers)
