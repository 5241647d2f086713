"""Settings for the load benchmark: production settings plus one minimal view in the URLconf."""

from marc_safety.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
