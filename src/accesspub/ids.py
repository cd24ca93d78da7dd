"""The only place ids and file names are made: every output uses the same ones."""

from __future__ import annotations

import re
import unicodedata
import uuid

# A fixed namespace so a release's identifier is the same on every machine and rebuild.
ACCESSPUB_NAMESPACE = uuid.UUID("6f1d4c2a-8b0e-5a57-9c3d-acce55b0b000")


def slugify(text: str, max_length: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "section"


def chapter_id(number: int) -> str:
    return f"c{number:02d}"


def chapter_slug(number: int, title: str) -> str:
    return f"{number:02d}-{slugify(title, 32)}"


def publication_identifier(publisher: str, slug: str) -> str:
    return f"urn:uuid:{uuid.uuid5(ACCESSPUB_NAMESPACE, f'{publisher}/{slug}')}"


class IdMaker:
    """Sequential ids inside one chapter: c03-s0001 (sentence), c03-b001 (block)…"""

    def __init__(self, chapter: str) -> None:
        self.chapter = chapter
        self.counts: dict[str, int] = {}

    def next(self, kind: str, width: int = 3) -> str:
        n = self.counts.get(kind, 0) + 1
        self.counts[kind] = n
        return f"{self.chapter}-{kind}{n:0{width}d}"

    def sentence(self) -> str:
        return self.next("s", 4)
