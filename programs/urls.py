from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("be-prepared/", views.be_prepared, name="be_prepared"),
    path("highlights/", views.highlights_index, name="highlights"),
    path("highlights/<int:year>/", views.highlights_year, name="highlights_year"),
    path("documents/", views.document_list, name="documents"),
    path("documents/<slug:slug>/", views.document_download, name="document"),
    path("drafts/<str:token>/", views.draft_preview, name="draft_preview"),
    path("programs/<slug:area>/", views.area_detail, name="area"),
    path("programs/<slug:area>/<slug:slug>/", views.page_detail, name="page"),
]
