"""Understanding free-form interview answers. Pure functions, no I/O.

Each parser returns ``None`` when the answer does not say what was asked, so
the interviewer can ask again instead of guessing.
"""

from __future__ import annotations

import re

from .profile import Level

__all__ = [
    "clean_motivation",
    "extract_subject",
    "is_confirmation",
    "is_non_answer",
    "is_rejection",
    "parse_experience",
    "parse_subject_change",
    "parse_weekly_hours",
]

_NUMBER_WORDS = {
    "half an": 0.5, "half a": 0.5, "a half": 0.5, "half": 0.5,
    "a couple of": 2, "a couple": 2, "couple of": 2, "couple": 2,
    "a few": 3, "few": 3, "several": 4,
    "an": 1, "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60,
}
_NUM = r"(?:\d+(?:[.,]\d+)?|" + "|".join(
    sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True)
) + r")"
_AMOUNT = re.compile(
    rf"(?<![\w.])(?P<a>{_NUM})(?:\s*(?:-|–|to|or)\s*(?P<b>{_NUM}))?\s*"
    r"(?:(?P<hours>hours?|hrs?|h)\b|(?P<minutes>minutes?|mins?|m)\b)",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(rf"(?<![\w.])(?P<a>{_NUM})(?:\s*(?:-|–|to|or)\s*(?P<b>{_NUM}))?(?![\w.])",
                          re.IGNORECASE)
_SESSIONS_PER_WEEK = re.compile(
    rf"(?P<n>{_NUM})\s*(?:days?|times?|evenings?|nights?|mornings?|sessions?)\s*(?:a|per|each|every|/)\s*week",
    re.IGNORECASE,
)
_PER_DAY = re.compile(
    r"\b(?:a|per|each|every|/)\s*(?:day|night|evening|morning)\b|\bdaily\b|\bevery ?day\b|\bnightly\b",
    re.IGNORECASE,
)
_PER_WEEKDAY = re.compile(r"\b(?:on |each |every |per )?week ?days?\b", re.IGNORECASE)
_PER_WEEKEND_DAY = re.compile(r"\b(?:each|every|per) weekend day\b|\bboth weekend days\b|"
                              r"\b(?:saturdays? and sundays?|sundays? and saturdays?)\b", re.IGNORECASE)
_PER_MONTH = re.compile(r"\b(?:a|per|each|every|/)\s*month\b|\bmonthly\b", re.IGNORECASE)


def _number(text: str) -> float:
    key = text.lower().strip()
    if key in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[key])
    return float(key.replace(",", "."))


def parse_weekly_hours(text: str, *, bare_number_is_hours: bool = False) -> float | None:
    """Hours per week from answers like "About 5 hours per week",
    "30 minutes a day", "a couple of hours on weekends" or "2h, 3 evenings a week".

    Returns ``None`` when no amount of time is given. With
    ``bare_number_is_hours`` a lone number ("5", "maybe 4-6") counts as hours
    per week, as it does when the question was about weekly time.
    """
    m = _AMOUNT.search(text)
    minutes = False
    if m:
        minutes = bool(m.group("minutes"))
    elif bare_number_is_hours:
        m = _BARE_NUMBER.search(text)
        if not m or m.group("a").lower() in ("a", "an"):
            return None
    else:
        return None
    low = _number(m.group("a"))
    high = _number(m.group("b")) if m.group("b") else low
    amount = (low + high) / 2
    if minutes:
        amount /= 60
    rest = text[m.end():]
    sessions = _SESSIONS_PER_WEEK.search(text)
    if sessions:
        amount *= _number(sessions.group("n"))
    elif _PER_WEEKEND_DAY.search(rest):
        amount *= 2
    elif _PER_WEEKDAY.search(rest) and not re.search(r"\bweekends?\b", rest, re.IGNORECASE):
        amount *= 5
    elif _PER_DAY.search(rest):
        amount *= 7
    elif _PER_MONTH.search(rest):
        amount /= 4.345
    amount = round(amount, 1)
    if amount <= 0 or amount > 112:
        return None
    return amount


_YEARS = re.compile(rf"(?P<n>{_NUM})\+?\s*(?:years?|yrs?)\b", re.IGNORECASE)
_MONTHS = re.compile(rf"(?P<n>{_NUM})\s*months?\b", re.IGNORECASE)


def _has(text: str, *patterns: str) -> bool:
    return any(re.search(p, text) for p in patterns)


def parse_experience(text: str) -> Level | None:
    """The level implied by an answer about prior experience, or ``None``.

    "No, I'm a complete beginner" → Beginner; "I've used it at work for
    2 years" → Intermediate; "I'm a professional developer" → Advanced.
    """
    t = " " + text.lower().replace("’", "'") + " "
    if _has(t, r"\badvanced\b", r"\bexpert\b", r"\bsenior\b", r"\bprofessional(ly)?\b", r"\bfluent\b",
            r"\bmany years\b", r"\bdecades?\b", r"\bfor years\b", r"\bvery experienced\b", r"\bpro\b"):
        return Level.ADVANCED
    if _has(t, r"\bintermediate\b", r"\bknow the basics\b", r"\bcomfortable\b", r"\bfamiliar\b",
            r"\bsome experience\b", r"\bdecent\b", r"\bfairly\b", r"\bquite a bit\b"):
        return Level.INTERMEDIATE
    years = _YEARS.search(t)
    if years:
        n = _number(years.group("n"))
        return Level.ADVANCED if n >= 4 else Level.INTERMEDIATE if n >= 1 else Level.BEGINNER
    months = _MONTHS.search(t)
    if months and _has(t, r"\b(used|using|worked|working|doing|done|played|playing|studied|studying|"
                          r"learn(ed|ing|t)|practi[sc](ed|ing)|been)\b"):
        return Level.INTERMEDIATE if _number(months.group("n")) >= 6 else Level.BEGINNER
    if _has(t, r"\bbeginner\b", r"\bnewbie\b", r"\bnovice\b", r"\bno experience\b", r"\bnever\b",
            r"\bnone\b", r"\bzero\b", r"^ no\b", r"^ nope\b", r"\bnot really\b", r"\bnot at all\b",
            r"\bnothing\b", r"\bnew to\b", r"\bfrom scratch\b", r"\bjust start", r"\bhaven't\b",
            r"\bhave not\b", r"\bdon't have\b", r"\bdo not have\b", r"\bfirst time\b", r"\bno idea\b",
            r"\ba little\b", r"\ba bit\b", r"\bbarely\b", r"\bbasics?\b", r"\bdabbled\b",
            r"\bhello world\b", r"\bonce or twice\b", r"\btutorials?\b"):
        return Level.BEGINNER
    if _has(t, r"\b(i've|i have|i) (used|worked|been using|been working|built|written|made|played|studied)\b",
            r"\bat work\b", r"\bin my job\b", r"\bsome\b", r"\bused it\b", r"\bworked with\b",
            r"\bside projects?\b", r"\bbuilt\b"):
        return Level.INTERMEDIATE
    return None


_CONFIRM = re.compile(
    r"^\s*(?:yes|yeah|yea|yep|yup|ya|sure|correct|that'?s (?:correct|right|it|perfect|great|good)|"
    r"right|exactly|absolutely|definitely|perfect|confirm(?:ed)?|looks (?:good|great|right|perfect)|"
    r"sounds (?:good|great|right|perfect)|all good|go ahead|do it|let'?s go|let'?s do it|ok(?:ay)?|"
    r"great|good|👍|y)\b",
    re.IGNORECASE,
)
_REJECT = re.compile(
    r"^\s*(?:no|nope|nah|not quite|not really|wrong|incorrect|that'?s (?:wrong|not right|incorrect)|"
    r"wait|hold on|actually|change|not exactly)\b",
    re.IGNORECASE,
)


def _normalise(text: str) -> str:
    return text.replace("’", "'").strip()


def is_confirmation(text: str) -> bool:
    t = _normalise(text)
    return bool(_CONFIRM.match(t)) and not _REJECT.match(t) and not re.search(r"\bbut\b", t, re.I)


def is_rejection(text: str) -> bool:
    return bool(_REJECT.match(_normalise(text)))


_NON_ANSWERS = re.compile(
    r"^\s*(?:i\s*)?(?:don'?t know|dunno|idk|no idea|not sure|unsure|whatever|anything|nothing|"
    r"n/?a|none|skip|pass|\?+|\.+|hmm+|um+|uh+|asdf\w*|test|hi|hello|hey|yo|ok(?:ay)?|yes|no|maybe)"
    r"[\s.!?]*$",
    re.IGNORECASE,
)


def is_non_answer(text: str) -> bool:
    """True for answers that say nothing usable ("idk", "?", "hello")."""
    t = _normalise(text)
    return bool(_NON_ANSWERS.match(t)) or not re.search(r"[^\W\d_]{2,}", t)


_SUBJECT_LEADS = [
    r"(?:hi|hello|hey)(?: there)?[,!.]?\s*",
    r"(?:so|well|ok(?:ay)?|um+|uh+)[,]?\s*",
    r"i(?:'d| would| really| want| wanna| need| hope| plan| am going| 'm going)*(?: like)?(?: to)?\s*"
    r"(?:learn(?: about| how to)?|study|master|get (?:better|good) at|get into|improve(?: my)?|"
    r"understand|pick up|start(?: learning)?|be able to)\s+",
    r"i'?m (?:interested in|curious about|keen on|trying to learn|learning|looking to learn)\s+",
    r"(?:please |can you |could you )?(?:teach|help) me(?: (?:learn|with|to learn|understand))?\s+",
    r"(?:learning|learn|studying|mastering)\s+",
    r"my (?:goal|plan) is to (?:learn|study|master)\s+",
    r"how to\s+",
]
_SUBJECT_TAILS = re.compile(
    r"\s*(?:[,;.!?]|\b(?:because|since|so that|so i can|so i could|as i|in order to|please|thanks|"
    r"thank you)\b).*$",
    re.IGNORECASE,
)
_MOTIVATION_IN_SUBJECT = re.compile(
    r"\b(?:because|since|so that|so i can|so i could|in order to)\b\s*(?P<m>.+)$", re.IGNORECASE
)


def extract_subject(text: str) -> tuple[str, str | None] | None:
    """(subject, motivation-if-given) from an opening like "I want to learn
    Python for data analysis because I want to analyze business data".
    ``None`` when no subject can be found ("hi", "?")."""
    t = _normalise(text)
    motivation = None
    m = _MOTIVATION_IN_SUBJECT.search(t)
    if m and len(m.group("m").strip(" .!")) >= 3:
        motivation = m.group("m").strip(" .!")
    subject = t
    changed = True
    while changed:
        changed = False
        for lead in _SUBJECT_LEADS:
            new = re.sub("^" + lead, "", subject, count=1, flags=re.IGNORECASE)
            if new != subject:
                subject, changed = new, True
    subject = _SUBJECT_TAILS.sub("", subject).strip(" \"'`.")
    subject = re.sub(r"^(?:more about|about|some|a bit of|the basics of|basics of|how to use|the)\s+", "",
                     subject, flags=re.IGNORECASE)
    subject = re.sub(r"\s+", " ", subject)
    if not subject or is_non_answer(subject):
        return None
    if len(subject) > 80:
        subject = subject[:80].rsplit(" ", 1)[0]
    return subject, motivation


_SUBJECT_CHANGE = re.compile(
    r"(?:change (?:the )?(?:subject|topic) to|(?:subject|topic) (?:should be|is)|i'?d rather learn|"
    r"i want to learn|i'd like to learn|instead,? (?:i want to learn )?|learn)\s+(?P<s>[^,.;!?]+)",
    re.IGNORECASE,
)


def parse_subject_change(text: str) -> str | None:
    """A corrected subject in a reply to the summary ("no, I'd rather learn Rust")."""
    m = _SUBJECT_CHANGE.search(_normalise(text))
    if not m:
        return None
    subject = re.sub(r"\s+instead$", "", m.group("s").strip(), flags=re.IGNORECASE).strip()
    return subject or None


_MOTIVATION_LEADS = re.compile(
    r"^(?:so (?:that )?i can\s+|well,?\s*|so,?\s*|mainly,?\s*|mostly,?\s*|honestly,?\s*|my (?:main )?(?:motivation|goal|reason) is\s*"
    r"(?:that\s*|to\s*)?|because\s*|since\s*|i(?:'d| would)? (?:want|like|need|hope|plan) to\s+|"
    r"to\s+)+",
    re.IGNORECASE,
)


_COMMON_VERBS = frozenset(
    "analyze analyse apply automate become build change communicate cook create design develop earn enjoy "
    "find get grow help impress improve join keep land launch learn make move pass play prepare read run "
    "speak start switch talk teach travel understand use win work write".split()
)


def clean_motivation(text: str) -> tuple[str, bool]:
    """The motivation without its lead-in, and whether it reads as a verb
    phrase ("analyze business data") rather than a reason ("my job needs it")."""
    t = _normalise(text).rstrip(" .!")
    m = _MOTIVATION_LEADS.match(t)
    if m and m.end() < len(t):
        lead = m.group(0).lower()
        verb_phrase = bool(re.search(r"(?:to|can)\s*$", lead))
        return t[m.end():].strip(), verb_phrase
    first = t.split(" ", 1)[0].lower()
    return t, first in _COMMON_VERBS
