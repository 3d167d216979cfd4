"""Mission plans: the offline builder and the checks every plan must pass.

A :class:`MissionDraft` is the learner-facing content of a mission; the
document fields (id, creator, timestamps) are added by :mod:`.schema`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .catalogue import CatalogueSubject, find_subject, generic_subject, skills_in
from .learner_text import clean_learner_text
from .profile import LearnerProfile, Level

__all__ = ["MIN_CHECKPOINTS", "MAX_CHECKPOINTS", "TRACKS", "MissionDraft", "Track", "build_offline_plan",
           "check_plan", "find_track", "title_case", "weekly_hours_phrase"]

MIN_CHECKPOINTS = 4
MAX_CHECKPOINTS = 10
MAX_WEEKS = 52


@dataclass(frozen=True)
class MissionDraft:
    title: str
    short_description: str
    description: str
    level: str
    topics_to_cover: tuple[str, ...]
    learning_goal: str
    byte_size_checkpoints: tuple[str, ...]
    skills: tuple[str, ...]
    hours_per_checkpoint: float


_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to",
                "with", "vs", "via"}


def title_case(text: str) -> str:
    """"python for data analysis" → "Python for Data Analysis" (acronyms and
    words with capitals inside are kept as written)."""
    words = text.split()
    out = []
    for i, word in enumerate(words):
        if any(c.isupper() for c in word[1:]) or word.isupper():
            out.append(word)
        elif i > 0 and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def weekly_hours_phrase(hours: float) -> str:
    shown = f"{hours:g}"
    return f"about {shown} hour{'s' if hours != 1 else ''} per week"


_PRONOUNS = [(r"\bI'm\b", "you're"), (r"\bI am\b", "you are"), (r"\bI've\b", "you've"),
             (r"\bI\b", "you"), (r"\bmy\b", "your"), (r"\bme\b", "you"), (r"\bmyself\b", "yourself"),
             (r"\bmine\b", "yours")]


def _second_person(text: str) -> str:
    for pattern, repl in _PRONOUNS:
        text = re.sub(pattern, repl, text, flags=re.IGNORECASE)
    return text


def learning_goal(subject: str, motivation: str | None) -> str:
    from .answers import clean_motivation  # answers reads the catalogue; imported here to keep this module light

    if not motivation:
        return f"Learn {subject} with confidence"
    rest, verb_phrase = clean_motivation(motivation)
    rest = _second_person(rest)
    rest = rest[:1].lower() + rest[1:] if rest[:2] != rest[:2].upper() else rest
    return f"Learn {subject} to {rest}" if verb_phrase else f"Learn {subject} because {rest}"


@dataclass(frozen=True)
class Track:
    """A motivation track: how a learner's reason shapes the plan's title,
    checkpoints, project and skills ("{S}" is the subject, title-cased)."""

    key: str
    cues: str
    """A regular expression over the lower-cased motivation."""
    title: str
    checkpoints: tuple[str, ...]
    project: str
    skills: tuple[str, ...]


TRACKS: tuple[Track, ...] = (
    Track("automation", r"\bautomat\w*|\brepetitive\b|\bboring (?:tasks|stuff|work)\b|\bscripts?\b|"
          r"\bworkflows?\b|\bmanual (?:work|tasks)\b|\bsave time\b|\breports? (?:at|for) work\b",
          "{S} for Workplace Automation",
          ("Automating a Repetitive Task with {S}", "Automated Reports: From Raw Files to a Finished Document"),
          "Final Project: Automate One of Your Real Work Tasks with {S}", ("Task Automation",)),
    Track("data", r"\bdata\b|\banaly[sz]\w*|\bdashboards?\b|\bstatistics\b|\bspreadsheets?\b|\binsights?\b|"
          r"\bmetrics\b|\bnumbers\b",
          "{S} for Data Analysis",
          ("Working with Real Data in {S}", "Turning {S} Results into Charts and Insights"),
          "Final Project: Analyze a Real Dataset with {S}", ("Data Analysis",)),
    Track("exam", r"\bexams?\b|\btests?\b|\bcertificat\w*|\bpass\b|\bgrades?\b|\bcourse\b|\bclass\b|"
          r"\bschool\b|\buniversity\b|\bcollege\b|\bdegree\b|\bielts\b|\btoefl\b|\bdele\b|\bdelf\b|"
          r"\bjlpt\b|\bhsk\b|\bgcse\b",
          "{S} Exam Preparation",
          ("Mapping the {S} Exam Syllabus", "Timed Practice Questions and Review"),
          "Final Project: A Full {S} Mock Exam Under Real Conditions", ("Exam Technique",)),
    Track("career", r"\bjobs?\b|\bcareers?\b|\bhired\b|\bemploy\w*|\bpromot\w*|\binterviews?\b|\bportfolio\b|"
          r"\bfreelanc\w*|\bsalary\b|\bresume\b|\bcv\b|\bprofession\b|\bswitch(?:ing)? (?:fields|industries)\b",
          "{S} for a Career Move",
          ("Building a {S} Portfolio Piece", "Preparing for {S} Job Interviews"),
          "Final Project: A {S} Portfolio Project to Show Employers", ("Portfolio Building",)),
    Track("travel", r"\btravel\w*|\btrips?\b|\bholidays?\b|\bvacation\b|\bmov(?:e|ing) to\b|\brelocat\w*|"
          r"\blive (?:in|abroad)\b|\bvisit\w*|\babroad\b",
          "{S} for Travel",
          ("Travel Situations in {S}: Directions, Food, and Hotels", "Small Talk with Locals in {S}"),
          "Final Project: Plan and Role-Play a Whole Trip in {S}", ("Everyday Conversation",)),
    Track("hobby", r"\bfun\b|\bhobby\b|\bgames?\b|\bpersonal projects?\b|\bmy own\b|\bside projects?\b|"
          r"\bfor myself\b|\bapps?\b|\bkids\b|\brelax\w*|\benjoy\w*|\bband\b|\bsongs?\b|\bfriends\b",
          "{S} for Your Own Projects",
          ("Planning Your Own {S} Project", "Building Your {S} Project Step by Step"),
          "Final Project: Finish and Share Your Own {S} Project", ("Project Planning",)),
)


def find_track(motivation: str | None) -> Track | None:
    """The motivation track a learner's reason falls in, if any."""
    if not motivation:
        return None
    lowered = motivation.lower()
    return next((t for t in TRACKS if re.search(t.cues, lowered)), None)


_PROGRAMMING_ENTRIES = {"python", "python-data", "web", "machine-learning"}
_PROGRAMMING_SKILLS = {"python", "java", "javascript", "typescript", "c++", "c#", "c", "golang", "rust", "ruby",
                       "php", "swift", "kotlin", "scala", "perl", "haskell", "matlab", "vba", "bash", "r",
                       "programming", "coding"}


def _select_checkpoints(entry: CatalogueSubject, level: Level, extra: tuple[str, ...] = (),
                        project: str | None = None) -> list[str]:
    if level is Level.BEGINNER:
        picked = list(entry.foundations) + list(entry.core)
    elif level is Level.INTERMEDIATE:
        picked = list(entry.core) + list(entry.deeper[:2])
    else:
        picked = list(entry.core[-1:]) + list(entry.deeper)
    spare = [c for c in list(entry.deeper) + list(entry.core) + list(entry.foundations) if c not in picked]
    while len(picked) + len(extra) < MIN_CHECKPOINTS - 1 and spare:
        picked.append(spare.pop(0))
    extra = tuple(c for c in extra if c.lower() not in {p.lower() for p in picked})
    return picked[: MAX_CHECKPOINTS - 1 - len(extra)] + list(extra) + [project or entry.project]


def build_offline_plan(profile: LearnerProfile) -> MissionDraft:
    """A complete, sensible mission from the interview answers alone: the
    subject picks the catalogue entry, the motivation a track (title,
    checkpoints, project), the experience in this subject the level, the
    weekly hours the load. Learner words are cleaned of markup first."""
    subject = clean_learner_text(profile.subject or "", 80) or "a new skill"
    motivation = clean_learner_text(profile.motivation or "") or None
    level = profile.level or Level.BEGINNER
    hours = profile.weekly_hours or 3.0
    track = find_track(motivation)
    if track is not None and re.search(track.cues, subject.lower()):
        track = None  # the subject already says it ("Python for data analysis")
    entry = find_subject(subject)
    name = title_case(subject)
    if track is not None and track.key == "data" and entry is not None and entry.key == "python":
        entry = find_subject(f"{subject} for data analysis")  # the catalogue's own data track
        extra, project, track_skills = (), None, ()
    elif track is not None:
        extra = tuple(c.format(S=name) for c in track.checkpoints)
        project, track_skills = track.project.format(S=name), track.skills
    else:
        extra, project, track_skills = (), None, ()
    entry = entry or generic_subject(subject)
    if track is not None and project is None:
        title = track.title.format(S=name)
    else:
        title = track.title.format(S=name) if track is not None else name
    checkpoints = _select_checkpoints(entry, level, extra, project)
    prior = [s for s in profile.prior_skills if s]
    prior_names = {sk for p in prior for sk in skills_in(p)}
    if (level is Level.BEGINNER and entry.key in _PROGRAMMING_ENTRIES and prior_names & _PROGRAMMING_SKILLS
            and checkpoints and checkpoints[0].startswith("Introduction to")):
        known = clean_learner_text(prior[0].split(",")[0], 40)
        checkpoints[0] = f"{name} for Programmers Coming from {known}: What's Different"
    per_checkpoint = round(min(max(hours, 1.5), 8.0), 1)
    if len(checkpoints) * per_checkpoint / hours > MAX_WEEKS:  # very little time: smaller steps, within a year
        per_checkpoint = max(0.1, math.floor(hours * MAX_WEEKS / len(checkpoints) * 10) / 10)
    weeks = math.ceil(len(checkpoints) * per_checkpoint / hours)
    goal = learning_goal(subject, motivation)
    topics = entry.topics if level is Level.BEGINNER else entry.topics[1:]
    skills = tuple(dict.fromkeys(entry.skills + track_skills))
    short = f"Learn {subject} in {len(checkpoints)} bite-size checkpoints, at {level.value.lower()} level"
    why = f" Your goal: {goal[:1].lower()}{goal[1:]}." if motivation else ""
    builds_on = f" It builds on what you already know: {', '.join(prior)}." if prior else ""
    description = (
        f"This mission guides you through {subject}, starting from {_start_point(level)}.{why}{builds_on} "
        f"It has {len(checkpoints)} bite-size checkpoints of roughly {per_checkpoint:g} hours each, "
        f"paced for {weekly_hours_phrase(hours)}, so expect to finish in about {weeks} "
        f"week{'s' if weeks != 1 else ''}. It ends with a project: {checkpoints[-1].split(': ', 1)[-1]}."
    )
    return MissionDraft(
        title=title,
        short_description=short,
        description=description,
        level=level.value,
        topics_to_cover=tuple(topics),
        learning_goal=goal,
        byte_size_checkpoints=tuple(checkpoints),
        skills=skills,
        hours_per_checkpoint=per_checkpoint,
    )


def _start_point(level: Level) -> str:
    return {
        Level.BEGINNER: "the very basics",
        Level.INTERMEDIATE: "what you already know",
        Level.ADVANCED: "an advanced level",
    }[level]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9+#]+", text.lower()) if len(w) > 2 and w not in _SMALL_WORDS}


_UNSAFE = re.compile(r"[<>\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def check_plan(draft: MissionDraft, profile: LearnerProfile) -> list[str]:
    """Every reason this plan does not fit the learner (empty when it does)."""
    problems: list[str] = []
    checkpoints = [c.strip() for c in draft.byte_size_checkpoints]
    if not MIN_CHECKPOINTS <= len(checkpoints) <= MAX_CHECKPOINTS:
        problems.append(f"byte_size_checkpoints must have {MIN_CHECKPOINTS} to {MAX_CHECKPOINTS} entries, "
                        f"it has {len(checkpoints)}")
    for name, values in (("byte_size_checkpoints", checkpoints),
                         ("topics_to_cover", [t.strip() for t in draft.topics_to_cover]),
                         ("skills", [s.strip() for s in draft.skills])):
        if not values:
            problems.append(f"{name} is empty")
        if any(not v for v in values):
            problems.append(f"{name} has an empty entry")
        lowered = [v.lower() for v in values if v]
        if len(set(lowered)) != len(lowered):
            problems.append(f"{name} has duplicate entries")
    if checkpoints and "project" not in checkpoints[-1].lower():
        problems.append("the last checkpoint must be a project")
    for name in ("title", "short_description", "description", "learning_goal"):
        if not getattr(draft, name).strip():
            problems.append(f"{name} is empty")
    if draft.level not in {lv.value for lv in Level}:
        problems.append(f"level must be one of Beginner, Intermediate, Advanced, not {draft.level!r}")
    elif profile.level is not None:
        order = [Level.BEGINNER.value, Level.INTERMEDIATE.value, Level.ADVANCED.value]
        if abs(order.index(draft.level) - order.index(profile.level.value)) > 1 or (
            profile.level is Level.BEGINNER and draft.level == Level.ADVANCED.value
        ):
            problems.append(f"level {draft.level} does not fit the stated experience ({profile.level.value})")
        elif profile.level is Level.BEGINNER and draft.level != Level.BEGINNER.value:
            problems.append(f"level {draft.level} is too high for a complete beginner")
    if profile.weekly_hours:
        if draft.hours_per_checkpoint <= 0:
            problems.append("hours_per_checkpoint must be positive")
        else:
            weeks = len(checkpoints) * draft.hours_per_checkpoint / profile.weekly_hours
            if draft.hours_per_checkpoint > max(3 * profile.weekly_hours, 2):
                problems.append(f"checkpoints of {draft.hours_per_checkpoint:g} hours are not bite-size for "
                                f"{weekly_hours_phrase(profile.weekly_hours)}")
            if weeks > MAX_WEEKS:
                problems.append(f"the plan needs about {math.ceil(weeks)} weeks at "
                                f"{weekly_hours_phrase(profile.weekly_hours)}; keep it within {MAX_WEEKS}")
    for name in ("title", "short_description", "description", "learning_goal"):
        if _UNSAFE.search(getattr(draft, name)):
            problems.append(f"{name} contains markup or control characters")
    for name in ("byte_size_checkpoints", "topics_to_cover", "skills"):
        if any(_UNSAFE.search(v) for v in getattr(draft, name)):
            problems.append(f"{name} contains markup or control characters")
    if profile.subject:
        subject_words = _words(profile.subject)
        if subject_words and not subject_words & (_words(draft.title) | _words(draft.learning_goal)):
            problems.append(f"title and learning_goal do not mention the subject ({profile.subject!r})")
    return problems
