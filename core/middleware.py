from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse

from accounts.permissions import MFA_REQUIRED_ROLES
from core.text import CONTROL_CHARACTERS, strip_control_characters

# Pages a privileged user may reach before enrolling an authenticator.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")


class RequireMfaMiddleware:
    """Principal, HR, CEO and administrators must enrol TOTP before any protected page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.role in MFA_REQUIRED_ROLES
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not _has_totp(user)
        ):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
        return self.get_response(request)


def _has_totp(user) -> bool:
    cached = getattr(user, "_has_totp", None)
    if cached is None:
        from allauth.mfa.models import Authenticator

        from core import navcache

        # Kept with the person's navigation: enrolling or removing an authenticator starts it
        # afresh (accounts.hooks.NAV_MODELS).
        cached = navcache.cached_for_person(
            user.pk, "has_totp",
            lambda: Authenticator.objects.filter(user=user,
                                                 type=Authenticator.Type.TOTP).exists())
        user._has_totp = cached
    return cached


CONTROL_CHARACTERS_REMOVED = (
    "Invisible control characters (such as NUL) were removed from what you sent: they cannot "
    "be stored. Everything else you typed is kept; check it before you save."
)


def _without_control_characters(data: QueryDict) -> tuple[QueryDict, int]:
    removed, clean = 0, QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        key, n = strip_control_characters(key)
        removed += n
        for value in values:
            value, n = strip_control_characters(value)
            removed += n
            clean.appendlist(key, value)
    clean._mutable = False
    return clean, removed


class ControlCharactersMiddleware:
    """One place for the whole portal: NUL and other control characters never reach a view.

    PostgreSQL cannot store NUL in text at all, so one in a search box or a form field used to
    be a server error (and a lost draft). They are removed from every query parameter, form
    field and cookie before any view runs; the page (a re-shown form keeps what was typed)
    carries a note saying so. A URL path holding one is a 404. Tab and line breaks are kept.
    Uploaded file names are cleaned by Django (non-printable characters removed).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        removed = 0
        if request.META.get("QUERY_STRING"):
            request.GET, removed = _without_control_characters(request.GET)
        if request.method == "POST" and request.content_type in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            request.POST, n = _without_control_characters(request.POST)
            removed += n
        if any(CONTROL_CHARACTERS.search(k + v) for k, v in request.COOKIES.items()):
            request.COOKIES = {k: v for k, v in request.COOKIES.items()
                               if not CONTROL_CHARACTERS.search(k + v)}
        request.control_characters_removed = removed
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if CONTROL_CHARACTERS.search(request.path_info):
            raise Http404("No such page.")
        if getattr(request, "control_characters_removed", 0) and hasattr(request, "_messages"):
            messages.warning(request, CONTROL_CHARACTERS_REMOVED)
        return None
