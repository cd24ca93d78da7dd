"""Regenerate ``src/accesspub/data/exemplars.json`` from Unicode CLDR.

The ``lang-unmarked`` check (``accesspub/lint.py``) needs each language's alphabet: the
CLDR *exemplar characters* (main and auxiliary sets).  Babel does not ship them, so this
script extracts them once from the ``cldr-misc-full`` npm package (Unicode licence, see
https://www.unicode.org/license.txt) into a small JSON file shipped with accesspub::

    cd /tmp && npm pack cldr-misc-full@48.2.0 && tar xzf cldr-misc-full-48.2.0.tgz
    .venv/bin/python scripts/make_exemplars.py /tmp/package > src/accesspub/data/exemplars.json

Only locales without a region are kept ("en", "sr-Latn"): an alphabet is a matter of
language and script.  Each value is the sorted lower-case letters of both sets.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path


def unicode_set(text: str) -> set[str]:
    """The characters of a CLDR UnicodeSet such as ``[a-z á {ch} \\u0300]``."""
    body = text.strip()[1:-1]
    body = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), body)
    body = re.sub(r"\\U([0-9a-fA-F]{8})", lambda m: chr(int(m[1], 16)), body)
    out: set[str] = set()
    for string in re.findall(r"\{([^}]*)\}", body):
        out.update(string)
    body = re.sub(r"\{[^}]*\}", " ", body)
    chars = list(body)
    i = 0
    while i < len(chars):
        c = chars[i]
        if c == "\\" and i + 1 < len(chars):
            out.add(chars[i + 1])
            i += 2
            continue
        if c == "-" and out and i + 1 < len(chars) and not chars[i + 1].isspace() and i > 0:
            start = ord(chars[i - 1])
            end = ord(chars[i + 1])
            out.update(chr(x) for x in range(start, end + 1))
            i += 2
            continue
        if not c.isspace():
            out.add(c)
        i += 1
    return out


def letters(chars: set[str]) -> str:
    keep = set()
    for c in chars:
        for d in (unicodedata.normalize("NFC", c), c.lower()):
            for ch in d:
                if unicodedata.category(ch)[0] in "LM":
                    keep.add(ch.lower())
    return "".join(sorted(keep))


def main(package: Path) -> None:
    table = {}
    for folder in sorted((package / "main").iterdir()):
        tag = folder.name
        parts = tag.split("-")
        if any(len(p) == 2 and p.isupper() or p.isdigit() for p in parts[1:]):
            continue                            # a region: same alphabet as the language
        data = json.loads((folder / "characters.json").read_text(encoding="utf-8"))
        chars = data["main"][tag]["characters"]
        sets = unicode_set(chars.get("exemplarCharacters", "[]"))
        sets |= unicode_set(chars.get("auxiliary", "[]"))
        table[tag] = letters(sets)
    json.dump(table, sys.stdout, ensure_ascii=False, indent=0, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
