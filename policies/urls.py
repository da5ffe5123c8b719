from django.urls import path

from policies import views, views_drafts

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="policy_list"),
    path("import/", views.policy_import, name="policy_import"),
    path("register/", views.policy_register, name="policy_register"),
    path("reviews/", views.review_board, name="review_board"),
    path("<slug:slug>/", views.policy_detail, name="policy_detail"),
    path("<slug:slug>/settings/", views.policy_settings, name="policy_settings"),
    path("<slug:slug>/document/", views.policy_document, name="policy_document"),
    path("<slug:slug>/new-draft/", views.policy_new_draft, name="policy_new_draft"),
    path("<slug:slug>/reviews/new/", views.review_record, name="review_record"),
    path("<slug:slug>/compare/", views.version_redline, name="version_redline"),
    path("<slug:slug>/<slug:label>/", views.version_read, name="version_read"),
    path("<slug:slug>/<slug:label>/record/", views.version_record, name="version_record"),
    path("<slug:slug>/<slug:label>/move/<str:to>/", views.version_transition,
         name="version_transition"),
    path("<slug:slug>/<slug:label>/edit/", views_drafts.version_edit, name="version_edit"),
    path("<slug:slug>/<slug:label>/edit/cover/", views_drafts.cover_edit, name="cover_edit"),
    path("<slug:slug>/<slug:label>/edit/text/", views_drafts.version_replace,
         name="version_replace"),
    path("<slug:slug>/<slug:label>/edit/<int:pk>/", views_drafts.clause_edit, name="clause_edit"),
    path("<slug:slug>/<slug:label>/addenda/", views_drafts.addendum_start, name="addendum_start"),
    path("<slug:slug>/<slug:label>/addenda/<slug:code>/", views_drafts.addendum_edit,
         name="addendum_edit"),
    path("<slug:slug>/<slug:label>/addenda/<slug:code>/<str:to>/", views_drafts.addendum_move,
         name="addendum_move"),
]
