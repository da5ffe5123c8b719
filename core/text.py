"""Characters no person types: the one definition the portal uses for them.

A NUL (``\\x00``) cannot be stored in a PostgreSQL text column at all, and the other C0/C1
control characters only ever arrive from a hostile client or a damaged file. The request
middleware (``core.middleware.ControlCharactersMiddleware``) strips them from every query
parameter and form field; the staff import refuses a file cell that holds one.
"""

import re

#: C0 controls except tab, line feed and carriage return (which forms legitimately send), DEL
#: and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Every control character, tab and line breaks included: for one-line values (file cells).
ANY_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def strip_control_characters(value: str) -> tuple[str, int]:
    """(value without control characters, how many were removed)."""
    return CONTROL_CHARACTERS.subn("", value)


def describe_control_character(value: str) -> str | None:
    """'NUL (U+0000)' for the first control character in a one-line value, or None."""
    found = ANY_CONTROL_CHARACTER.search(value)
    if found is None:
        return None
    char = found.group()
    names = {"\x00": "NUL", "\t": "a tab", "\n": "a line break", "\r": "a line break"}
    return f"{names.get(char, 'a control character')} (U+{ord(char):04X})"
