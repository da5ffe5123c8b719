"""Template filters for the portal's one date and time style (see core/dates.py)."""

from django import template

from core.dates import format_date, format_datetime, format_time

register = template.Library()
register.filter("as_date", format_date, expects_localtime=False)
register.filter("as_datetime", format_datetime, expects_localtime=False)
register.filter("as_time", format_time, expects_localtime=False)
