from django.urls import path

from breaches import views

app_name = "breaches"

urlpatterns = [
    path("", views.report_home, name="home"),
    path("new/", views.report_new, name="report_new"),
    path("new/autosave/", views.report_autosave, name="report_autosave"),
    path("log/", views.report_log, name="report_log"),
    path("log/autosave/", views.report_autosave_behalf, name="report_autosave_behalf"),
    path("sent/", views.report_sent, name="report_sent"),
    path("mine/<int:pk>/", views.my_report, name="my_report"),
    path("about-me/<int:pk>/", views.about_me, name="about_me"),
    path("statistics/", views.statistics, name="statistics"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/register.csv", views.case_export, name="case_export"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/move/<str:target>/", views.case_move, name="case_move"),
    path("cases/<int:pk>/items/", views.case_item_add, name="case_item_add"),
    path("cases/<int:pk>/items/<int:item_id>/compliance/", views.case_item_compliance,
         name="case_item_compliance"),
    path("cases/<int:pk>/members/", views.case_member_add, name="case_member_add"),
    path("cases/<int:pk>/members/<int:member_id>/remove/", views.case_member_remove,
         name="case_member_remove"),
    path("cases/<int:pk>/messages/", views.case_message, name="case_message"),
    path("cases/<int:pk>/notify/", views.case_notify, name="case_notify"),
    path("cases/<int:pk>/evidence/", views.case_evidence_add, name="case_evidence_add"),
    path("cases/<int:pk>/hearer/", views.case_hearer, name="case_hearer"),
    path("cases/<int:pk>/hold/", views.case_hold, name="case_hold"),
    path("cases/<int:pk>/cpoms/", views.case_cpoms, name="case_cpoms"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
