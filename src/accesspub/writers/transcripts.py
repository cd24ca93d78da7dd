"""Transcripts and chapters from the Timeline: WebVTT, SRT, plain text, Podcasting 2.0 JSON.

Cue times are the same sample offsets as the SMIL clips and the ID3 chapters, shifted by
each track's place in the full narration.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

from accesspub.model import Publication, Sentence, Timeline
from accesspub.timecode import clock

_SPACES = re.compile(r"[ \t\n\r\f\v]+")
VTT_WIDTH = 60      # Podcasting 2.0 asks for at most 65 characters a line
SRT_WIDTH = 42


def cues(publication: Publication, timeline: Timeline) -> list[tuple[Sentence, float, float]]:
    """(sentence, start, end) in seconds of the full narration, in reading order."""
    by_id = {s.id: s for s in publication.iter_sentences()}
    out = []
    for track in timeline.tracks:
        for clip in track.clips:
            out.append((by_id[clip.sentence_id],
                        timeline.seconds(track.offset + clip.begin),
                        timeline.seconds(track.offset + clip.end)))
    return out


def _text_lines(sentence: Sentence) -> list[str]:
    """The sentence as written, one string per line: a line break stays one in a caption."""
    lines, current = [], []
    for run in sentence.runs:
        if run.kind == "break":
            lines.append("".join(current))
            current = []
        else:
            current.append(run.text)
    lines.append("".join(current))
    # ASCII white space only: a no-break space (26\u00a0000) keeps its number on one line
    return [text for text in (_SPACES.sub(" ", line).strip(" ") for line in lines) if text]


def _wrapped(sentence: Sentence, width: int) -> list[str]:
    return [part for line in _text_lines(sentence) for part in textwrap.wrap(line, width) or [line]]


def vtt_escape(text: str) -> str:
    """Cue text as WebVTT reads it: "<" would open a tag, "&" a character reference, and
    "-->" would end the payload; escaped, the sentence shows exactly as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt(publication: Publication, timeline: Timeline) -> str:
    parts = ["WEBVTT", ""]
    for sentence, start, end in cues(publication, timeline):
        parts.append(sentence.id)
        parts.append(f"{clock(start, hour_digits=2)} --> {clock(end, hour_digits=2)}")
        parts.extend(vtt_escape(line) for line in _wrapped(sentence, VTT_WIDTH))
        parts.append("")
    return "\n".join(parts)


def srt(publication: Publication, timeline: Timeline) -> str:
    parts = []
    for number, (sentence, start, end) in enumerate(cues(publication, timeline), start=1):
        parts.append(str(number))
        parts.append(f"{clock(start, decimal=',', hour_digits=2)} --> {clock(end, decimal=',', hour_digits=2)}")
        # SubRip has no escapes; "-->" in a text line is read as a timing line by some players
        parts.extend(line.replace("-->", "→") for line in _wrapped(sentence, SRT_WIDTH))
        parts.append("")
    return "\n".join(parts)


def plain_text(publication: Publication, timeline: Timeline) -> str:
    """What the narration says, paragraph by paragraph, with the written form where it differs."""
    meta = publication.meta
    lines = [meta.title, "=" * len(meta.title), ""]
    for chapter in publication.chapters:
        for sentence in chapter.iter_sentences():
            spoken = sentence.spoken_text
            if spoken and spoken != sentence.text:
                lines.append(f"{sentence.text}\n    [spoken: {spoken}]")
            else:
                lines.append(sentence.text)
        lines.append("")
    return "\n".join(lines)


def chapters_json(publication: Publication, timeline: Timeline) -> str:
    chapters = []
    for chapter, track in zip(publication.chapters, timeline.tracks):
        chapters.append({"startTime": round(timeline.seconds(track.offset), 3),
                         "endTime": round(timeline.seconds(track.offset + track.samples), 3),
                         "title": chapter.title})
    document = {"version": "1.2.0", "title": publication.meta.title,
                "author": ", ".join(publication.meta.authors) or publication.meta.publisher,
                "fileName": timeline.full_path.name, "chapters": chapters}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_transcripts(publication: Publication, timeline: Timeline, out: Path) -> dict[str, Path]:
    """kind -> file written: "vtt", "srt", "txt", "chapters"."""
    slug = publication.slug
    files = {
        "vtt": (out / f"{slug}.vtt", vtt(publication, timeline)),
        "srt": (out / f"{slug}.srt", srt(publication, timeline)),
        "txt": (out / f"{slug}.txt", plain_text(publication, timeline)),
        "chapters": (out / f"{slug}.chapters.json", chapters_json(publication, timeline)),
    }
    for path, text in files.values():
        path.write_text(text, encoding="utf-8", newline="\n")
    return {kind: path for kind, (path, _) in files.items()}
