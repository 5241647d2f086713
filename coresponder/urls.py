from coresponder.urls_dashboard import urlpatterns as dashboard
from coresponder.urls_data import urlpatterns as data
from coresponder.urls_entry import urlpatterns as entry
from coresponder.urls_public import urlpatterns as public

app_name = "coresponder"

# entry      /staff/coresponder/encounters/…   clinicians' entry and editing; months; volume
# data       /staff/coresponder/import/…, /staff/coresponder/export/…   CSV in and out
# dashboard  /staff/coresponder/dashboard/…   program measures, charts, CSV
# public     /co-responder/                   public figures with small-cell suppression
urlpatterns = [*entry, *data, *dashboard, *public]
