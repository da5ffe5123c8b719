from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from accounts.permissions import requires
from audit.models import AuditEvent


def _date(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None


@requires("audit.view")
def event_list(request):
    events = AuditEvent.objects.select_related("actor")
    q = request.GET.get("q", "").strip()
    action = request.GET.get("action", "").strip()
    date_from, date_to = _date(request.GET.get("from", "")), _date(request.GET.get("to", ""))
    if q:
        events = events.filter(
            Q(actor_label__icontains=q) | Q(object_repr__icontains=q) | Q(summary__icontains=q)
        )
    if action:
        events = events.filter(action__startswith=action)
    if date_from:
        events = events.filter(created_at__date__gte=date_from)
    if date_to:
        events = events.filter(created_at__date__lte=date_to)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page, "filters": request.GET})
