import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version

from programs import demo_content
from programs.models import Highlight, ProgramArea, ProgramPage
from programs.services import demo_content_load

pytestmark = pytest.mark.django_db

DOMAIN_AREAS = {
    "public-safety-communications",
    "hazardous-materials",
    "emergency-services",
    "health-and-medical",
    "emergency-plans",
    "be-prepared",
}


def test_demo_content_covers_every_program_area_and_the_2024_figures():
    demo_content_load()
    assert set(ProgramArea.objects.published().values_list("slug", flat=True)) == DOMAIN_AREAS
    prepared = ProgramPage.objects.filter(area__slug="be-prepared")
    assert set(prepared.values_list("slug", flat=True)) == {"kit", "family-plan", "stay-informed"}
    figures = {
        (f.value, f.label)
        for h in Highlight.objects.filter(year=2024).prefetch_related("figures")
        for f in h.figures.all()
    }
    values = {value for value, _ in figures}
    assert {"65", "12", "850", "22"} <= values
    # The co-responder highlight types no figures: it shows the program's latest release.
    assert not Highlight.objects.get(year=2024, slug="co-responder-program").figures.exists()
    assert ProgramPage.objects.filter(parent__isnull=False).exists()


def test_loading_the_demo_twice_changes_nothing():
    first = demo_content_load()
    versions = Version.objects.count()
    stamps = list(ProgramPage.objects.order_by("pk").values_list("updated_at", flat=True))
    second = demo_content_load()
    assert first["created"] > 0
    assert second["created"] == second["updated"] == 0
    assert Version.objects.count() == versions
    assert list(ProgramPage.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_demo_text_is_not_copied_from_the_seed_texts():
    """With ORIGINAL_TEXTS_DIR naming a folder of .txt source texts (the programs' own
    publications), no run of 12 words of the demo content appears in them."""
    import os
    from pathlib import Path

    folder = os.environ.get("ORIGINAL_TEXTS_DIR", "")
    seeds = Path(folder) if folder else None
    if seeds is None or not seeds.is_dir():
        pytest.skip("set ORIGINAL_TEXTS_DIR to a folder of source texts to run this check")
    seed_text = " ".join(p.read_text() for p in seeds.glob("*.txt"))
    seed_text = " ".join(seed_text.split())
    ours = " ".join(str(demo_content.__dict__.get(name)) for name in dir(demo_content))
    words = ours.split()
    copied = [
        " ".join(words[i : i + 12])
        for i in range(len(words) - 12)
        if " ".join(words[i : i + 12]) in seed_text
    ]
    assert copied == []


def test_load_demo_refuses_in_production_mode(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        call_command("load_demo")


def test_load_demo_prints_the_demo_accounts(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "Demo account: admin / " in out and "Demo account: editor / " in out
    call_command("load_demo")
    assert "0 created, 0 updated" in capsys.readouterr().out
