"""Understanding free-form interview answers. Pure functions, no I/O.

Each parser returns ``None`` when the answer does not say what was asked, so
the interviewer can ask again (once) instead of guessing. Numbers written in
words are turned into digits by ``text2num`` before the time parser reads them.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from text_to_num import alpha2digit

from .catalogue import find_subject, mentions, skills_in
from .learner_text import clean_learner_text
from .profile import Level

__all__ = [
    "ConfirmationReading", "ExperienceReading", "Unreadable",
    "classify_unreadable", "clean_motivation", "digits", "extract_subject", "parse_confirmation",
    "parse_experience", "parse_motivation", "parse_subject_change", "parse_weekly_hours", "stated_beginner",
]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")).strip()


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
        amount, end = float(hm.group("h")) + float(hm.group("m")) / 60, hm.end()
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
        amount, end = (low + high) / 2, m.end()
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
    elif _PER_DAY.search(rest) or _LUNCH.search(t):
        amount *= 7 if not _LUNCH.search(t) else 5
    elif _PER_MONTH.search(rest):
        amount /= 4.345
    amount = round(amount, 1)
    if amount <= 0 or amount > 112:
        return None
    return amount


# -- experience ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExperienceReading:
    level: Level | None
    """The level in *this* subject, ``None`` when the answer does not say."""
    prior_skills: tuple[str, ...] = ()
    """Neighbouring skills the learner named ("Java, 10 years")."""


_NEGATORS = re.compile(r"(?:\bnot\b|\bnever\b|\bno\b|n't\b|\bhardly\b|\bbarely\b|\bfar from\b|\bnowhere near\b|"
                       r"\bwouldn't call myself\b|\bwouldn't say\b)(?:\s+\w+){0,3}\s*$")
_HEDGES = re.compile(r"(?:\bkind of\b|\bsort of\b|\bsomewhat\b|\bmaybe\b|\bi guess\b|\bprobably\b|\bkinda\b|"
                     r"\bsemi\b|\bslightly\b|\ba bit\b|\bperhaps\b)(?:\s+\w+){0,2}\s*$")
_ADVANCED = [r"\badvanced\b", r"\bexpert\b", r"\bsenior\b", r"\bprofessional(?:ly)?\b", r"\bfluent(?:ly)?\b",
             r"\bmany years\b", r"\bdecades?\b", r"\bfor years\b", r"\bvery experienced\b", r"\bpro\b",
             r"\bmaster(?:ed)?\b", r"\bnative\b", r"\bfor a living\b", r"\bteach it\b", r"\bprofessionally\b"]
_INTERMEDIATE = [r"\bintermediate\b", r"\b(?:know|learned|learnt|understand|got|have) the basics\b",
                 r"\bcomfortable\b", r"\bfamiliar\b", r"\bsome experience\b", r"\bdecent\b", r"\bfairly good\b",
                 r"\bquite a bit\b", r"\bconversational\b", r"\bget by\b", r"\bpretty good\b", r"\bsolid\b",
                 r"\bexperienced\b", r"\bregularly\b", r"\ba few projects\b", r"\bside projects?\b"]
_BEGINNER = [r"\bbeginner\b", r"\bnewbie\b", r"\bnovice\b", r"\bno experience\b", r"\bnever\b", r"\bnone\b",
             r"\bzero\b", r"\bnot really\b", r"\bnot at all\b", r"\bnothing\b", r"\bnew to\b", r"\bfrom scratch\b",
             r"\bjust start", r"\bhaven't\b", r"\bhave not\b", r"\bhasn't\b", r"\bfirst time\b", r"\bno idea\b",
             r"\ba little\b", r"\ba bit\b", r"\bbarely\b", r"\bbasics\b", r"\bdabbled\b", r"\bhello world\b",
             r"\bonce or twice\b", r"\btutorials?\b", r"\bnot much\b", r"\bstarting out\b", r"\bforgot(?:ten)?\b",
             r"\bcomplete(?:ly)? new\b", r"\bclueless\b", r"\bnoob\b", r"\bgreen\b", r"\brusty\b",
             r"^no\b", r"^nope\b", r"\bat all\b", r"\btook (?:a|one|an online|a short) (?:course|class)\b"]
_STATED_BEGINNER = re.compile(r"\bbeginner\b|\bnewbie\b|\bnovice\b|\bnever\b|\bno experience\b|\bnew to\b|"
                              r"\bfrom scratch\b|\bstarting out\b|\bjust start|\bnoob\b|\bclueless\b|"
                              r"\bfirst time\b|\bzero\b")
_USED = re.compile(r"\b(?:i've|i have|i|we) (?:used|worked|been using|been working|built|written|made|played|"
                   r"studied|done|coded|programmed|learned|learnt)\b|\bat work\b|\bin my job\b|\bused it\b|"
                   r"\bworked with\b|\bbuilt\b|\bi use\b|\bi do\b|\bi play\b|\bi speak\b|"
                   r"\b(?:know|speak|use|write|play) \w+(?: \w+)? well\b|\bi work (?:as|with|in)\b")
_YEARS = re.compile(r"(?P<n>\d+(?:\.\d+)?)\+?\s*(?:years?|yrs?)\b(?! ago)")
_MONTHS = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*months?\b(?! ago)")
_WEEKS = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*weeks?\b(?! ago)")
_LEVELS = [Level.BEGINNER, Level.INTERMEDIATE, Level.ADVANCED]


def _cue_levels(clause: str) -> tuple[list[Level], list[Level]]:
    """(levels the clause claims, levels it denies)."""
    claims: list[Level] = []
    denials: list[Level] = []
    for level, cues in ((Level.ADVANCED, _ADVANCED), (Level.INTERMEDIATE, _INTERMEDIATE),
                        (Level.BEGINNER, _BEGINNER)):
        for cue in cues:
            for m in re.finditer(cue, clause):
                before = clause[: m.start()]
                if level is not Level.BEGINNER and _NEGATORS.search(before):
                    denials.append(level)
                elif level is Level.BEGINNER and re.search(r"\b(?:not|no longer|hardly) (?:a |an |\w+ )?$",
                                                           before) and cue not in (r"\bnever\b", r"\bnone\b"):
                    denials.append(level)
                elif level is Level.ADVANCED and _HEDGES.search(before):
                    claims.append(Level.INTERMEDIATE)
                else:
                    claims.append(level)
    years = _YEARS.search(clause)
    if years:
        n = float(years.group("n"))
        claims.append(Level.ADVANCED if n >= 4 else Level.INTERMEDIATE if n >= 1 else Level.BEGINNER)
    else:
        months, weeks = _MONTHS.search(clause), _WEEKS.search(clause)
        if months:
            claims.append(Level.INTERMEDIATE if float(months.group("n")) >= 6 else Level.BEGINNER)
        elif weeks:
            claims.append(Level.BEGINNER)
    if not claims and not denials and _USED.search(clause) and not _NEGATORS.search(clause):
        claims.append(Level.INTERMEDIATE)
    return claims, denials


def _level_from(claims: list[Level], denials: list[Level], stated_beginner: bool = False) -> Level | None:
    if claims:
        # A stated beginner wins over vaguer claims in the same breath ("a beginner, I did some tutorials").
        level = Level.BEGINNER if stated_beginner and Level.BEGINNER in claims else max(claims, key=_LEVELS.index)
        for denied in denials:
            if denied is not Level.BEGINNER and _LEVELS.index(level) >= _LEVELS.index(denied):
                level = _LEVELS[max(0, _LEVELS.index(denied) - 1)]
        return level
    if denials:
        return Level.INTERMEDIATE if denials == [Level.BEGINNER] * len(denials) else Level.BEGINNER
    return None


_CLAUSES = re.compile(r"[.;!?\n]+|,\s*(?:but|and|though|although)?\s*|\s+(?:but|and|though|although|whereas|while)\s+")


def _subject_names(subject: str | None) -> list[str]:
    if not subject:
        return []
    names = skills_in(subject)
    entry = find_subject(subject)
    if entry:
        names += [n for n in entry.names if mentions(subject, n)]
    if entry and entry.key in ("python", "python-data", "web", "machine-learning", "sql"):
        names += ["programming", "coding"] if entry.key != "sql" else []
    return names


def parse_experience(text: str, subject: str | None = None) -> ExperienceReading:
    """The level in ``subject`` implied by an answer about prior experience.

    Negation and hedging are read ("not a professional", "never did it",
    "kind of advanced"); years in a *neighbouring* skill ("10 years of Java"
    when learning Python) go to ``prior_skills`` and do not raise the level.
    """
    t = " " + digits(text) + " "
    own = set(_subject_names(subject))
    stated_beginner = False
    clauses = [c.strip() for c in _CLAUSES.split(t) if c and c.strip()]
    subject_claims: list[Level] = []
    subject_denials: list[Level] = []
    prior: list[str] = []
    neighbour_only = True
    topic: list[str] = []  # the neighbouring skills the current clause talks about ([] = the subject)
    years_of: dict[str, str] = {}
    for clause in clauses or [t]:
        named = [s for s in skills_in(clause) if s not in own] if subject else []
        about_subject = any(mentions(clause, n) for n in own) or re.search(r"\bit\b|\bthis\b|\bthat\b", clause)
        if named and not about_subject:
            topic = named
        elif named or about_subject:
            topic = []
        claims, denials = _cue_levels(clause)
        if topic:  # about another skill: kept in the profile, never this subject's level
            years = _YEARS.search(clause)
            if claims and any(c is not Level.BEGINNER for c in claims):
                for skill in topic:
                    prior.append(skill)
                    if years:
                        years_of[skill] = years.group("n")
            continue
        neighbour_only = False
        if Level.BEGINNER in claims and _STATED_BEGINNER.search(clause) and not re.search(
                r"\b(?:not|no longer)\s+(?:a\s+|an\s+|\w+\s+)?(?:beginner|newbie|novice)", clause):
            stated_beginner = True
        subject_claims += claims
        subject_denials += denials
    prior = [f"{_skill_label(s)}, {years_of[s]} years" if s in years_of else _skill_label(s)
             for s in dict.fromkeys(prior)]
    level = _level_from(subject_claims, subject_denials, stated_beginner)
    if level is None:
        head = t.strip()
        if re.match(r"^(?:no|nope|nah|not yet|never)\b", head):
            level = Level.BEGINNER
        elif prior and neighbour_only:
            level = Level.BEGINNER  # they told us about other skills: none in this one yet
    return ExperienceReading(level, tuple(dict.fromkeys(prior)))


def _skill_label(skill: str) -> str:
    special = {"c++": "C++", "c#": "C#", "sql": "SQL", "html": "HTML", "css": "CSS", "php": "PHP", "vba": "VBA",
               "matlab": "MATLAB", "javascript": "JavaScript", "typescript": "TypeScript", "golang": "Go"}
    return special.get(skill, skill.upper() if len(skill) == 1 else skill.title())


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
_FOR_MY = re.compile(r"\s+(?P<m>for (?:my|our)\b.*)$", re.IGNORECASE)
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
    subject = _SUBJECT_TAILS.sub("", subject).strip(" \"'`.:-?")
    for_my = _FOR_MY.search(subject)
    if for_my and for_my.start() > 0:  # "SQL for my new job": the subject, and why
        motivation = motivation or for_my.group("m")
        subject = subject[: for_my.start()].strip()
    subject = re.sub(r"\s+", " ", subject)
    if not subject or is_non_answer(subject) or re.fullmatch(r"(?:it|this|that|something|stuff|things)", subject,
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


_STATED_LEVEL = re.compile(r"\bi'?m (?:a |an )?(?:total |complete |absolute |real )?(?P<l>beginner|newbie|novice|noob)\b|"
                           r"\b(?P<n>never (?:done|tried|played|studied|coded|programmed) (?:it|this|that|anything)?)\b",
                           re.IGNORECASE)


def stated_beginner(text: str) -> bool:
    """Whether a message (to any question) plainly says the learner is a beginner
    ("I'm a total beginner and want to learn guitar")."""
    return bool(_STATED_LEVEL.search(_normalise(text)))
