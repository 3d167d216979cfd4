"""Learner-provided words, made safe to put into server-generated text.

The guide's own client renders mission fields with ``innerHTML``, so nothing a
learner typed may carry markup into a title, description or summary: tags are
dropped, stray angle brackets removed, control and bidi-override characters
stripped, whitespace collapsed. Pure, no I/O.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_learner_text", "normalise_quotes"]

_TAG = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[A-Za-z/!?][^<>]*>", re.DOTALL | re.IGNORECASE)
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def clean_learner_text(text: str, max_chars: int = 300, *, keep_lines: bool = False) -> str:
    """``text`` without HTML tags, angle brackets or control characters, on one
    line (several with ``keep_lines``), at most ``max_chars`` long (cut at a word boundary)."""
    text = unicodedata.normalize("NFC", text)
    text = _TAG.sub(" ", text).replace("<", " ").replace(">", " ")
    text = "".join(ch if ch == "\n" and keep_lines else " " if unicodedata.category(ch) == "Cc" else ch
                   for ch in text if ch not in _BIDI)
    if keep_lines:
        text = "\n".join(re.sub(r"[^\S\n]+", " ", line).strip() for line in text.split("\n")).strip()
    else:
        text = re.sub(r"\s+", " ", text).strip()
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return text


def normalise_quotes(text: str) -> str:
    """Typographic quotes and dashes as plain ones, whitespace collapsed (for the parsers)."""
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-")
                  .replace("\u2014", "-")).strip()
