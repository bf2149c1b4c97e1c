"""Latvian text for search: accent folding, tokens, stop words and a light stemmer.

PostgreSQL has no Latvian text-search configuration and Debian's hunspell-lv
is not installed everywhere, so both the search documents and the queries go
through the same small, deterministic pipeline here:

    "Psihologa konsultācijas Liepājā" → ["psiholog", "konsultacij", "liepaj"]

Folding first (ā→a, š→s, ļ→l …) makes "aprupe" equal "aprūpe" and also
absorbs Latvian consonant alternation (ļ/l, š/s, ž/z). The stemmer then strips
one inflection ending, longest first, keeping at least three letters, so
"psihologam", "psihologs" and "psihologa" meet at "psiholog". Typos are the
trigram index's job, not this module's.
"""

from __future__ import annotations

import re
import unicodedata

# Inflection endings of Latvian nouns, adjectives and common verb forms, longest first (already folded).
_SUFFIXES = (
    "ajiem", "ajam", "ajai", "ajos", "ajas",
    "iem", "ais", "aja", "ies", "ija", "iju", "ijai", "ijam", "ijas",
    "am", "em", "im", "um", "os", "as", "es", "is", "us", "ai", "ei",
    "a", "e", "i", "u", "s", "o",
)
_SUFFIXES = tuple(sorted(set(_SUFFIXES), key=len, reverse=True))
_MIN_STEM = 3

# Words that carry no meaning in a catalogue query (folded, Latvian and English).
STOP_WORDS = frozenset({
    "un", "ar", "par", "pie", "uz", "no", "kas", "ir", "vai", "bet", "lai", "ka", "pa", "priekš", "priekss",
    "man", "mans", "mana", "manam", "manai", "mums", "musu", "jus", "es", "tu", "vinš", "vins", "to", "tas",
    "ta", "sis", "si", "kur", "kads", "kada", "ko", "ja", "ne", "tik", "ari", "jau", "vel", "pec", "bez",
    "and", "or", "the", "a", "an", "for", "of", "in", "on", "at", "to", "with", "my", "me",
})

_TOKEN = re.compile(r"[^\W_]+")  # letters and digits of any script (Latvian, Russian …)


def fold(text: str) -> str:
    """Lower-case and strip diacritics: "Liepājā" → "liepaja"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Folded word tokens of ``text`` (stop words kept)."""
    return _TOKEN.findall(fold(text))


def stem(token: str) -> str:
    """One folded token's stem: the longest known ending removed, at least three letters left."""
    if token.isdigit():
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM:
            return _alternation(token[: -len(suffix)])
    return _alternation(token)


def _alternation(stem: str) -> str:
    """Undo the commonest consonant alternation that folding leaves visible: d → ž ("brīdis", "brīža")."""
    if stem.endswith("z") and not stem.endswith("dz"):
        return stem[:-1] + "d"
    return stem


def stems(text: str) -> list[str]:
    """Stems of every token of ``text``, in order (stop words removed)."""
    return [stem(t) for t in tokens(text) if t not in STOP_WORDS]


def query_terms(text: str) -> list[tuple[str, str]]:
    """(folded token, stem) for each meaningful word of a query, duplicates removed, at most eight."""
    seen, terms = set(), []
    for token in tokens(text):
        if token in STOP_WORDS or len(token) < 2:
            continue
        s = stem(token)
        if s not in seen:
            seen.add(s)
            terms.append((token, s))
    return terms[:8]
