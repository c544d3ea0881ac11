"""Dates a sentence gives, in any of the supported languages, from CLDR (through Babel) and the Persian calendar.

"on 2 October", "2. Oktober", "2 октября", "۱۱ مهر", "vendredi", "yesterday", "в прошлом году", "15.01.2025":
each becomes a `DateMention` at a token position; `resolve` turns it into a calendar date relative to the article's
publication date, with its precision (a day, a month or a year).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from consumers.languages.text import Token, normalise

LOCALES = ("en", "de", "nl", "fr", "es", "it", "pl", "ro", "bg", "ru", "uk", "tr", "el", "is", "fa", "ar")
# The Solar Hijri months, as Iranian news dates events ("روز پنجشنبه ۲۳ اسفند"): CLDR's Persian calendar, which Babel
# does not expose.
PERSIAN_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
COMMON_WORD_IDF = 2.0  # a month name this frequent as a word dates nothing on its own
_NUMERIC = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$|^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class DateMention:
    pos: int  # token position
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None  # 0 = Monday
    relative_days: int | None = None  # yesterday = -1
    relative_unit: str | None = None  # "week", "month", "year" with relative_days as the step (-1 last, +1 next)
    persian: bool = False  # month and day are Solar Hijri


@dataclass(frozen=True, slots=True)
class EventDate:
    day: date
    precision: str  # "day" | "month" | "year"


@dataclass(frozen=True)
class _Tables:
    months: dict[str, int]  # normalised name → month
    weekdays: dict[str, int]
    relative: dict[tuple[str, ...], tuple[str, int]]  # words → (unit, step)
    persian_months: dict[str, int]


@lru_cache(maxsize=32)
def _tables(lang: str | None) -> _Tables:
    from babel import Locale

    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    relative: dict[tuple[str, ...], tuple[str, int]] = {}
    locales = [lang] if lang in LOCALES else list(LOCALES)
    for code in locales:
        loc = Locale.parse(code)
        for ctx in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for num, name in loc.months.get(ctx, {}).get(width, {}).items():
                    key = normalise(name.rstrip("."), code)
                    if len(key) >= 3:
                        months.setdefault(key, int(num))
            for num, name in loc.days.get(ctx, {}).get("wide", {}).items():
                weekdays.setdefault(normalise(name, code), int(num))
        fields = loc._data.get("date_fields", {})
        for unit in ("day", "week", "month", "year"):
            for step, phrase in dict(fields.get(unit, {}).get("relative", {})).items():
                if step == 0 and unit == "day":
                    relative[tuple(normalise(w, code) for w in phrase.split())] = ("day", 0)
                elif step != 0:
                    relative[tuple(normalise(w, code) for w in phrase.replace("\u200c", " ").split())] = (unit, int(step))
    persian = {normalise(m, "fa"): i + 1 for i, m in enumerate(PERSIAN_MONTHS)} if lang in ("fa", None) else {}
    return _Tables(months, weekdays, relative, persian)


def _month_of(low: str, tables: _Tables) -> int | None:
    m = tables.months.get(low)
    if m is None and len(low) >= 5:  # inflected month names (Polish "października", Icelandic "októbers")
        m = next((n for name, n in tables.months.items() if len(name) >= 5 and low.startswith(name[:5])), None)
    return m


@lru_cache(maxsize=32)
def _months_capitalised(lang: str | None) -> bool:
    from babel import Locale

    if lang not in LOCALES:
        return True
    name = Locale.parse(lang).months["format"]["wide"][1]
    return name[:1].isupper()


def _written_as_month(tok: Token, lang: str | None) -> bool:
    """A month name alone, not at the start of a sentence, written as the language writes months: "May" in English
    (the modal "may" is lower case), "mars" in French (the planet is "Mars")."""
    from consumers.matching.language import word_idf

    if word_idf(tok.low, lang) < COMMON_WORD_IDF:
        return False  # "mai" is Romanian "more" before it is May; "may" English "may"
    if not tok.text[:1].isalpha() or tok.text[:1].lower() == tok.text[:1].upper():
        return True  # a script without capitals
    return tok.cap == _months_capitalised(lang)


def _as_int(tok: Token | None, lo: int, hi: int) -> int | None:
    if tok is None or not tok.low.isdigit():
        return None
    n = int(tok.low)
    return n if lo <= n <= hi else None


def find_dates(tokens: list[Token], lang: str | None) -> list[DateMention]:
    tables = _tables(lang)
    out: list[DateMention] = []
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        low = tok.low
        numeric = _NUMERIC.match(tok.text)
        if numeric:
            if numeric.group(1):
                d, m, y = int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3))
            else:
                y, m, d = int(numeric.group(4)), int(numeric.group(5)), int(numeric.group(6))
            if 1 <= m <= 12 and 1 <= d <= 31:
                out.append(DateMention(i, i + 1, year=y, month=m, day=d))
            i += 1
            continue
        # dd.mm.yyyy split into three tokens by the word pattern
        if low.isdigit() and i + 2 < n and tokens[i + 1].low.isdigit() and tokens[i + 2].low.isdigit() \
                and tokens[i + 1].start - tok.end == 1 and tokens[i + 2].start - tokens[i + 1].end == 1:
            d, m, y = _as_int(tok, 1, 31), _as_int(tokens[i + 1], 1, 12), _as_int(tokens[i + 2], 1900, 2100)
            if d and m and y:
                out.append(DateMention(i, i + 3, year=y, month=m, day=d))
                i += 3
                continue
        persian_month = tables.persian_months.get(low)
        month = None if persian_month else (_month_of(low, tables) if not low.isdigit() else None)
        if month or persian_month:
            before = _as_int(tokens[i - 1], 1, 31) if i else None
            after = _as_int(tokens[i + 1], 1, 31) if i + 1 < n else None
            day = before if before is not None else after
            year = None
            for j in (i + 1, i + 2):
                y = _as_int(tokens[j], 1300, 2100) if j < n else None
                if y:
                    year = y
                    break
            start = i - 1 if before is not None else i
            if persian_month:
                out.append(DateMention(start, i + 1, year=year, month=persian_month, day=day, persian=True))
            elif day is not None or year is not None:
                out.append(DateMention(start, i + 1, year=year, month=month, day=day))
            elif i > 0 and _written_as_month(tok, lang):
                out.append(DateMention(i, i + 1, month=month))  # "in January", "Ocak ayında", "в январе"
            i += 1
            continue
        wd = tables.weekdays.get(low)
        if wd is not None:
            out.append(DateMention(i, i + 1, weekday=wd))
            i += 1
            continue
        for length in (3, 2, 1):
            key = tuple(t.low for t in tokens[i:i + length])
            rel = tables.relative.get(key) if len(key) == length else None
            if rel and not (lang == "de" and length == 1 and tok.cap and rel[0] == "day"):  # "Morgen" is morning
                unit, step = rel
                out.append(DateMention(i, i + length, relative_days=step, relative_unit=unit))
                i += length
                break
        else:
            year = _as_int(tok, 1900, 2100)
            if year and not (i + 1 < n and tokens[i + 1].low.isdigit()):
                out.append(DateMention(i, i + 1, year=year))
            i += 1
    return out


# ------------------------------------------------------------------------------------------------------ resolving
def _jalali_to_gregorian(jy: int, jm: int, jd: int) -> date:
    """The Solar Hijri date's Gregorian day (the arithmetic of the 33-year cycle, as in jdatetime)."""
    jy += 1595
    days = -355668 + (365 * jy) + ((jy // 33) * 8) + (((jy % 33) + 3) // 4) + jd
    days += (jm - 1) * 31 if jm < 7 else ((jm - 7) * 30) + 186
    gy = 400 * (days // 146097)
    days %= 146097
    if days > 36524:
        days -= 1
        gy += 100 * (days // 36524)
        days %= 36524
        if days >= 365:
            days += 1
    gy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        gy += (days - 1) // 365
        days = (days - 1) % 365
    gd = days + 1
    leap = (gy % 4 == 0 and gy % 100 != 0) or gy % 400 == 0
    month_days = [0, 31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    gm = 0
    for gm in range(1, 13):
        if gd <= month_days[gm]:
            break
        gd -= month_days[gm]
    return date(gy, gm, gd)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def resolve(mention: DateMention, published: date, *, future: bool) -> EventDate | None:
    """The calendar date a mention names, read from the publication date (a bare weekday is the last one before it
    for a past event, the next one for a planned event)."""
    if mention.relative_days is not None:
        step = mention.relative_days
        if mention.relative_unit == "day":
            return EventDate(published + timedelta(days=step), "day")
        if mention.relative_unit == "week":
            return EventDate(published + timedelta(days=7 * step), "month")
        if mention.relative_unit == "month":
            m = published.month + step
            y = published.year + (m - 1) // 12
            return EventDate(date(y, (m - 1) % 12 + 1, 1), "month")
        if mention.relative_unit == "year":
            return EventDate(date(published.year + step, 1, 1), "year")
        return None
    if mention.weekday is not None:
        delta = (published.weekday() - mention.weekday) % 7
        if future:
            ahead = (mention.weekday - published.weekday()) % 7
            return EventDate(published + timedelta(days=ahead), "day")
        return EventDate(published - timedelta(days=delta), "day")
    if mention.persian and mention.month:
        jy = mention.year or (published.year - 621)
        candidates = []
        for y in ([jy] if mention.year else [jy - 1, jy, jy + 1]):
            try:
                candidates.append(_jalali_to_gregorian(y, mention.month, mention.day or 1))
            except (ValueError, IndexError):
                continue
        if not candidates:
            return None
        best = min(candidates, key=lambda d: abs((d - published).days))
        return EventDate(best, "day" if mention.day else "month")
    if mention.month:
        if mention.year:
            d = _safe_date(mention.year, mention.month, mention.day or 1)
            return EventDate(d, "day" if mention.day else "month") if d else None
        candidates = [d for y in (published.year - 1, published.year, published.year + 1)
                      if (d := _safe_date(y, mention.month, mention.day or 1)) is not None]
        if not candidates:
            return None
        best = min(candidates, key=lambda d: abs((d - published).days))
        return EventDate(best, "day" if mention.day else "month")
    if mention.year:
        return EventDate(date(mention.year, 1, 1), "year")
    return None
