from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_apikeys

app_name = "accounts"

urlpatterns = [
    path("staff/", views.landing, name="landing"),
    path("staff/password/", views.password_change, name="password_change"),
    path("staff/session/keep-alive/", views.session_keepalive, name="session_keepalive"),
    path("staff/api-keys/", views_apikeys.key_list, name="apikeys"),
    path("staff/api-keys/new/", views_apikeys.key_issue, name="apikey_issue"),
    path("staff/api-keys/<int:pk>/issued/", views_apikeys.key_issued, name="apikey_issued"),
    path("staff/api-keys/<int:pk>/revoke/", views_apikeys.key_revoke, name="apikey_revoke"),
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
