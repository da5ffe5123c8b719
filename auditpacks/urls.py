from django.urls import path

from auditpacks import views

app_name = "auditpacks"

urlpatterns = [
    path("", views.index, name="index"),
    path("verify/", views.verify, name="verify"),
    path("exports/", views.export_list, name="exports"),
    path("exports/roster/<int:version_pk>.<str:fmt>", views.export_roster, name="export_roster"),
    path("exports/cases.<str:fmt>", views.export_cases, name="export_cases"),
    path("exports/approvals/<slug:register>.<str:fmt>", views.export_approvals,
         name="export_approvals"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<str:case_pk>/", views.case_pack, name="case_pack"),
    path("<str:document_id>/", views.detail, name="detail"),
    path("<str:document_id>/download/", views.download, name="download"),
    path("<str:document_id>/retry/", views.retry, name="retry"),
]
