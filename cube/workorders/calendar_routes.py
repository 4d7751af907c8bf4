"""Views: the month calendar of due and planned dates."""

from __future__ import annotations

import calendar
from datetime import date

from babel import dates
from flask import render_template, request
from flask_login import current_user

from cube.i18n import locale_object, reader_zone, weekday_names
from cube.models import utcnow
from cube.permissions import signed_in
from cube.workorders.blueprint import bp
from cube.workorders.calendar_month import calendar_entries, month_start, shift
from cube.workorders.listing import PAGE_KEYS, list_filters, list_url

CALENDAR_LIMIT = 2000  # entries per month page


def weekdays() -> list[tuple[str, str]]:
    """Monday to Sunday as (full name, abbreviation) in the reader's locale: the calendar's headings."""
    names = locale_object().days["stand-alone"]["wide"]
    return [(names[day], short) for day, short in enumerate(weekday_names())]


def month_of(day: date) -> str:
    """The month of ``day`` named on its own ("January"), for a day of another month shown in the grid."""
    return dates.format_date(day, "LLLL", locale=locale_object())


@bp.route("/calendar", endpoint="calendar")
@signed_in
def calendar_view() -> str:
    """A month of due and planned dates of the visible, filtered work orders, in the user's time zone."""
    form, filters = list_filters()
    zone = reader_zone()
    today = utcnow().astimezone(zone).date()
    first = month_start(request.args.get("month"), today)
    days, truncated = calendar_entries(current_user, filters, first, zone, CALENDAR_LIMIT)
    return render_template(
        "workorders/calendar.html",
        form=form,
        first=first,
        weeks=calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(first.year, first.month),
        days=days,
        truncated=truncated,
        limit=CALENDAR_LIMIT,
        today=today,
        zone=zone,
        month_key=f"{first:%Y-%m}",
        weekdays=weekdays(),
        month_of=month_of,
        previous_url=list_url("workorders.calendar", month=shift(first, -1).strftime("%Y-%m")),
        next_url=list_url("workorders.calendar", month=shift(first, 1).strftime("%Y-%m")),
        today_url=list_url("workorders.calendar", month=None),
        list_url=list_url,
        page_keys=PAGE_KEYS,
    )
