"""``<slug>.m4b``: the narration as one AAC audiobook with chapters, for audiobook apps.

The audio is encoded while the narration is stitched, from the same levelled PCM as the
MP3s (``audio.stitch``, ``audiobook=``): the chapter tracks end to end, as DAISY and the
W3C audiobook play them, so a chapter starts at the same second in every format.  Here it
is only muxed (``-c:a copy``) with the chapters, tags and cover: a fraction of a second,
so every build writes its own tags, also when the stream comes from the narration cache
(a new description, which the MP3s do not carry, re-encodes nothing).  ffmpeg (imageio-ffmpeg's) writes both chapter forms players
read: the QuickTime chapter track (Apple) and the Nero ``chpl`` atom (most others).
``-fflags +bitexact`` keeps creation times and the muxer's version out, so the same
narration gives the same bytes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from accesspub.audio.encode import ffmpeg_exe
from accesspub.errors import ToolError
from accesspub.model import Publication, Timeline


def _escape(value: str) -> str:
    """FFMETADATA values: '=', ';', '#', '\\' and line breaks are escaped."""
    for char in "\\=;#\n":
        value = value.replace(char, "\\" + char)
    return value


def chapter_times(publication: Publication, timeline: Timeline) -> list[tuple[str, int, int]]:
    """(title, start, end) in milliseconds, one per narrated chapter, tracks end to end."""
    titles = {c.id: c.title for c in publication.chapters}
    chapters, at = [], 0
    for track in timeline.tracks:
        if not track.samples:
            continue
        start = round(at * 1000 / timeline.sample_rate)
        at += track.samples
        chapters.append((titles.get(track.chapter_id, track.chapter_id), start,
                         round(at * 1000 / timeline.sample_rate)))
    return chapters


def ffmetadata(publication: Publication, chapters: list[tuple[str, int, int]]) -> str:
    meta = publication.meta
    lines = [";FFMETADATA1", f"title={_escape(meta.title)}", f"album={_escape(meta.title)}",
             "genre=Audiobook"]
    author = ", ".join(meta.authors) or meta.publisher
    if author:
        lines.append(f"artist={_escape(author)}")
        lines.append(f"album_artist={_escape(author)}")
    if meta.date is not None:
        lines.append(f"date={meta.date.isoformat()}")
    if meta.description:
        lines.append(f"comment={_escape(meta.description)}")
    for title, start, end in chapters:
        lines += ["", "[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={end}",
                  f"title={_escape(title)}"]
    return "\n".join(lines) + "\n"


def write_m4b(publication: Publication, timeline: Timeline, out: Path, audio: Path) -> Path:
    """``out/<slug>.m4b`` from ``audio``, the AAC stream stitching made (an MP4 file with
    the tracks end to end); returns its path."""
    dest = out / f"{publication.slug}.m4b"
    chapters = chapter_times(publication, timeline)
    meta_file = out / f".{publication.slug}.ffmeta"
    meta_file.write_text(ffmetadata(publication, chapters), encoding="utf-8")
    cover = publication.meta.cover
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               "-i", str(audio), "-i", str(meta_file)]
    if cover is not None and cover.media_type in ("image/jpeg", "image/png"):
        command += ["-i", str(cover.source), "-map", "0:a", "-map", "2:v", "-c:v", "copy",
                    "-disposition:v", "attached_pic"]
    else:
        command += ["-map", "0:a"]
    command += ["-map_metadata", "1", "-map_chapters", "1", "-c:a", "copy",
                "-fflags", "+bitexact", "-flags:a", "+bitexact",
                "-brand", "M4B ", "-movflags", "+faststart", "-f", "ipod", str(dest)]
    try:
        done = subprocess.run(command, capture_output=True, check=False)
    finally:
        meta_file.unlink(missing_ok=True)
    if done.returncode != 0:
        dest.unlink(missing_ok=True)
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ToolError(f"ffmpeg could not write {dest.name}: "
                        + (detail[-1] if detail else f"exit status {done.returncode}"),
                        code="tool-failed")
    return dest
