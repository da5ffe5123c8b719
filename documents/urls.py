from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("<slug:slug>/<slug:label>/word/", views.version_word, name="version_word"),
    path("<slug:slug>/<slug:label>/pdf/", views.version_pdf, name="version_pdf"),
]
