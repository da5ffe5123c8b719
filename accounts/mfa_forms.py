"""The two-factor step's forms: allauth's, with one clearer message.

An authenticator code works once (allauth remembers used codes for the whole tolerance
window). A person who signs in twice within 30 seconds types the same code again and would
read only "Incorrect code."; here they are told it was already used and to wait for the next.
"""

from allauth.core.internal.cryptokit import normalize_user_code
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from django import forms
from django.core.cache import cache

CODE_USED = ("That code has already been used. Wait for the next code from your authenticator "
             "app (a new one appears every 30 seconds) and enter it.")


def code_already_used(user, code: str) -> bool:
    """True when `code` is this person's current TOTP code but it has been used already."""
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None or not code:
        return False
    key = f"allauth.mfa.totp.used?user={user.pk}&code={normalize_user_code(code)}"
    return (cache.get(key) is not None
            and validate_totp_code(decrypt(totp.data["secret"]), code))


class _CodeUsedMixin:
    def clean_code(self) -> str:
        try:
            return super().clean_code()
        except forms.ValidationError:
            if code_already_used(self.user, self.data.get("code", "")):
                raise forms.ValidationError(CODE_USED, code="code_used") from None
            raise


class PortalAuthenticateForm(_CodeUsedMixin, AuthenticateForm):
    pass


class PortalReauthenticateForm(_CodeUsedMixin, ReauthenticateForm):
    pass
