"""A small built-in catalogue of common subjects, used by the offline plan
builder and the answer parsers. Anything not listed gets a generic plan built
around the learner's own words (see :func:`generic_subject`).

Names are matched on whole words (a subject "photosynthesis" is not
photography, "body language" is not a language course); multi-word names
("machine learning", "data analysis") count as one name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["CatalogueSubject", "CATALOGUE", "KNOWN_SKILLS", "find_subject", "generic_subject",
           "mentions", "skills_in"]


@lru_cache(maxsize=512)
def _name_pattern(name: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(part) for part in name.split())
    return re.compile(rf"(?<![\w+#.]){body}(?![\w+#]|\.\w)", re.IGNORECASE)


def mentions(text: str, name: str) -> bool:
    """Whether ``text`` names ``name`` as a whole word (or whole multi-word name)."""
    return bool(_name_pattern(name).search(text))


@dataclass(frozen=True)
class CatalogueSubject:
    key: str
    names: tuple[str, ...]
    """Names of the subject (any one, as whole words, matches)."""
    topics: tuple[str, ...]
    foundations: tuple[str, ...]
    """Checkpoints a beginner needs first."""
    core: tuple[str, ...]
    deeper: tuple[str, ...]
    """Checkpoints for learners who already know the basics."""
    project: str
    skills: tuple[str, ...]
    experience_question: str = "Have you done any {subject} before?"
    """Asked at the experience step for this subject (the step table's question)."""
    requires: tuple[str, ...] = ()
    """Further names, one of which must be named too (for combined subjects)."""
    excludes: tuple[str, ...] = ()
    """Names that mean another thing ("body language" is not a language course)."""

    def matches(self, subject: str) -> bool:
        if any(mentions(subject, x) for x in self.excludes):
            return False
        return any(mentions(subject, n) for n in self.names) and (
            not self.requires or any(mentions(subject, r) for r in self.requires))


_PROGRAMMING_QUESTION = "Do you have any programming experience, with {subject} or other languages?"

CATALOGUE: tuple[CatalogueSubject, ...] = (
    CatalogueSubject(
        key="python-data",
        names=("python",),
        requires=("data", "data analysis", "data science", "analytics", "analysis", "analyse", "analyze",
                  "pandas", "spreadsheets", "statistics"),
        topics=("Python Basics", "Variables and Data Types", "Control Flow and Functions",
                "Working with Pandas", "Data Cleaning", "Data Visualization", "Exploratory Data Analysis"),
        foundations=("Introduction to Python Programming", "Variables, Data Types, and Basic Operations",
                     "Control Flow and Functions"),
        core=("Introduction to Pandas for Data Analysis", "Loading and Cleaning Real Data",
              "Grouping, Aggregating, and Joining Tables", "Data Visualization with Matplotlib"),
        deeper=("Exploratory Data Analysis Workflows", "Time Series and Date Handling",
                "Automating Reports with Jupyter and Python Scripts"),
        project="Final Project: Analyzing Real-World Data",
        skills=("Python", "Data Analysis", "Pandas", "Data Visualization"),
        experience_question=_PROGRAMMING_QUESTION,
    ),
    CatalogueSubject(
        key="machine-learning",
        names=("machine learning", "ml", "deep learning", "neural networks", "neural nets", "ai",
               "artificial intelligence"),
        topics=("Python for Machine Learning", "NumPy and Pandas", "Supervised Learning",
                "Model Evaluation", "Unsupervised Learning", "Neural Network Basics"),
        foundations=("Python and NumPy Essentials for Machine Learning", "Working with Data in Pandas"),
        core=("What Machine Learning Is: Features, Labels, and Models", "Your First Model with scikit-learn",
              "Evaluating Models: Train/Test Splits and Metrics", "Classification and Regression in Practice"),
        deeper=("Feature Engineering and Pipelines", "Unsupervised Learning: Clustering",
                "Neural Network Fundamentals with PyTorch"),
        project="Final Project: Train and Evaluate a Model on a Real Dataset",
        skills=("Machine Learning", "Python", "scikit-learn", "Model Evaluation"),
        experience_question=_PROGRAMMING_QUESTION,
    ),
    CatalogueSubject(
        key="python",
        names=("python",),
        topics=("Python Basics", "Variables and Data Types", "Control Flow", "Functions",
                "Data Structures", "Modules and Packages", "Files and Errors"),
        foundations=("Introduction to Python Programming", "Variables, Data Types, and Basic Operations",
                     "Control Flow: Conditions and Loops"),
        core=("Functions and Modules", "Lists, Dictionaries, and Sets", "Working with Files and Errors"),
        deeper=("Object-Oriented Python", "Testing Your Code with pytest",
                "Packaging and Virtual Environments"),
        project="Final Project: Build a Useful Python Tool",
        skills=("Python", "Problem Solving", "Debugging"),
        experience_question=_PROGRAMMING_QUESTION,
    ),
    CatalogueSubject(
        key="web",
        names=("javascript", "js", "typescript", "web development", "web dev", "web design", "website", "websites",
               "html", "css", "react", "frontend", "front-end", "front end", "node.js", "nodejs", "web"),
        topics=("HTML Structure", "CSS Layout", "JavaScript Fundamentals", "The DOM and Events",
                "Fetching Data from APIs", "Deploying a Site"),
        foundations=("How the Web Works: Browsers, HTML, and CSS", "Structuring Pages with HTML",
                     "Styling and Layout with CSS"),
        core=("JavaScript Fundamentals", "The DOM and Events", "Fetching Data from APIs"),
        deeper=("Components and State with React", "TypeScript for Safer Code",
                "Testing and Deploying Web Apps"),
        project="Final Project: Build and Deploy Your Own Web App",
        skills=("HTML", "CSS", "JavaScript", "Web Development"),
        experience_question=_PROGRAMMING_QUESTION,
    ),
    CatalogueSubject(
        key="sql",
        names=("sql", "databases", "database", "postgres", "postgresql", "mysql", "sqlite"),
        topics=("Relational Databases", "SELECT Queries", "Filtering and Sorting", "Joins",
                "Aggregation", "Database Design"),
        foundations=("What Relational Databases Are", "Your First SELECT Queries"),
        core=("Filtering, Sorting, and Limiting Results", "Joining Tables", "Grouping and Aggregation"),
        deeper=("Subqueries and Window Functions", "Designing Schemas and Indexes",
                "Transactions and Data Integrity"),
        project="Final Project: Design and Query Your Own Database",
        skills=("SQL", "Data Modeling", "Databases"),
    ),
    CatalogueSubject(
        key="spreadsheet-data",
        names=("data analysis", "data analytics", "data", "analytics", "excel", "spreadsheets", "spreadsheet",
               "statistics"),
        topics=("Data Literacy", "Spreadsheets", "Descriptive Statistics", "Charts", "Pivot Tables",
                "Telling Stories with Data"),
        foundations=("What Data Analysis Is and the Questions It Answers", "Spreadsheet Essentials"),
        core=("Cleaning and Organizing Data", "Descriptive Statistics", "Pivot Tables and Summaries",
              "Charts That Make a Point"),
        deeper=("Spotting Trends and Outliers", "Introduction to SQL for Analysts",
                "Dashboards and Reporting"),
        project="Final Project: Analyze a Real Dataset and Present Your Findings",
        skills=("Data Analysis", "Spreadsheets", "Data Visualization", "Statistics"),
    ),
    CatalogueSubject(
        key="language",
        names=("spanish", "french", "german", "italian", "portuguese", "japanese", "chinese", "mandarin", "korean",
               "arabic", "russian", "dutch", "hindi", "english", "greek", "turkish", "swedish", "polish",
               "language", "a language", "a new language"),
        excludes=("body language", "sign language", "programming language", "language model",
                  "language models", "english literature"),
        topics=("Pronunciation", "Core Vocabulary", "Grammar Essentials", "Listening", "Speaking",
                "Reading and Writing"),
        foundations=("Pronunciation and Everyday Greetings", "Core Vocabulary: The First 300 Words"),
        core=("Present Tense and Simple Sentences", "Asking Questions and Everyday Conversations",
              "Listening Practice with Native Audio"),
        deeper=("Past and Future Tenses", "Reading Short Articles", "Conversation Practice on Real Topics"),
        project="Final Project: Hold a 10-Minute Conversation",
        skills=("Speaking", "Listening Comprehension", "Vocabulary", "Grammar"),
        experience_question="Have you studied {subject} before, or are you starting from zero?",
    ),
    CatalogueSubject(
        key="music",
        names=("guitar", "piano", "ukulele", "violin", "cello", "drums", "bass guitar", "electric bass",
               "double bass", "singing", "music", "saxophone", "flute"),
        topics=("Instrument Basics", "Rhythm and Timing", "Chords and Scales", "Reading Music",
                "Technique", "Playing Songs"),
        foundations=("Getting to Know Your Instrument", "Posture, Technique, and Your First Notes"),
        core=("Rhythm and Timing with a Metronome", "Essential Chords and Scales",
              "Playing Your First Full Song"),
        deeper=("Music Theory for Players", "Improvisation Basics", "Building a Practice Routine for Speed"),
        project="Final Project: Learn and Record a Song You Love",
        skills=("Technique", "Rhythm", "Music Theory"),
        experience_question="Have you played {subject} before? Another instrument is worth mentioning too.",
    ),
    CatalogueSubject(
        key="photography",
        names=("photography", "photo", "photos", "photograph", "photographs", "camera"),
        topics=("Camera Basics", "Exposure", "Composition", "Light", "Editing"),
        foundations=("Know Your Camera: Modes and Settings", "Exposure: Aperture, Shutter Speed, and ISO"),
        core=("Composition Rules and When to Break Them", "Working with Natural Light",
              "Editing Your Photos"),
        deeper=("Portrait and Street Photography", "Low-Light and Night Photography",
                "Building a Consistent Style"),
        project="Final Project: A 10-Photo Portfolio",
        skills=("Photography", "Composition", "Photo Editing"),
    ),
)


KNOWN_SKILLS: tuple[str, ...] = (
    "python", "java", "javascript", "typescript", "c++", "c#", "c", "golang", "rust", "ruby", "php", "swift",
    "kotlin", "scala", "perl", "haskell", "matlab", "vba", "bash", "sql", "html", "css", "react", "excel",
    "r", "machine learning", "statistics", "spanish", "french", "german", "italian", "portuguese", "japanese",
    "chinese", "mandarin", "korean", "arabic", "russian", "dutch", "hindi", "english", "latin", "guitar",
    "piano", "ukulele", "violin", "drums", "photography", "programming", "coding",
)
"""Skills a learner may name when talking about experience: any of them that
is not the subject is a *neighbouring* skill."""


def skills_in(text: str) -> list[str]:
    """The known skills ``text`` names as whole words, longest first. The one-letter
    languages ("c", "r") count only after a verb or preposition ("I know C")."""
    found: list[str] = []
    for name in sorted(KNOWN_SKILLS, key=len, reverse=True):
        if name in ("c", "r"):
            if re.search(rf"(?<![\w+#]){name}(?![\w+#&'])", text, re.IGNORECASE) and \
                    re.search(rf"\b(?:in|with|of|know|knows|use|used|using|wrote|write|program|programmed|"
                              rf"coded|code)\s+{name}\b", text, re.IGNORECASE):
                found.append(name)
            continue
        if mentions(text, name) and not any(name in longer for longer in found):
            found.append(name)
    return found


def find_subject(subject: str) -> CatalogueSubject | None:
    """The first catalogue entry that matches (combined subjects come first)."""
    for entry in CATALOGUE:
        if entry.matches(subject):
            return entry
    return None


def generic_subject(subject: str) -> CatalogueSubject:
    """A reasonable plan for a subject the catalogue does not know."""
    name = subject[:1].upper() + subject[1:]
    return CatalogueSubject(
        key="generic",
        names=(),
        topics=(f"{name} Fundamentals", "Key Vocabulary and Concepts", "Core Techniques",
                "Deliberate Practice", "Common Mistakes", "Applying What You Learn"),
        foundations=(f"Getting Started with {name}: Key Ideas and Vocabulary",
                     f"Setting Up Your Tools and Resources for {name}"),
        core=(f"Core Techniques of {name}", f"Guided Practice: Your First {name} Exercises",
              f"Common {name} Mistakes and How to Fix Them"),
        deeper=(f"Going Deeper: Advanced {name} Techniques", f"Learning from Experts in {name}",
                f"Building a Sustainable {name} Practice Routine"),
        project=f"Final Project: Put Your {name} Skills to Work",
        skills=(name, "Deliberate Practice", "Self-Directed Learning"),
    )
