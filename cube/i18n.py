"""Languages: which one a page, mail or PDF speaks, and dates, times and numbers in its locale.

A signed-in person's page follows the language they chose on their profile; with none
chosen, the browser's ``Accept-Language`` among the shipped languages; then the site's
default (an admin setting). Mail and PDFs made for someone follow *their* language and
time zone (``speaking_to``), never the sender's. Names admins type (statuses, priorities,
types, custom fields, roles) are data and stay as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers, support
from flask import Flask, Response, g, has_app_context, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, get_translations, gettext, refresh
from flask_login import current_user
from wtforms import SelectChoice

from cube.languages import FALLBACK_LANGUAGE, LANGUAGES, RIGHT_TO_LEFT, is_shipped
from cube.site_settings import ISO, settings_now
from cube.timezones import zone_of

babel = Babel()


class Speaker(Protocol):
    """Anyone with a chosen language and time zone (a ``User``)."""

    language: str
    timezone: str


def site_language() -> str:
    """The site's default language (an admin setting)."""
    code = settings_now().default_language
    return code if is_shipped(code) else FALLBACK_LANGUAGE


def date_style() -> str:
    """How dates are written on this site (an admin setting): ``iso`` or ``locale``."""
    return settings_now().date_style


def language_of(person: Speaker | None) -> str:
    """The language mail and PDFs for ``person`` are written in: their choice, else the site's."""
    chosen = getattr(person, "language", "") if person is not None else ""
    return chosen if is_shipped(chosen) else site_language()


def browser_language() -> str | None:
    """The best shipped language the browser asks for, if any."""
    if not has_request_context():
        return None
    return request.accept_languages.best_match(LANGUAGES.keys())


def select_locale() -> str:
    """The language of this request: the person's choice, the browser's, then the site default."""
    if current_user and current_user.is_authenticated and is_shipped(current_user.language):
        return current_user.language
    return browser_language() or site_language()


def reader_zone() -> ZoneInfo:
    """The time zone dates are shown in: the recipient's inside ``speaking_to``, else the signed-in person's."""
    forced = g.get("_reader_zone") if has_app_context() else None
    if forced is not None:
        return forced
    return zone_of(current_user if has_request_context() and current_user.is_authenticated else None)


def select_timezone() -> str:
    """Flask-Babel's time zone for this request (its own formatters are not used, but agree with ours)."""
    return reader_zone().key


def current_language() -> str:
    """The language code being spoken now (``en`` outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None else FALLBACK_LANGUAGE


def is_rtl(language: str | None = None) -> bool:
    """True when ``language`` (default: the current one) is written right to left."""
    return (language or current_language()) in RIGHT_TO_LEFT


@contextmanager
def speaking_to(person: Speaker | None) -> Iterator[str]:
    """Within the block, text, dates and numbers follow ``person``'s language and time zone.

    Used for whatever is made for someone other than the reader of the page: mail, and
    documents rendered for a recipient. Yields the language code in force.
    """
    language = language_of(person)
    previous_zone = g.get("_reader_zone")
    with force_locale(language):
        g._reader_zone = zone_of(person)
        try:
            yield language
        finally:
            g._reader_zone = previous_zone


def localtime(value: datetime | None, part: str = "datetime") -> str:
    """A stored UTC time in the reader's zone and the site's date style: ``datetime``, ``date`` or ``time``."""
    return "" if value is None else time_writer(part)(value)


def time_writer(part: str = "datetime") -> Callable[[datetime | None], str]:
    """``localtime`` for many times on one page: the zone, the date style and the locale are looked up once."""
    zone, write = reader_zone(), moment_writer(part)
    return lambda value: "" if value is None else write(value.astimezone(zone))


def format_moment(moment: datetime, part: str = "datetime") -> str:
    """A time already in the reader's zone, written in the site's date style (ISO, or the reader's locale)."""
    return moment_writer(part)(moment)


ISO_FORMATS = {"date": "%Y-%m-%d", "time": "%H:%M", "datetime": "%Y-%m-%d %H:%M"}


def moment_writer(part: str = "datetime") -> Callable[[datetime], str]:
    """How times already in the reader's zone are written: the site's date style and the locale, looked up once."""
    if date_style() == ISO:
        pattern, mark = ISO_FORMATS.get(part, ISO_FORMATS["datetime"]), LEFT_TO_RIGHT_MARK if is_rtl() else ""
        return lambda moment: mark + moment.strftime(pattern)
    locale = locale_object()
    if part == "date":
        return lambda moment: dates.format_date(moment.date(), "medium", locale=locale)
    if part == "time":
        return lambda moment: dates.format_time(moment.time(), "short", locale=locale)
    pattern = datetime_pattern(str(locale))
    return lambda moment: dates.format_datetime(moment, pattern, locale=locale)


LEFT_TO_RIGHT_MARK = "\u200e"  # keeps ISO text in its order inside right-to-left writing


def _left_to_right(text: str) -> str:
    """ISO text kept in its order inside right-to-left writing (a left-to-right mark before it)."""
    return LEFT_TO_RIGHT_MARK + text if is_rtl() else text


@cache
def datetime_pattern(locale: str) -> str:
    """The locale's medium date with its short time ("Nov 29, 2026, 2:05 PM", "29.11.2026, 14:05")."""
    parsed = Locale.parse(locale)
    combined = str(parsed.datetime_formats["medium"])
    return combined.replace("{1}", parsed.date_formats["medium"].pattern).replace(
        "{0}", parsed.time_formats["short"].pattern
    )


def localdate(value: date | None, style: str = "medium") -> str:
    """A calendar date (no time of day) in the site's date style: ISO, or the reader's locale."""
    if value is None:
        return ""
    if date_style() == ISO:
        return _left_to_right(value.isoformat())
    return dates.format_date(value, style, locale=locale_object())


def month_name(value: date) -> str:
    """'November 2026' as the reader's locale writes a month and year, standing alone."""
    return dates.format_skeleton("yMMMM", value, locale=locale_object())


def weekday_names() -> list[str]:
    """Monday to Sunday, abbreviated, in the reader's locale (calendar headings)."""
    names = locale_object().days["stand-alone"]["abbreviated"]
    return [names[day] for day in range(7)]


def number(value: Decimal | float | int | None, places: int | None = None) -> str:
    """A number in the reader's locale; ``places`` fixes the decimals shown (money: 2)."""
    if value is None:
        return ""
    if places is None:
        return numbers.format_decimal(value, locale=locale_object())
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return numbers.format_decimal(value, pattern, locale=locale_object(), decimal_quantization=True)


# Arabic-Indic and Persian digits and the Arabic decimal and thousands separators, read as ASCII.
_NATIVE_DIGITS = str.maketrans(
    {**{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)}, "٫": ".", "٬": ","}
)
_SPACES = re.compile(r"[ \u00a0\u202f]")
_NUMBER_CHARACTERS = re.compile(r"[+-]?[0-9][0-9.,' \u00a0\u202f\u2019]*")


def _ambiguous(text: str, suggestions: list[str]) -> ValueError:
    """The refusal of a number written with the wrong separators, offering what it could mean."""
    if len(suggestions) >= 2:
        return ValueError(
            gettext(
                "“%(text)s” could mean %(first)s or %(second)s; write the one you mean.",
                text=text,
                first=suggestions[0],
                second=suggestions[1],
            )
        )
    return ValueError(
        gettext("“%(text)s” is not written as a number here; did you mean %(first)s?", text=text, first=suggestions[0])
    )


def parse_decimal(text: str) -> Decimal:
    """A number typed the way the reader's locale writes it ("1.234,5" in German); ``ValueError`` with a
    message to show when it is not one, or could be read two ways ("1.5" in German: 15 or 1,5?)."""
    locale = locale_object()
    cleaned = text.strip().translate(_NATIVE_DIGITS)
    group = numbers.get_group_symbol(locale)
    if _SPACES.fullmatch(group):  # French groups with a narrow no-break space; people type any space
        cleaned = _SPACES.sub(group, cleaned)
    not_a_number = ValueError(
        gettext("Not a valid decimal value; write a number such as %(example)s.", example=number(Decimal("1234.5"), 2))
    )
    if not _NUMBER_CHARACTERS.fullmatch(cleaned):
        raise not_a_number
    try:
        value = numbers.parse_decimal(cleaned, locale=locale, strict=True)
    except numbers.NumberFormatError as error:
        raise _ambiguous(text.strip(), error.suggestions or []) if error.suggestions else not_a_number from error
    if not value.is_finite():
        raise not_a_number
    return value


def input_number(value: Decimal | float | int | None, places: int | None = None) -> str:
    """A number as a form field shows it for editing: the locale's decimal sign, no thousands separators."""
    if value is None:
        return ""
    pattern = "0" + ("." + "0" * places if places else ".###" if places is None else "")
    return numbers.format_decimal(value, pattern, locale=locale_object(), decimal_quantization=places is not None)


def money(value: Decimal | float | int | None) -> str:
    """An amount of money in the reader's locale, always with two decimals (no currency sign is configured)."""
    return number(value, 2)


def language_options(*, for_self: bool = True) -> list[SelectChoice]:
    """The language picker: "no choice" first (the browser's, then the site's), then each language named in itself."""
    site = LANGUAGES[site_language()]
    if for_self:
        automatic = gettext("As my browser asks (otherwise %(language)s)", language=site)
    else:
        automatic = gettext("Not chosen: their browser's, otherwise %(language)s", language=site)
    return [SelectChoice("", automatic), *(SelectChoice(code, name) for code, name in LANGUAGES.items())]


def refresh_language() -> None:
    """Forget this request's language and zone, so what follows speaks a choice just saved."""
    refresh()


def locale_object() -> Locale:
    """The current ``babel.Locale`` (English outside a request)."""
    return get_locale() or Locale.parse(FALLBACK_LANGUAGE)


def page_translations() -> support.Translations:
    """The catalogue of the language spoken now, remembered beside the locale it is for.

    Flask-Babel finds it again for every text (context, domain, cache key from the locale's name),
    which a page with hundreds of texts pays hundreds of times. Asked for another locale (inside
    ``force_locale``, after ``refresh``), it is looked up afresh.
    """
    locale = get_locale()
    remembered = g.get("_cube_translations") if has_app_context() else None
    if remembered is None or remembered[0] is not locale:
        remembered = (locale, get_translations())
        if has_app_context():
            g._cube_translations = remembered
    return remembered[1]


def register_i18n(app: Flask) -> None:
    """Bind Flask-Babel to ``app`` and give templates the language helpers and filters."""
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.install_gettext_callables(  # Flask-Babel's, through the remembered catalogue
        gettext=lambda text: page_translations().ugettext(text),
        ngettext=lambda singular, plural, n: page_translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, text: page_translations().upgettext(context, text),
        npgettext=lambda context, singular, plural, n: page_translations().unpgettext(context, singular, plural, n),
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(
        current_language=current_language, is_rtl=is_rtl, LANGUAGES=LANGUAGES, time_writer=time_writer
    )
    filters: dict[str, Any] = {
        "localtime": localtime,
        "localdate": localdate,
        "month_name": month_name,
        "number": number,
        "money": money,
    }
    app.jinja_env.filters.update(filters)
    app.after_request(_say_the_language)


def _say_the_language(response: Response) -> Response:
    """Tell clients and caches which language the answer is in, and that it depends on Accept-Language.

    Only when the request used a language: asking for one now would read the session and the
    database, which answers like ``/healthz`` must not touch.
    """
    spoken = getattr(g.get("_flask_babel"), "babel_locale", None)
    if spoken is not None:
        response.headers.setdefault("Content-Language", spoken.language)
        response.vary.add("Accept-Language")
    return response
