from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from core import views as core_views


class FaviconRedirect(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("portal/favicon.ico")  # per request: the manifest name when collected


admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Policy Portal administration"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says (PDFs, the first load).
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("outbox/", core_views.outbox, name="outbox"),
    path("_bench/floor/", core_views.bench_floor, name="bench_floor"),
    path("outbox/<int:pk>/", core_views.outbox_message, name="outbox_message"),
    path("accounts/", include("allauth.urls")),
    path("people/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("policies/", include("policies.urls")),
    path("documents/", include("documents.urls")),
    path("public/", include("documents.public_urls")),
    path("acknowledgements/", include("acknowledgements.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("breaches.urls")),
    path("approvals/", include("approvals.urls")),
    path("audit-packs/", include("auditpacks.urls")),
    path("admin/", admin.site.urls),
]
