from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from programs import selectors as programs
from training import selectors as training


class StaticSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "programs:be_prepared",
            "programs:highlights",
            "programs:documents",
            "training:calendar",
            "coresponder:public",
            "coresponder:dictionary",
            "open_data",
            "peersupport:start",
            "peersupport:request",
            # Not the training history and certificate check forms (training:history:…):
            # they answer "X-Robots-Tag: noindex", and a sitemap lists indexable pages only.
        ]

    def location(self, item):
        return reverse(item)


class AreaSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return programs.areas_published().exclude(slug="be-prepared")

    def lastmod(self, obj):
        return obj.updated_at


class PageSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return programs.pages_published()

    def lastmod(self, obj):
        return obj.updated_at


class HighlightYearSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return [row["year"] for row in programs.highlight_years()]

    def location(self, year):
        return reverse("programs:highlights_year", kwargs={"year": year})


class EventSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return training.events_for_sitemap()

    def lastmod(self, obj):
        return obj.updated_at


SITEMAPS = {
    "static": StaticSitemap,
    "areas": AreaSitemap,
    "pages": PageSitemap,
    "highlights": HighlightYearSitemap,
    "events": EventSitemap,
}
