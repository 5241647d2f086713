"""The floor of the load benchmarks: Django with no middleware, no apps and no database.

bench/load.py and bench/cache_churn.py serve it with marc_safety.wsgi and the same
gunicorn settings as the portal, in the same run, and compare every page with it: the page
cache cannot answer faster than Django answering a fixed response with nothing in between.
"""

import os

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls_floor"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True
