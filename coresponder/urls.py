"""Every co-responder address, in one place, with a namespace per audience.

public      coresponder:…            /co-responder/…                released figures, suppressed
entry       coresponder:entry:…      /staff/coresponder/encounters/…, months/, volume/
data        coresponder:data:…       /staff/coresponder/import/…, export/   CSV in and out
dashboard   coresponder:dashboard:…  /staff/coresponder/dashboard/…  measures, charts, CSV
releases    coresponder:releases:…   /staff/coresponder/releases/…   publish the public figures
"""

from django.urls import include, path

from coresponder.views import dashboard, data, entry, opendata, public, releases
from coresponder.views import dictionary as data_dictionary

app_name = "coresponder"

STAFF = "staff/coresponder/"

entry_patterns = (
    [
        path("encounters/", entry.encounter_list, name="encounters"),
        path("encounters/new/", entry.encounter_new, name="encounter_new"),
        path("encounters/<int:pk>/", entry.encounter_detail, name="encounter"),
        path("months/", entry.month_list, name="months"),
        path("months/close/", entry.month_close, name="month_close"),
        path("volume/", entry.volume, name="volume"),
    ],
    "entry",
)

data_patterns = (
    [
        path("import/", data.import_upload, name="import"),
        path("import/<int:pk>/", data.import_job, name="import_job"),
        path("import/<int:pk>/errors.csv", data.import_errors, name="import_errors"),
        path("export/", data.export, name="export"),
    ],
    "data",
)

dashboard_patterns = (
    [
        path("dashboard/", dashboard.dashboard, name="index"),
        path("dashboard/measures.csv", dashboard.dashboard_csv, name="csv"),
        path("dashboard/chart/<slug:name>.svg", dashboard.dashboard_chart, name="chart"),
    ],
    "dashboard",
)

release_patterns = (
    [
        path("", releases.release_list, name="index"),
        path("<int:year>/", releases.release_year, name="year"),
    ],
    "releases",
)

urlpatterns = [
    path(STAFF, include(entry_patterns)),
    path(STAFF, include(data_patterns)),
    path(STAFF, include(dashboard_patterns)),
    path(STAFF + "releases/", include(release_patterns)),
    path("co-responder/", public.figures, name="public"),
    path("co-responder/<int:year>/", public.release_year, name="release"),
    path(
        "co-responder/<int:year>/revision-<int:revision>/",
        public.release_revision,
        name="release_revision",
    ),
    # The data dictionary as an open standard (coresponder.views.dictionary).
    path("co-responder/data-dictionary/", data_dictionary.page, name="dictionary"),
    path(
        data_dictionary.FILES_PATH + "<str:name>",
        data_dictionary.download,
        name="dictionary_file",
    ),
    # The released figures as open data files (coresponder.views.opendata).
    path("co-responder/<int:year>/figures.csv", opendata.year_csv, name="release_csv"),
    path("co-responder/<int:year>/figures.json", opendata.year_json, name="release_json"),
    path(
        "co-responder/<int:year>/revision-<int:revision>/figures.csv",
        opendata.revision_csv,
        name="release_revision_csv",
    ),
    path(
        "co-responder/<int:year>/revision-<int:revision>/figures.json",
        opendata.revision_json,
        name="release_revision_json",
    ),
]
