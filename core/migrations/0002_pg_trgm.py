"""PostgreSQL's pg_trgm, for site search's "Did you mean" (core.search.closest_words)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [TrigramExtension()]
