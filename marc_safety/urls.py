from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from two_factor.urls import urlpatterns as two_factor_urls

from accounts.admin_site import PortalAdminSite, sections_rename
from core.pagecache import public_page
from marc_safety import views
from marc_safety.sitemaps import SITEMAPS

# The admin is reachable only through the portal's two-factor sign-in: its own login page
# redirects there, and every admin view requires a verified session.
admin.site.__class__ = PortalAdminSite
sections_rename()

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("site.webmanifest", views.manifest, name="manifest"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("api/", include("coresponder.api.urls")),  # the partner API, /api/v1/ (issue 15)
    path("data.json", views.data_json, name="data_json"),
    path("open-data/", views.open_data, name="open_data"),
    path(
        "sitemap.xml",
        public_page("programs", "events")(sitemap),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("programs.urls")),
    path("", include("training.urls")),
    path("", include("peersupport.urls")),
    path("", include("coresponder.urls")),
    path("", include("reports.urls")),
    path("", include(two_factor_urls)),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "accounts.views.permission_denied"
handler500 = "marc_safety.views.server_error"

# Development only (production: the reverse proxy, see the README): the uploaded images
# that pages show (Pillow-checked, never SVG) and training handouts. Program documents,
# co-responder imports and report files are never served from /media/: their own views
# check who may have them and send them as attachments.
PUBLIC_MEDIA_FOLDERS = (
    "programs/areas/",
    "programs/pages/",
    "programs/highlights/",
    "training/documents/",
)

if settings.DEBUG:
    from django.conf.urls.static import static

    for folder in PUBLIC_MEDIA_FOLDERS:
        urlpatterns += static(
            settings.MEDIA_URL + folder, document_root=Path(str(settings.MEDIA_ROOT), folder)
        )
