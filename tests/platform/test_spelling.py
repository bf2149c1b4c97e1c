"""Every Latvian string the interface shows is spelt right: hunspell over the Latvian catalogue.

The dictionary is the npm package dictionary-lv (installed by `./run setup` with the front-end's
packages); spylls is hunspell in pure Python. Words the dictionary lacks but that are right — terms,
abbreviations, names — are listed with their reason in spelling_lv.txt beside this file.
"""

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "portal" / "locale" / "lv" / "LC_MESSAGES" / "django.po"
DICTIONARY = ROOT / "node_modules" / "dictionary-lv" / "index"
WORD_LIST = Path(__file__).with_name("spelling_lv.txt")

# Placeholders, markup, addresses, paths and codes with digits (LV80BANK…, TRELLV22) are not words.
NOT_TEXT = re.compile(r"%\([^)]*\)[sdfr]|%[sdfr]|\{[^}]*\}|<[^>]+>|&[a-z]+;|https?://\S+|\S+@\S+|/[\w/.\-]*/"
                      r"|\w*\d\w*")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@cache
def dictionary():
    from spylls.hunspell import Dictionary

    if not DICTIONARY.with_suffix(".dic").exists():
        pytest.fail("The Latvian dictionary is missing: run ./run setup (npm package dictionary-lv).")
    return Dictionary.from_files(str(DICTIONARY))


@cache
def project_words() -> frozenset[str]:
    lines = (line.split("#", 1)[0].strip() for line in WORD_LIST.read_text().splitlines())
    return frozenset(line for line in lines if line)


def known(word: str) -> bool:
    words = project_words()
    if word in words or word.lower() in words or dictionary().lookup(word):
        return True
    return "-" in word and all(known(part) for part in word.split("-"))


def unknown_words(texts: dict[str, list[str]]) -> dict[str, list[str]]:
    """{word: [where it came from, …]} for every word neither the dictionary nor the list knows."""
    where = defaultdict(list)
    for source, strings in texts.items():
        for text in strings:
            for word in WORD.findall(NOT_TEXT.sub(" ", text)):
                where[word].append(source)
    return {word: sources for word, sources in sorted(where.items()) if not known(word)}


def test_the_checker_finds_a_misspelling_and_accepts_declined_words():
    found = unknown_words({"sample": ["Pakalpojumu sniedzēja budžets no 2026. gada 1. novembra; budzets, sniedzjs."]})
    assert set(found) == {"budzets", "sniedzjs"}


def test_every_latvian_message_is_spelt_right():
    catalogue = polib.pofile(str(CATALOGUE))
    texts = {entry.msgid: [entry.msgstr, *entry.msgstr_plural.values()] for entry in catalogue}
    found = unknown_words(texts)
    report = "\n".join(f"  {word!r} in {sources[0]!r}" + (f" (+{len(sources) - 1})" if len(sources) > 1 else "")
                       for word, sources in found.items())
    assert not found, f"Words the Latvian dictionary does not know (fix the msgstr, or list a term in " \
                      f"{WORD_LIST.name} with its reason):\n{report}"


def test_the_word_list_holds_no_word_the_dictionary_already_knows():
    """A list entry hunspell accepts is dead weight, and may hide that it was added to excuse a misspelling."""
    redundant = [word for word in project_words() if dictionary().lookup(word)]
    assert redundant == []


def test_the_latvian_of_the_service_types_and_the_demo_services_is_spelt_right():
    """The taxonomy's seeded names and descriptions, and the demo's service titles, schedules and descriptions."""
    import importlib

    from portal.demo import catalogue as demo

    seeds = importlib.import_module("portal.marketplace.catalogue.migrations.0002_seed_service_types")
    texts = {f"service type {code}": [name_lv, description_lv]
             for code, name_lv, _en, _unit, description_lv, _den in seeds.SERVICE_TYPES}
    texts |= {f"demo titles of {code}": profile[0] for code, profile in demo.TYPE_PROFILES.items()}
    texts |= {"demo schedules": demo._SCHEDULES, "demo descriptions": demo._DESC_TAIL}
    assert unknown_words(texts) == {}
