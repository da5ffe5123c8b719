from allauth.account.signals import user_logged_in
from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.services import audit_log


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    audit_log(action="accounts.login", actor=user, obj=user, request=request)


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_log(action="accounts.logout", actor=user, obj=user, request=request)


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("email") or credentials.get("username") or "")[:254]
    audit_log(action="accounts.login_failed", summary=f"Email tried: {email}", request=request)


@receiver(authenticator_added)
def record_mfa_enabled(sender, request, user, authenticator, **kwargs):
    audit_log(
        action="accounts.mfa_enabled", actor=user, obj=user, request=request,
        summary=f"Added a {authenticator.type} authenticator.",
    )
