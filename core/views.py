from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import requires
from core import hooks, navcache
from core.health import health_report
from core.models import OutboxMessage


@login_required
def home(request):
    def rendered() -> list[dict]:
        # Kept as HTML: the panels hold no form (no CSRF token) and nothing of the session;
        # they need only their own context and the person (no context processors).
        return [{"title": panel.title, "urgent": panel.urgent,
                 "html": render_to_string(panel.template,
                                          {"panel": panel.context, "user": request.user})}
                for panel in hooks.home_panels(request)]

    panels = navcache.cached_for_person(request.user.pk, "home", rendered)
    return render(request, "core/home.html", {"panels": panels})


@require_GET
@never_cache
def healthz(request):
    """The whole system (`/healthz`), or only what a web server needs (`/healthz?web`)."""
    healthy, report = health_report(worker="web" not in request.GET)
    return JsonResponse(report, status=200 if healthy else 503)


def _require_debug() -> None:
    if not settings.DEBUG:
        raise Http404("The outbox exists only in development.")


@requires("outbox.view")
def outbox(request):
    _require_debug()
    page = Paginator(OutboxMessage.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "core/outbox.html", {"page": page})


@requires("outbox.view")
def outbox_message(request, pk: int):
    _require_debug()
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(request, "core/outbox_message.html", {"message": message})


def csrf_failure(request, reason: str = ""):
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


@login_required
def bench_floor(request):
    """The least any signed-in page can cost: session and user loaded, CSRF token rendered.

    Exists only when BENCHMARK_FLOOR_VIEW is on (bench/load.py compares every page to it).
    """
    if not settings.BENCHMARK_FLOOR_VIEW:
        raise Http404()
    if "shell" in request.GET:  # reference: the portal's page shell (navigation), no content
        return render(request, "core/bench_shell.html")
    return render(request, "core/bench_floor.html")
