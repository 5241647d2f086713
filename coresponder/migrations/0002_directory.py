from django.db import migrations

AGENCIES = {
    "blue-springs": "Blue Springs Police Department",
    "grandview": "Grandview Police Department",
    "independence": "Independence Police Department",
    "lees-summit": "Lee's Summit Police Department",
    "raytown": "Raytown Police Department",
    "buckner": "Buckner Police Department",
    "grain-valley": "Grain Valley Police Department",
    "oak-grove": "Oak Grove Police Department",
}
PROVIDERS = {"rediscover": "ReDiscover", "burrell": "Burrell Behavioral Health"}


def add_directory(apps, schema_editor):
    """The dictionary's agencies and providers, as organizations with their codes."""
    Organization = apps.get_model("accounts", "Organization")
    for code, name in AGENCIES.items():
        org, _ = Organization.objects.get_or_create(
            name=name, kind="police", defaults={"county": "Jackson", "state": "MO"}
        )
        org.dictionary_code = code
        org.save(update_fields=["dictionary_code"])
    for code, name in PROVIDERS.items():
        org, _ = Organization.objects.get_or_create(
            name=name, kind="behavioral_health", defaults={"county": "Jackson", "state": "MO"}
        )
        org.dictionary_code = code
        org.save(update_fields=["dictionary_code"])


def remove_codes(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    codes = [*AGENCIES, *PROVIDERS]
    Organization.objects.filter(dictionary_code__in=codes).update(dictionary_code="")


class Migration(migrations.Migration):
    dependencies = [("coresponder", "0001_initial"), ("accounts", "0004_audit_no_truncate")]

    operations = [migrations.RunPython(add_directory, remove_codes)]
