"""Highlight figures published by a program app, instead of figures an editor types.

A highlight about a program whose figures the portal publishes itself (the co-responder
program's yearly releases, /co-responder/) must never show a number that disagrees with
them. `programs` sits below the program apps and cannot read them, so the top layer
registers a source for the highlight's slug (marc_safety.views, through
programs.selectors.highlight_figures_register, as the site search gathers its sources):
every highlight with that slug, in every year, then shows the source's figures and its
link instead of the figures typed in the admin.

A source answers Sourced: figures as they are printed elsewhere (a source leaves out any
figure it does not publish as a number), a link to where they are published, and a
sentence for when there are none yet. Pages that show highlights depend on "programs",
so a source's app invalidates that tag when its figures change.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from programs.models import Highlight


@dataclass(frozen=True)
class Sourced:
    figures: tuple[tuple[str, str], ...]  # (value as printed, what it counts)
    link_url: str
    link_text: str
    note: str = ""  # shown when there are no figures (yet)


SOURCES: dict[str, Callable[[], Sourced]] = {}


def register(slug: str, source: Callable[[], Sourced]) -> None:
    """Show `source`'s figures on every highlight with this slug."""
    SOURCES[slug] = source


def with_sourced_figures(highlights: Iterable[Highlight]) -> list[Highlight]:
    """The highlights, each with `sourced` set: its source's answer, or None. Each source
    is asked once per call."""
    highlights = list(highlights)
    answers: dict[str, Sourced] = {}
    for highlight in highlights:
        source = SOURCES.get(highlight.slug)
        if source is not None and highlight.slug not in answers:
            answers[highlight.slug] = source()
        highlight.sourced = answers.get(highlight.slug)
    return highlights
