from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.people_list, name="people_list"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/invite/", views.person_invite, name="person_invite"),
    path("search/<slug:picker>/", views.person_search, name="person_search"),
    path("import/", views.staff_import, name="staff_import"),
    path("email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path("import/apply/", views.staff_import_apply, name="staff_import_apply"),
]
