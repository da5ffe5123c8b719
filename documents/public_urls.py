"""Pages that need no sign-in, only with PUBLIC_POLICIES=1 (404 otherwise)."""

from django.urls import path

from documents import views

app_name = "public"

urlpatterns = [
    path("policies/", views.public_index, name="policy_list"),
    path("policies/<slug:slug>/", views.public_current, name="policy_current"),
    path("policies/<slug:slug>/<slug:label>/", views.public_version, name="version_read"),
    path("policies/<slug:slug>/<slug:label>/pdf/", views.public_version_pdf, name="version_pdf"),
]
