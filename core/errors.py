"""The portal's two kinds of refusal, and the one way a view shows them.

`Refused`: what was asked is not allowed or cannot be done, and the message says why in words
for the person who asked. Each app names its own (`CaseError`, `PolicyError`, `ApprovalError`,
`AcknowledgementError`, `PackError`, `UploadRejected`, `EmailChangeRefused`, `DocumentReadError`,
`PolicyParseError`, `NotificationError`) as a subclass, so services raise and tests expect
the app's name.

`Immutable`: a record that cannot be changed or deleted (an acknowledgement, an audit event, a
version that is no longer a draft). It is a refusal too: a page that meets one says so.

A view wraps the service call in `shown(request, form)`: a refusal is shown on the form when
there is one, as an error message otherwise, and the block ends there; `if attempt:` is true
when it went through.

    with shown(request) as attempt:
        services.request_withdraw(req=req, actor=request.user, request=request)
    if attempt:
        messages.success(request, "Request withdrawn.")
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


class Refused(Exception):
    """Not allowed, or cannot be done; the message is for the person who asked.
    ``line_number`` (1-based) when it is about a line of a document the person gave."""

    def __init__(self, message: str = "", line_number: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line_number = line_number

    def __str__(self) -> str:
        if self.line_number is None:
            return self.message
        return f"Line {self.line_number}: {self.message}"


class Immutable(Refused):
    """This record cannot be changed or deleted."""


def sentence(exc: BaseException) -> str:
    """The message as a sentence: a capital letter first, a full stop last."""
    text = str(exc)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


@dataclass
class Attempt:
    """What `shown` hands the block: true once the block has run through without a refusal."""

    ok: bool = False

    def __bool__(self) -> bool:
        return self.ok


@contextmanager
def shown(request, form=None, *, field: str | None = None) -> Iterator[Attempt]:
    """A `Refused` raised in the block is shown (on `form` when given, as an error message
    otherwise) and the block ends there; any other exception goes on as it is."""
    attempt = Attempt()
    try:
        yield attempt
    except Refused as exc:
        if form is not None:
            form.add_error(field, sentence(exc))
        else:
            from django.contrib import messages

            messages.error(request, sentence(exc))
    else:
        attempt.ok = True
