from django.urls import path

from training import views_history

# Training history by emailed link, certificates of attendance, public verification.
# "sent/" comes before "<token>/": a token is 43 random characters, so never "sent".
urlpatterns = [
    path("training/history/", views_history.history_request, name="history_request"),
    path("training/history/sent/", views_history.history_sent, name="history_sent"),
    path("training/history/<str:token>/", views_history.history, name="history"),
    path(
        "training/history/<str:token>/certificates/<int:registration_id>.pdf",
        views_history.certificate_download,
        name="certificate_download",
    ),
    path("training/verify/", views_history.verify, name="verify"),
]
