"""One way to write a date and a time, everywhere: pages, emails, CSVs and PDFs.

"6 December 2026", "16:00" (24-hour) and "6 December 2026, 16:00", in London time. The
formats are Django's (portal/formats/en_GB/formats.py); templates use the filters |as_date,
|as_datetime and |as_time (core/templatetags/portal_dates.py), Python calls these functions.
"""

import datetime

from django.utils import dateformat, formats, timezone


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_date(value) -> str:
    """ "6 December 2026" (a datetime shows its London date); "" for None."""
    if value in (None, ""):
        return ""
    value = _local(value)
    return dateformat.format(value, formats.get_format("DATE_FORMAT"))


def format_datetime(value) -> str:
    """ "6 December 2026, 16:00" in London time; a plain date shows as a date."""
    if value in (None, ""):
        return ""
    if not isinstance(value, datetime.datetime):
        return format_date(value)
    return dateformat.format(_local(value), formats.get_format("DATETIME_FORMAT"))


def format_time(value) -> str:
    """ "16:00" (24-hour) in London time."""
    if value in (None, ""):
        return ""
    return dateformat.time_format(_local(value), formats.get_format("TIME_FORMAT"))
