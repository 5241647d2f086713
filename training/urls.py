from training.urls_coordinator import urlpatterns as coordinator
from training.urls_history import urlpatterns as history
from training.urls_ical import urlpatterns as ical
from training.urls_public import urlpatterns as public
from training.urls_registration import urlpatterns as registration

app_name = "training"

# Each part of the calendar keeps its own URL module:
#   public        /calendar/…                 list, month grid, event pages
#   ical          /calendar/….ics             event downloads and subscription feeds
#   registration  /calendar/events/<pk>/register/, /calendar/cancel/<token>/
#   coordinator   /staff/training/…           training coordinators (two-factor staff pages)
#   history       /training/history/… (incl. certificate PDFs), /training/verify/
urlpatterns = [*registration, *ical, *public, *coordinator, *history]
