from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("staff/", views.landing, name="landing"),
    path("staff/password/", views.password_change, name="password_change"),
    path("staff/session/keep-alive/", views.session_keepalive, name="session_keepalive"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
