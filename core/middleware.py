from django.shortcuts import redirect
from django.urls import reverse

from accounts.permissions import MFA_REQUIRED_ROLES

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
