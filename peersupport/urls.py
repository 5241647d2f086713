from peersupport.urls_coordinator import urlpatterns as coordinator
from peersupport.urls_dashboard import urlpatterns as dashboard
from peersupport.urls_member import urlpatterns as member
from peersupport.urls_public import urlpatterns as public

app_name = "peersupport"

# public        /peer-support/…                 the confidential request form and status link
# coordinator   /staff/peer-support/…           queue, triage, assignment, roster, dashboard
# member        /staff/peer-support/mine/…      a member's assignments, activity, profile
# dashboard     /staff/peer-support/dashboard/  de-identified figures
urlpatterns = [*public, *member, *dashboard, *coordinator]
