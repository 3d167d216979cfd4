"""Understanding free-form interview answers. Pure functions, no I/O.

Each parser returns ``None`` when the answer does not say what was asked, so
the interviewer can ask again (once) instead of guessing. This module reads
subjects, motivations, replies to the summary and replies that answer nothing;
weekly time is read by :mod:`.weekly_time` and experience by :mod:`.experience`
(both re-exported here).
"""

from __future__ import annotations

import enum
import re

from .catalogue import skills_in
from .experience import ExperienceReading, parse_experience, stated_beginner
from .learner_text import clean_learner_text
from .learner_text import normalise_quotes as _normalise
from .weekly_time import digits, parse_weekly_hours

__all__ = [
    "ConfirmationReading", "ExperienceReading", "Unreadable",
    "classify_unreadable", "clean_motivation", "digits", "extract_subject", "parse_confirmation",
    "parse_experience", "parse_motivation", "parse_subject_change", "parse_weekly_hours", "stated_beginner",
]


# -- confirmation --------------------------------------------------------------------------------

class ConfirmationReading(str, enum.Enum):
    YES = "yes"
    """A clear yes and nothing else."""
    NO = "no"
    """No, not yet, hesitation, a question or anything else that is not a clear yes."""


_YES_CORE = frozenset(
    "yes yeah yea yep yup ya y yas yess yesss sure ok okay k kk correct right exactly absolutely definitely "
    "perfect great good fine confirm confirmed agreed lgtm alright awesome cool nice true precisely yessir "
    "👍 ✅ ✔ ✔️ 👌 🙌 💯 aye affirmative indeed".split())
_YES_FILLER = frozenset(
    "that that's thats is it its it's all looks look sounds sound go ahead do please pls thanks thank you "
    "create make build start the my mission plan this one spot on totally of course let's lets yes, sir "
    "very much so 100% go. for me to perfectly works work with sure, great! wonderful excellent "
    "brilliant fantastic lovely amazing super right, me! i'm ready am".split())


def parse_confirmation(text: str) -> ConfirmationReading:
    """Only a clear yes ("yes", "Yes, that's correct!", "👍", "sure, go ahead") is
    YES. "no", "not yet", "hold on", "yes but make it 4 hours", "hmm", a
    question, another language: all NO."""
    t = _normalise(text).lower()
    if not t or "?" in t:
        return ConfirmationReading.NO
    t = re.sub(r"\b(?:go ahead|do it|let'?s go|let'?s do (?:it|this)|go for it|create it|ship it|make it so)\b",
               "yes", t)
    words = re.findall(r"[\w']+|[^\w\s'.,!]+", t)
    if not words or not any(w in _YES_CORE for w in words):
        return ConfirmationReading.NO
    if all(w in _YES_CORE or w in _YES_FILLER for w in words):
        return ConfirmationReading.YES
    return ConfirmationReading.NO


# -- replies that answer nothing -----------------------------------------------------------------

class Unreadable(str, enum.Enum):
    GREETING = "greeting"
    UNSURE = "unsure"
    QUESTION = "question"
    NO_WORDS = "no_words"
    OTHER_LANGUAGE = "other_language"
    UNCLEAR = "unclear"


_GREETING = re.compile(r"^(?:hi+|hello+|hey+|hiya|yo|howdy|good (?:morning|afternoon|evening)|greetings|sup|"
                       r"what'?s up|hey there|hi there|hello there)\b[\s!.,]*(?:there|again|bot|friend)?[\s!.,]*"
                       r"(?:how are you(?: doing)?|how's it going)?[\s!.?]*$")
_UNSURE = re.compile(r"^(?:i\s*)?(?:(?:really |honestly )?(?:don'?t|do not) know|dunno|idk|no idea|not sure|unsure|"
                     r"whatever|anything|nothing|n/?a|none|skip|pass|no clue|no comment|hm+|um+|uh+|er+|meh|"
                     r"i can'?t say|hard to say|good question|who knows|no preference|doesn'?t matter|"
                     r"you (?:choose|decide|pick)|up to you|asdf\w*|test(?:ing)?|ok(?:ay)?|yes|no|maybe|k)"
                     r"(?:,? (?:really|honestly|sorry|lol|haha))?[\s.!?]*$")
_FOREIGN_WORDS = re.compile(r"\b(?:hola|quiero|aprender|gracias|bonjour|je veux|apprendre|merci|oui|ich (?:möchte|will)|"
                            r"lernen|danke|ciao|voglio|imparare|obrigad[oa]|quero|não|sí|nein|tengo|horas|semana|"
                            r"stunden|heures|par semaine|pro woche|por semana|qué|quieres|cómo|dónde|también|"
                            r"pourquoi|comment|warum|wie bitte|je ne sais pas|no sé|weiß nicht|non lo so|porque|pero|gusta|"
                            r"parce que|weil|nicht|perché|também|muito|molto|un poco|cuántas|cuánto)\b")


def classify_unreadable(text: str) -> Unreadable:
    """Why an answer could not be read, for a fitting redirect."""
    t = _normalise(text).lower()
    if not re.search(r"[^\W\d_]", t):
        return Unreadable.NO_WORDS
    letters = [ch for ch in t if ch.isalpha()]
    if letters and sum(1 for ch in letters if ch.isascii() or ch in "áéíóúñüöäßàèçâêîôûœ") / len(letters) < 0.5:
        return Unreadable.OTHER_LANGUAGE
    if _FOREIGN_WORDS.search(t) or re.search(r"[¿¡]", t):
        return Unreadable.OTHER_LANGUAGE
    if _GREETING.match(t):
        return Unreadable.GREETING
    if _UNSURE.match(t):
        return Unreadable.UNSURE
    if t.rstrip().endswith("?"):
        return Unreadable.QUESTION
    return Unreadable.UNCLEAR


def is_non_answer(text: str) -> bool:
    """True for answers that say nothing usable ("idk", "?", "hello", "🙂", "¿qué?")."""
    t = _normalise(text).lower()
    kind = classify_unreadable(t)
    return kind is not Unreadable.UNCLEAR or len(re.findall(r"[^\W\d_]{2,}", t)) == 0


# -- subject -------------------------------------------------------------------------------------

_SUBJECT_LEADS = [
    r"(?:hi|hello|hey|hiya)(?: there)?[,!.]*\s*",
    r"(?:so|well|ok(?:ay)?|um+|uh+|hmm+|honestly|basically|actually|right|alright)[,.!]*\s+",
    r"(?:i think|i guess|i suppose|maybe|probably|perhaps)[,]?\s+",
    r"(?:i've been thinking(?: about it)?(?: and)?|i've always wanted to)[,]?\s*",
    r"i(?:'d| would| really| want| wanna| need| hope| plan| am going| 'm going| 'd love| love| like| also|"
    r" want to| have to| gotta| must| finally want| finally)*(?: like| love)?(?: to)?\s*"
    r"(?:learn(?: more)?(?: about| how to)?|study|master|get (?:better|good) at|get into|improve(?: my)?|"
    r"understand|pick up|start(?: learning)?|be able to|try|explore|dive into|work on|become (?:a|an))\s+",
    r"i'?m (?:interested in|curious about|keen on|trying to learn|learning|looking to (?:learn|get into)|into|"
    r"thinking (?:about|of) learning)\s+",
    r"(?:please |can you |could you |would you )?(?:teach|help|show) me(?: (?:learn|with|to learn|understand|how to))?\s+",
    r"(?:can|could) i (?:learn|study)\s+",
    r"(?:learning|learn|studying|mastering|get (?:better|good) at|improve(?: my)?|become (?:a|an)|"
    r"getting (?:better|good) at)\s+",
    r"my (?:goal|plan|dream) is to (?:learn|study|master)\s+",
    r"(?:it'?s|it is|that'?s|that would be|probably|definitely|mainly|mostly)\s+",
    r"how to\s+",
]
_SUBJECT_TAILS = re.compile(
    r"\s*(?:[,;!?()]|\.(?=\s|$)|\s-\s|\b(?:because|since|so that|so i can|so i could|as i|in order to|please|thanks|"
    r"thank you|i think|i guess|if possible|i suppose|or something|or so|one day|someday|eventually|"
    r"maybe|at some point|this year|right now)\b).*$",
    re.IGNORECASE,
)
_SUBJECT_FILLER = re.compile(
    r"^(?:more about|about|some|a bit of|a bit about|a little|the basics of|basics of|how to use|how to do|the|"
    r"really|properly|well|more|a|an|to)\s+", re.IGNORECASE)
_MOTIVATION_IN_SUBJECT = re.compile(
    r"\b(?:because|since|so that|so i can|so i could|in order to|as i want to|as i need to)\b\s*(?P<m>.+)$",
    re.IGNORECASE)
_FOR_MY = re.compile(r"[\s,]+(?P<m>for (?:my|our|a|an) (?!living\b).*)$", re.IGNORECASE)
_LEARN_VERB_INSIDE = re.compile(r"^(?:i'?m|i am|i)\b.*?\b(?:want|like|love|need|hope|plan)s? to "
                                r"(?:learn|study|master|get (?:better|good) at|get into|pick up)\s+(?P<rest>.+)$",
                                re.IGNORECASE)


def extract_subject(text: str) -> tuple[str, str | None] | None:
    """(subject, motivation-if-given) from an opening like "I want to learn
    Python for data analysis because I want to analyze business data".
    The subject is the learner's own words without filler; ``None`` when
    there is none ("hi", "?", "idk")."""
    t = clean_learner_text(_normalise(text))
    if not t or classify_unreadable(t) in (Unreadable.NO_WORDS, Unreadable.GREETING, Unreadable.UNSURE,
                                           Unreadable.OTHER_LANGUAGE):
        return None
    if t.endswith("?") and re.match(r"(?:what|why|how|who|when|where|which|do|does|is|are|huh|eh)\b", t, re.I):
        return None  # a question back ("what do you mean?"), not a subject
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
        new = _SUBJECT_FILLER.sub("", subject)
        if new != subject:
            subject, changed = new, True
    inside = _LEARN_VERB_INSIDE.match(subject)
    if inside:  # "I'm a total beginner and want to learn guitar"
        subject = _SUBJECT_FILLER.sub("", inside.group("rest"))
    if motivation is None:
        for_my = _FOR_MY.search(subject)
        if for_my and for_my.start() > 0:
            motivation = for_my.group("m").strip(" .!")
    subject = _SUBJECT_TAILS.sub("", subject).strip(" \"'`.:-?")
    subject = re.sub(r"[^\w)+#]+$", "", subject)  # trailing emoji or symbols ("piano 🎹")
    for_my = _FOR_MY.search(subject)
    if for_my and for_my.start() > 0:  # "SQL for my new job": the subject, and why
        motivation = motivation or for_my.group("m")
        subject = subject[: for_my.start()].strip()
    subject = re.sub(r"\s+", " ", subject)
    if not subject or (is_non_answer(subject) and not skills_in(subject) and subject.lower() not in ("r", "c")) or re.fullmatch(r"(?:it|this|that|something|stuff|things)", subject,
                                                             re.IGNORECASE):
        return None
    if classify_unreadable(subject) is Unreadable.OTHER_LANGUAGE:
        return None
    if len(subject) > 80:
        subject = subject[:80].rsplit(" ", 1)[0]
    return subject, motivation


_SUBJECT_CHANGE = re.compile(
    r"(?:change (?:the )?(?:subject|topic|skill) to|(?:subject|topic|skill) (?:should be|is|to)|"
    r"i'?d (?:rather|prefer to) (?:learn|study|do)|i (?:actually )?want to learn|i'd like to learn|"
    r"switch (?:it )?to|make it|learn|rather)\s+(?P<s>[^,.;!?]+)",
    re.IGNORECASE,
)


def parse_subject_change(text: str) -> str | None:
    """A corrected subject in a reply to the summary ("no, I'd rather learn
    Rust", "make it Rust instead", "change the subject to chess")."""
    m = _SUBJECT_CHANGE.search(_normalise(text))
    if not m:
        return None
    subject = re.sub(r"\s+instead$", "", m.group("s").strip(), flags=re.IGNORECASE).strip()
    if not subject or parse_weekly_hours(subject) is not None or re.match(
            r"^(?:\d|beginner|intermediate|advanced|an? (?:beginner|expert))", subject, re.IGNORECASE):
        return None
    found = extract_subject(subject)
    return found[0] if found else None


# -- motivation ----------------------------------------------------------------------------------

_MOTIVATION_LEADS = re.compile(
    r"^(?:so (?:that )?i can\s+|well,?\s*|so,?\s*|mainly,?\s*|mostly,?\s*|honestly,?\s*|um+,?\s*|"
    r"my (?:main )?(?:motivation|goal|reason) is\s*(?:that\s*|to\s*)?|because\s*|since\s*|"
    r"i(?:'d| would)? (?:want|like|need|hope|plan) to\s+|to\s+)+",
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


def parse_motivation(text: str) -> str | None:
    """The learner's motivation in their words (cleaned), or ``None`` for a reply
    that gives none ("idk", "hello", "why do you ask?")."""
    t = clean_learner_text(_normalise(text))
    if not t or is_non_answer(t) or t.endswith("?"):
        return None
    return t


