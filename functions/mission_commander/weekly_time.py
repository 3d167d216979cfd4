"""Weekly time from free-form answers: numbers in words become digits (``text2num``),
then time forms become hours per week. Pure, no I/O."""

from __future__ import annotations

import re

from text_to_num import alpha2digit

from .learner_text import normalise_quotes as _normalise

__all__ = ["digits", "parse_weekly_hours"]


# -- numbers and time ----------------------------------------------------------------------------

_PHRASES = [
    (r"\b(?:an?|one) hours? and a half\b", "1.5 hours"),
    (r"\bhalf an? hours?\b", "0.5 hours"),
    (r"\b(?:a|one) quarter of an hour\b", "0.25 hours"),
    (r"\b(?:a )?couple(?: of)?\b", "2"),
    (r"\ba few\b", "3"),
    (r"\bseveral\b", "4"),
    (r"\ban? (?=hours?\b|minutes?\b)", "1 "),
    (r"\bhalf\b", "0.5"),
]


def digits(text: str) -> str:
    """``text`` with numbers written in words turned into digits ("two and a half
    hours" → "2.5 hours", "a couple of hours" → "2 hours", "twenty five" → "25")."""
    t = _normalise(text).lower()
    for pattern, repl in _PHRASES:
        t = re.sub(pattern, repl, t)
    t = alpha2digit(t, "en", threshold=0)
    t = re.sub(r"(\d+(?:\.\d+)?) and (?:a )?0\.5\b", lambda m: f"{float(m.group(1)) + 0.5:g}", t)
    t = re.sub(r"(\d+),(\d+)", r"\1.\2", t)
    t = re.sub(r"(\d+(?:\.\d+)?) (hours?|minutes?) or (\d+(?:\.\d+)?)\b(?! ?(?:hours?|minutes?|h\b|m\b))",
               r"\1-\3 \2", t)  # "an hour or two" → "1-2 hour"
    return t


_N = r"\d+(?:\.\d+)?"
_RANGE = rf"(?P<a>{_N})(?:\s*(?:-|to|or|/)\s*(?P<b>{_N}))?"
_AMOUNT = re.compile(rf"(?<![\w.]){_RANGE}\s*(?:(?P<hours>hours?|hrs?|h)\b|(?P<minutes>minutes?|mins?|m)\b)")
_HOURS_MINUTES = re.compile(rf"(?<![\w.])(?P<h>{_N})\s*(?:hours?|hrs?|h)\s*(?:and\s*)?(?P<m>\d+)\s*(?:minutes?|mins?|m)?\b")
_CLOCK = re.compile(r"(?<![\w.:])(?P<h>\d{1,2}):(?P<m>[0-5]\d)(?![\d:])")
_BARE = re.compile(rf"(?<![\w.]){_RANGE}(?![\w.])")
_SESSIONS = re.compile(
    rf"(?P<n>{_N})(?:\s*(?:-|to|or)\s*(?P<n2>{_N}))?\s*(?:days?|times?|evenings?|nights?|mornings?|sessions?|x)\s*"
    r"(?:a|per|each|every|/|in a)\s*week")
_PER_DAY = re.compile(r"(?:\b(?:a|per|each|every)|/)\s*(?:day|night|evening|morning)\b|\bdaily\b|\bevery ?day\b|"
                      r"\bnightly\b|\bevery (?:evening|night|morning)\b")
_EVERY_OTHER_DAY = re.compile(r"\bevery (?:other|second) day\b")
_WEEKDAYS = re.compile(r"\bweek ?days?\b|\bmonday to friday\b|\bworking days\b|\bafter work\b")
_EACH_WEEKEND_DAY = re.compile(r"\b(?:each|every|per) weekend day\b|\bboth weekend days\b|"
                               r"\bsaturdays? and sundays?\b|\bsundays? and saturdays?\b|"
                               r"\b(?:a|per) day (?:on|at|over) (?:the )?weekends?\b")
_PER_MONTH = re.compile(r"(?:\b(?:a|per|each|every)|/)\s*month\b|\bmonthly\b")
_LUNCH = re.compile(r"\blunch ?breaks?\b")


def parse_weekly_hours(text: str, *, bare_number_is_hours: bool = False) -> float | None:
    """Hours per week from "About 5 hours per week", "two hours", "30 minutes a
    day", "half an hour a day", "a couple of hours on weekends", "1h30 twice a
    week", "5-6 hours"...

    ``None`` when no amount of time is given. With ``bare_number_is_hours`` a
    lone number ("5", "maybe 4-6") counts as hours per week, as it does when
    the question was about weekly time.
    """
    t = digits(text)
    amount = None
    end = 0
    hm = _HOURS_MINUTES.search(t) or _CLOCK.search(t)
    if hm:
        amount, start, end = float(hm.group("h")) + float(hm.group("m")) / 60, hm.start(), hm.end()
    else:
        m = _AMOUNT.search(t)
        if m is None and bare_number_is_hours:
            m = _BARE.search(t)
            if m and _SESSIONS.match(t, m.start()):
                m = None
        if m is None:
            return None
        low = float(m.group("a"))
        high = float(m.group("b")) if m.group("b") else low
        amount, start, end = (low + high) / 2, m.start(), m.end()
        if m.groupdict().get("minutes"):
            amount /= 60
    rest = t[end:]
    sessions = _SESSIONS.search(t)
    if sessions:
        n = float(sessions.group("n"))
        n2 = float(sessions.group("n2")) if sessions.group("n2") else n
        amount *= (n + n2) / 2
    elif re.search(r"\btwice (?:a|per|each) week\b", t):
        amount *= 2
    elif _EVERY_OTHER_DAY.search(t):
        amount *= 3.5
    elif _EACH_WEEKEND_DAY.search(t):
        amount *= 2
    elif _WEEKDAYS.search(t) and not re.search(r"\bweekends?\b", rest):
        amount *= 5
    elif _PER_DAY.search(rest) or _PER_DAY.search(t[:start]) or _LUNCH.search(t):
        amount *= 7 if not _LUNCH.search(t) else 5
    elif _PER_MONTH.search(rest):
        amount /= 4.345
    amount = round(amount, 1)
    if amount <= 0 or amount > 112:
        return None
    return amount


