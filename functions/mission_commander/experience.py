"""The level an answer about prior experience implies, in *this* subject: negation,
hedging and neighbouring skills understood. Pure, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .catalogue import find_subject, mentions, skills_in
from .learner_text import normalise_quotes as _normalise
from .profile import Level
from .weekly_time import digits

__all__ = ["ExperienceReading", "parse_experience", "stated_beginner"]


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
_INTERMEDIATE = [r"^some\b(?! tutorials?)", r"\bintermediate\b", r"\b(?:know|learned|learnt|understand|got|have) the basics\b",
                 r"\bcomfortable\b", r"\bfamiliar\b", r"\bsome experience\b", r"\bdecent\b", r"\bfairly good\b",
                 r"\bquite a bit\b", r"\bconversational\b", r"\bget by\b", r"\bpretty good\b", r"\bsolid\b",
                 r"\bexperienced\b", r"\bregularly\b", r"\ba few projects\b", r"\bside projects?\b"]
_BEGINNER = [r"\bbeginner\b", r"\bnewbie\b", r"\bnovice\b", r"\bno experience\b", r"\bnever\b", r"\bnone\b",
             r"\bzero\b", r"\bnot really\b", r"\bnot at all\b", r"\bnothing\b", r"\bnew to\b", r"\bfrom scratch\b",
             r"\bjust start", r"\bhaven't\b", r"\bhave not\b", r"\bhasn't\b", r"\bfirst time\b", r"\bno idea\b",
             r"\ba little\b", r"\ba bit\b", r"\bbarely\b", r"\bbasics\b", r"\bdabbled\b", r"\bhello world\b",
             r"\bonce or twice\b", r"\btutorials?\b", r"\bnot much\b", r"\bstarting out\b", r"\bforgot(?:ten)?\b",
             r"\bcomplete(?:ly)? new\b", r"\bclueless\b", r"\bnoob\b", r"\bgreen\b", r"\brusty\b",
             r"^no\b", r"^nope\b", r"\bat all\b", r"\btook (?:a|one|an online|a short) (?:course|class)\b",
             r"^0$", r"\b0 experience\b", r"\b(?:in|at) (?:school|college|university|uni)\b"]
_STATED_BEGINNER = re.compile(r"\bbeginner\b|\bnewbie\b|\bnovice\b|\bnever\b|\bno experience\b|\bnew to\b|"
                              r"\bfrom scratch\b|\bstarting out\b|\bjust start|\bnoob\b|\bclueless\b|"
                              r"\bfirst time\b|\bzero\b")
_USED = re.compile(r"\b(?:i've|i have|i|we) (?:used|worked|been using|been working|built|written|made|played|"
                   r"studied|done|coded|programmed|learned|learnt)\b|\bat work\b|\bin my job\b|\bused it\b|"
                   r"\bworked with\b|\bbuilt\b|\bi use\b|\bi do\b|\bi play\b|\bi speak\b|"
                   r"\b(?:know|speak|use|write|play) \w+(?: \w+)? well\b|\bi work (?:as|with|in)\b|"
                   r"\bi know\b")
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
            if not claims and not denials and named and prior:
                claims = [Level.INTERMEDIATE]  # "I know HTML and CSS": the same claim, another skill
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


_STATED_LEVEL = re.compile(r"\bi'?m (?:a |an )?(?:total |complete |absolute |real )?(?P<l>beginner|newbie|novice|noob)\b|"
                           r"\b(?P<n>never (?:done|tried|played|studied|coded|programmed) (?:it|this|that|anything)?)\b",
                           re.IGNORECASE)


def stated_beginner(text: str) -> bool:
    """Whether a message (to any question) plainly says the learner is a beginner
    ("I'm a total beginner and want to learn guitar")."""
    return bool(_STATED_LEVEL.search(_normalise(text)))
