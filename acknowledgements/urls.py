from django.urls import path

from acknowledgements import views

app_name = "acknowledgements"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("a/<int:pk>/", views.start, name="start"),
    path("a/<int:pk>/changes/", views.changes, name="changes"),
    path("a/<int:pk>/read/<int:index>/", views.read, name="read"),
    path("a/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("a/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("a/<int:pk>/nudge/", views.nudge, name="nudge"),
    path("a/<int:pk>/on-behalf/", views.on_behalf, name="on_behalf"),
    path("link/<str:token>/", views.link, name="link"),
    path("t/<str:token>/changes/", views.token_changes, name="token_changes"),
    path("t/<str:token>/read/<int:index>/", views.token_read, name="token_read"),
    path("t/<str:token>/acknowledge/", views.token_acknowledge, name="token_acknowledge"),
    path("t/<str:token>/receipt/", views.token_receipt, name="token_receipt"),
    path("compliance/", views.trust, name="trust"),
    path("compliance/academy/<slug:code>/", views.academy, name="academy"),
    path("compliance/category/<slug:category>/", views.category, name="category"),
    path("compliance/team/", views.team, name="team"),
    path("compliance/person/<int:pk>/", views.person_history, name="person_history"),
    path("questions/<int:version_pk>/", views.questions, name="questions"),
    path("questions/edit/<int:pk>/", views.question_edit, name="question_edit"),
    path("questions/delete/<int:pk>/", views.question_delete, name="question_delete"),
    path("settings/<int:policy_pk>/", views.token_only_settings, name="token_only"),
]
