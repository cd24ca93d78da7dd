"""A generated book-length release: several chapter files of deterministic prose.

    .venv/bin/python benchmarks/make_book.py DEST [--words 20000] [--files 10] [--seed 1]

Writes an accesspub project to DEST: ``accesspub.toml`` and ``content/<slug>/NN-*.md``, one
file per chapter, each a ``#`` heading, an introduction and two or three ``##`` sections
(every heading down to h3 starts a track, so a file gives several tracks).  The prose is
assembled from sentence templates and word lists by a seeded generator: the same arguments
always give the same files.  Sentences carry numbers, years, dates, times, percentages and
money so the speech stage has real work, and they are all different, so the clip cache
cannot share clips between them.  Used by ``benchmarks/long_release.py`` and
``tests/test_long_release.py``.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

SLUG = "long-book"

PLACES = ["Arden", "Bramwell", "Calder Bay", "Dunmore", "Eastbrook", "Fairhaven", "Glenrock",
          "Harlow", "Ivybridge", "Juniper Falls", "Kestrel Point", "Larchmont", "Millbrook",
          "Northwick", "Oakhurst", "Pembury", "Queensferry", "Ravenscar", "Stonehaven",
          "Thornbury", "Upton", "Valemont", "Westerham", "Yarrow"]
ORGS = ["city council", "harbour board", "school district", "water authority",
        "public library", "transport office", "health service", "housing trust",
        "archive", "fire brigade", "parks department", "statistics office"]
NOUNS = ["bridge", "survey", "report", "station", "garden", "market", "museum", "road",
         "clinic", "ferry", "canal", "orchard", "tower", "school", "theatre", "railway",
         "harbour", "meadow", "forest", "festival", "workshop", "lighthouse", "bakery",
         "mill", "square", "fountain", "quarry", "vineyard", "observatory", "granary"]
ADJECTIVES = ["old", "new", "quiet", "busy", "narrow", "wide", "northern", "southern",
              "careful", "patient", "modest", "generous", "steady", "bright", "distant",
              "familiar", "curious", "ancient", "local", "seasonal", "sturdy", "gentle"]
PEOPLE = ["the mayor", "the librarian", "a ferry captain", "the head teacher",
          "an engineer", "the archivist", "a young nurse", "the baker", "a retired judge",
          "the stationmaster", "a local farmer", "the museum curator", "two volunteers",
          "the harbour master", "a visiting scholar", "the council clerk"]
VERBS = ["opened", "closed", "rebuilt", "measured", "described", "visited", "repaired",
         "painted", "mapped", "studied", "welcomed", "inspected", "restored", "extended"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
ADVERBS = ["slowly", "carefully", "quietly", "eventually", "reluctantly", "proudly",
           "patiently", "suddenly", "gradually", "openly"]

TEMPLATES = [
    "In {year}, the {org} of {place} recorded {n} visitors, {pct}% more than the year before.",
    "On {month} {day}, {year}, {person} {verb} the {adj} {noun} near {place}.",
    "The {noun} {verb2} at {hour}:{minute:02d} and {adverb} emptied by noon.",
    "A budget of ${money:,} was set aside for the {adj} {noun} in {place}.",
    "{Person} said that the {noun} had not changed since {year}.",
    "Nobody in {place} remembered who first {verb} the {adj} {noun}, but everyone had a story about it.",
    "By {year}, {n} families lived within a short walk of the {noun}.",
    "The {org} published its {ordinal} report on the {noun} in {month} {year}.",
    "{Person} {adverb} {verb} the {noun}, and {person2} wrote down every detail.",
    "Some {n2} people attended, and {pct}% of them came from outside {place}.",
    "The {adj} {noun} is {km} kilometres from the {noun2}, or about {minutes} minutes on foot.",
    "Between {year} and {year2}, prices at the {noun} rose from ${price}.{cents:02d} to ${price2}.{cents2:02d}.",
    "It rained for {n3} days in {month}, so the {noun} stayed closed.",
    "When the {noun} reopened, {person} gave a short speech about the {adj} days of {year}.",
    "The {org} asked residents of {place} what they wanted, and {pct}% answered: a {adj} {noun}.",
    "Records from {year} describe the {noun} as {adj}, {adj2} and rather expensive.",
]

PARAGRAPH_SENTENCES = (3, 6)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _sentence(rng: random.Random) -> str:
    template = rng.choice(TEMPLATES)
    year = rng.randint(1850, 2023)
    values = dict(
        year=year, year2=year + rng.randint(2, 40), place=rng.choice(PLACES),
        org=rng.choice(ORGS), n=rng.randint(12, 9999), n2=rng.randint(40, 900),
        n3=rng.randint(3, 28), pct=rng.randint(2, 95), month=rng.choice(MONTHS),
        day=rng.randint(1, 28), person=rng.choice(PEOPLE), person2=rng.choice(PEOPLE),
        verb=rng.choice(VERBS), verb2=rng.choice(VERBS), adj=rng.choice(ADJECTIVES),
        adj2=rng.choice(ADJECTIVES), noun=rng.choice(NOUNS), noun2=rng.choice(NOUNS),
        hour=rng.randint(6, 11), minute=rng.choice([0, 5, 10, 15, 20, 30, 45, 50]),
        adverb=rng.choice(ADVERBS), money=rng.randint(2, 950) * 1000,
        ordinal=_ordinal(rng.randint(1, 30)), km=rng.randint(2, 60),
        minutes=rng.randint(10, 90), price=rng.randint(1, 40), price2=rng.randint(41, 99),
        cents=rng.randint(0, 99), cents2=rng.randint(0, 99))
    values["Person"] = values["person"][0].upper() + values["person"][1:]
    return template.format(**values)


def _paragraph(rng: random.Random, sentences: tuple[int, int] = PARAGRAPH_SENTENCES) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(*sentences)))


def _title(rng: random.Random) -> str:
    return f"The {rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS).capitalize()} " \
           f"of {rng.choice(PLACES)}"


def count_words(markdown: str) -> int:
    """Words of prose in a generated file (front matter and heading marks excluded)."""
    body = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    return len(re.findall(r"[^\s#]+", body))


def book_files(words: int, files: int | None = None, seed: int = 1) -> dict[str, str]:
    """{file name: Markdown} of a book of about ``words`` words (at least ``words``)."""
    files = files or max(3, min(12, round(words / 2000)))
    per_file = max(1, words // files)
    # A small book (a test's) gets short paragraphs, so that every section still has one.
    sentences = PARAGRAPH_SENTENCES if per_file >= 200 else (1, 2)
    rng = random.Random(seed)
    out: dict[str, str] = {}
    total = 0
    for number in range(1, files + 1):
        title = _title(rng)
        lines = []
        if number == 1:
            lines += ["---", "title: The Towns Along the River", "subtitle: A generated chronicle",
                      "date: 2024-05-01", "language: en", "authors: [Benchmark Press]",
                      "description: A long generated release for the narration benchmark.",
                      "---", ""]
        lines += [f"# Chapter {number}: {title}", ""]
        budget = per_file if number < files else max(per_file, words - total)
        sections = 2 + number % 2
        written = 0
        section_budget = budget // (sections + 1)
        for section in range(sections + 1):
            if section:
                lines += [f"## {_title(rng)}", ""]
            section_words = 0
            while section_words < section_budget or (section == sections
                                                     and written < budget):
                paragraph = _paragraph(rng, sentences)
                lines += [paragraph, ""]
                n = count_words(paragraph)
                section_words += n
                written += n
        text = "\n".join(lines)
        out[f"{number:02d}-chapter.md"] = text
        total += count_words(text)
    return out


TOML = """[project]
language = "en"
publisher = "Benchmark Press"
number_format = "en"

[narration]
engine = "piper"
"""


def make_book(root: Path, words: int, files: int | None = None, seed: int = 1) -> int:
    """Write the project to ``root``; returns the number of words written."""
    root = Path(root)
    content = root / "content" / SLUG
    content.mkdir(parents=True, exist_ok=True)
    (root / "accesspub.toml").write_text(TOML, encoding="utf-8")
    total = 0
    for name, text in book_files(words, files, seed).items():
        (content / name).write_text(text, encoding="utf-8")
        total += count_words(text)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--words", type=int, default=20000)
    parser.add_argument("--files", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    total = make_book(args.dest, args.words, args.files, args.seed)
    print(f"{total} words in {args.dest / 'content' / SLUG}")


if __name__ == "__main__":
    main()
