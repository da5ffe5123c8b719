"""Readable sentences for dotted audit action codes.

Apps add their codes with `register({...})` in their AppConfig.ready(); an unknown code is
shown as the code itself so nothing is ever hidden.
"""

ACTION_LABELS: dict[str, str] = {
    "accounts.login": "signed in",
    "accounts.login_failed": "failed to sign in",
    "accounts.logout": "signed out",
    "accounts.mfa_enabled": "set up two-factor authentication",
    "accounts.person_created": "created a person record",
    "accounts.person_updated": "updated a person record",
    "accounts.person_left": "marked a person as a leaver",
    "accounts.staff_import": "imported staff from a CSV file",
    "accounts.invitation_sent": "sent an invitation to set a password",
}


def register(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)


def describe(action: str) -> str:
    return ACTION_LABELS.get(action, action)
