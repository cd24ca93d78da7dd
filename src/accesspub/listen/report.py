"""What listen-back found: per-sentence results, diagnostics, the summary and the JSON."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from accesspub.errors import Diagnostics
from accesspub.listen.align import normalise, substitutions

REPORT_NAME = "listen-report.json"
# Above this WER a sentence is heard again alone, and flagged if still above it.
FLAG_WER = 0.34
# A meant word heard as something else in this many sentences: suggest a lexicon entry.
LEXICON_MIN = 2
CAVEAT = ("Whisper base mishears names and foreign words even when they are spoken well: "
          "listen before you change anything (docs/listen.md)")


@dataclass
class Heard:
    id: str
    location: str
    lang: str
    meant: str
    heard: str
    errors: int
    words: int
    status: str = "ok"            # ok | mismatch | recogniser-limit
    rechecked: bool = False
    where: str = ""               # track file and time, for a person to listen to

    @property
    def wer(self) -> float:
        return self.errors / max(self.words, 1)


@dataclass
class ReleaseListen:
    slug: str
    lang: str
    seconds: float
    sentences: list[Heard] = field(default_factory=list)

    @property
    def counted(self) -> list[Heard]:
        return [s for s in self.sentences if s.status != "recogniser-limit"]

    @property
    def wer(self) -> float:
        return sum(s.errors for s in self.counted) / max(sum(s.words for s in self.counted), 1)

    @property
    def flagged(self) -> list[Heard]:
        return [s for s in self.sentences if s.status == "mismatch"]

    def summary(self) -> str:
        limited = len(self.sentences) - len(self.counted)
        return (f"listened to {self.slug}: {self.seconds / 60:.1f} min, WER {self.wer:.3f} over "
                f"{len(self.counted)} sentence(s), {len(self.flagged)} flagged"
                + (f", {limited} left to a person (language the recogniser hears badly)"
                   if limited else ""))


def _quote(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def respeak_command(result: ReleaseListen, heard: Heard) -> str:
    """The command that re-speaks ``heard``'s sentence: by its file and line when no other
    sentence starts there, else by its id (a paragraph's sentences share its line)."""
    shared = sum(1 for s in result.sentences if s.location == heard.location)
    return f"accesspub respeak {heard.location if shared == 1 else f'{result.slug}/{heard.id}'}"


def diagnose(result: ReleaseListen, diag: Diagnostics) -> None:
    for s in result.sentences:
        where = _location(s.location)
        if s.status == "mismatch":
            diag.warning("listen-mismatch", f'meant "{_quote(s.meant)}", heard '
                         f'"{_quote(s.heard)}" (WER {s.wer:.2f})', where,
                         f"listen to {s.where}; if the voice garbled it, re-speak it with "
                         f"another seed: {respeak_command(result, s)}; if a word is said "
                         f"wrong, add it to content/lexicon.pls. {CAVEAT}")
        elif s.status == "recogniser-limit":
            diag.notice("listen-recogniser-limit", f"lang={s.lang}: Whisper base does not "
                        f"hear this well enough to judge it (heard \"{_quote(s.heard)}\")",
                        where, f"listen to {s.where} yourself")
    for word, (heard, places) in sorted(lexicon_suggestions(result).items()):
        diag.notice("listen-lexicon", f'"{word}" was heard as "{heard}" in {len(places)} '
                    f"sentences ({', '.join(places[:4])})", _location(places[0]),
                    f'if the voice says "{word}" wrong, add a lexicon entry for it to '
                    "content/lexicon.pls (an alias or IPA phonemes)")


def _location(text: str):
    from accesspub.model import SourceLocation
    path, _, line = text.rpartition(":")
    return SourceLocation(path, int(line)) if line.isdigit() else SourceLocation(text)


def lexicon_suggestions(result: ReleaseListen) -> dict[str, tuple[str, list[str]]]:
    """Meant word -> (its most common mishearing, the sentences where it was misheard)."""
    seen: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s in result.counted:
        for meant, heard in dict.fromkeys(substitutions(s.meant, s.heard)):
            if len(meant) > 2:                  # "a"/"the" swaps are noise, not a lexicon matter
                seen[meant].append((heard, s.location))
    said = Counter(w for s in result.counted for w in set(normalise(s.meant)))
    found = {}
    for word, hits in seen.items():
        places = len({loc for _, loc in hits})
        # Misheard in most places it is said: the voice is the likelier cause.
        if places >= LEXICON_MIN and places * 2 >= said[word]:
            heard = max(sorted({h for h, _ in hits}), key=[h for h, _ in hits].count)
            found[word] = (heard, list(dict.fromkeys(loc for _, loc in hits)))
    return found


def write_report(results: list[ReleaseListen], output: Path, model: str) -> Path | None:
    """``build/listen-report.json``, only into a build folder accesspub made (a later build
    replaces that folder as a whole, and with it this report)."""
    from accesspub.folders import is_output
    if not is_output(output):
        return None
    data = {"model": model, "flag_wer": FLAG_WER, "note": CAVEAT, "releases": [
        {"slug": r.slug, "lang": r.lang, "seconds": round(r.seconds, 3),
         "wer": round(r.wer, 4), "flagged": len(r.flagged),
         "lexicon": {w: {"heard": h, "at": at} for w, (h, at) in
                     sorted(lexicon_suggestions(r).items())},
         "sentences": [{**asdict(s), "wer": round(s.wer, 4),
                        **({"respeak": respeak_command(r, s)} if s.status == "mismatch" else {})}
                       for s in r.sentences]}
        for r in results]}
    path = output / REPORT_NAME
    tmp = output / f".{REPORT_NAME}.{os.getpid()}.part"
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
