from django.urls import path

from approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.index, name="index"),
    path("queue/", views.queue, name="queue"),
    path("new/", views.new, name="new"),
    path("new/<slug:kind>/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/publication/", views.publication, name="publication"),
    path("<int:pk>/compare/", views.compare, name="compare"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("calendar/", views.calendar, name="calendar"),
    path("register/", views.register, name="register"),
    path("monitoring/", views.monitoring_register, name="monitoring_register"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", views.delegation_end, name="delegation_end"),
    path("routing/", views.routing, name="routing"),
    path("routing/<int:pk>/remove/", views.routing_remove, name="routing_remove"),
]
