from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from accounts.permissions import can, requires
from audit.models import AuditEvent


def events_visible_to(user):
    """The audit trail, less what this reader may not know exists.

    Breach cases are confidential to those who handle them, and the monitoring register
    (clause 7.2) to HR and the CEO: their events are hidden from other readers, so the trail
    cannot reveal that a case or a monitoring request exists.
    """
    events = AuditEvent.objects.select_related("actor")
    if not can(user, "breaches.handle"):
        events = events.exclude(action__startswith="breaches.")
    if not can(user, "approvals.monitoring_register"):
        from approvals.models import ApprovalRequest, Kind

        monitoring_ids = [
            str(pk) for pk in ApprovalRequest.objects.filter(kind=Kind.MONITORING)
            .values_list("pk", flat=True)
        ]
        events = events.exclude(object_type="approvals.approvalrequest",
                                object_id__in=monitoring_ids)
    return events


def _date(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None


@requires("audit.view")
def event_list(request):
    events = events_visible_to(request.user)
    # No audit text is longer than these; a longer search cannot match (and SQLite refuses
    # LIKE patterns over 50,000 bytes).
    q = request.GET.get("q", "").strip()[:300]
    action = request.GET.get("action", "").strip()[:100]
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
