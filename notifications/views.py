from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.permissions import requires
from core.errors import shown
from notifications.forms import PreferencesForm
from notifications.kinds import GROUPS
from notifications.models import Delivery, Notification
from notifications.selectors import get_notification_for_user, unread_count
from notifications.services import (
    delivery_retry,
    notifications_mark_read,
    preferences_for,
    preferences_update,
)


@requires("notifications.view")
def notification_list(request):
    show = "all" if request.GET.get("show") == "all" else "unread"
    notifications = Notification.objects.filter(recipient=request.user)
    if show == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "show": show, "unread": unread_count(request.user),
    })


@requires("notifications.view")
def notification_open(request, pk: int):
    """Mark it read and go to the thing it is about."""
    notification = get_notification_for_user(request.user, pk)
    if notification.read_at is None:
        notifications_mark_read(recipient=request.user, pk=notification.pk)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    if target:  # an absolute link elsewhere on our own site (a signed link in an email)
        from django.conf import settings

        if target.startswith(settings.SITE_URL + "/"):
            return redirect(target)
    messages.info(request, "This notification does not link to anything else.")
    return redirect("notifications:list")


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
@requires("notifications.view")
def notification_mark_read(request, pk: int):
    notification = get_notification_for_user(request.user, pk)
    notifications_mark_read(recipient=request.user, pk=notification.pk)
    if request.htmx:
        notification.refresh_from_db()
        return render(request, "notifications/_item.html", {"notification": notification})
    return _back(request)


@require_POST
@requires("notifications.view")
def notification_mark_all_read(request):
    count = notifications_mark_read(recipient=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return _back(request)


@requires("notifications.view")
def preferences(request):
    current = preferences_for(request.user)
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            preferences_update(user=request.user, choices=form.cleaned_data, request=request)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your notification choices are saved.")
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "groups": GROUPS})


STATUS_FILTERS = {
    "attention": [Delivery.Status.FAILED, Delivery.Status.ABANDONED],
    "waiting": [Delivery.Status.PENDING, Delivery.Status.SENDING],
    "sent": [Delivery.Status.SENT],
}


@requires("notifications.deliveries")
def delivery_list(request):
    status = request.GET.get("status", "attention")
    if status not in STATUS_FILTERS and status != "all":
        status = "attention"
    deliveries = Delivery.objects.select_related("recipient")
    if status != "all":
        deliveries = deliveries.filter(status__in=STATUS_FILTERS[status])
    query = request.GET.get("q", "").strip()
    if query:
        deliveries = deliveries.filter(Q(recipient__email__icontains=query)
                                       | Q(to_address__icontains=query))
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    counts = {
        key: Delivery.objects.filter(status__in=values).count()
        for key, values in STATUS_FILTERS.items() if key != "sent"
    }
    return render(request, "notifications/deliveries.html", {
        "page": page, "status": status, "query": query, "counts": counts,
    })


@require_POST
@requires("notifications.deliveries")
def delivery_retry_view(request, pk: int):
    delivery = Delivery.objects.filter(pk=pk).select_related("recipient").first()
    if delivery is None:
        raise Http404("No such email.")
    with shown(request) as attempt:
        delivery_retry(delivery=delivery, actor=request.user, request=request)
    if attempt:
        messages.success(request, f"The email to {delivery.address} will be sent again.")
    return redirect(reverse("notifications:deliveries") + "?status=attention")
