from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class PortalAccountAdapter(DefaultAccountAdapter):
    """No open sign-up: HR creates or imports every person."""

    def is_open_for_signup(self, request) -> bool:
        return False


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    """SSO signs in people who already exist (matched by email); it never creates accounts."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False
