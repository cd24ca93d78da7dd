"""What a build keeps of the previous one: the narration of a release that is not narrated
this time (``build --no-audio``, or a build of other releases), so that fixing a typo never
makes a podcast episode, its MP3 or its transcripts disappear.

The previous build's ``report.json`` records, per narrated release, its audio files, its
Timeline and a digest of everything the narration says (``speech_digest``).  When the text
still says the same, the kept narration is the release's narration (EPUB overlays
included); when it does not, the old audio stays published, and a warning says it is stale.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from accesspub.config import Config
from accesspub.folders import is_output
from accesspub.model import Publication, Timeline

# The files made from the narration (the EPUB is made again, from the text).
AUDIO_KINDS = ("mp3", "vtt", "srt", "txt", "chapters", "daisy", "m4b", "lpf")


def speech_digest(publication: Publication, config: Config) -> str:
    """What the narration says and how: a kept narration matches while this is equal."""
    digest = hashlib.sha256(repr(config.narration).encode("utf-8"))
    for sentence in publication.iter_sentences():
        digest.update(b"\0" + repr((sentence.id, sentence.spoken)).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class KeptNarration:
    timeline: Timeline            # paths in the new release folder
    files: dict[str, Path]        # kind -> copied file
    matches: bool                 # the text still says what the audio says
    digest: str                   # what the audio says (``speech_digest`` when it was made)


def previous_releases(output: Path) -> dict[str, dict]:
    """The previous build's report entries by slug; {} when there is no usable report."""
    report = output / "report.json"
    if not is_output(output) or not report.is_file():
        return {}
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        return {r["slug"]: r for r in data["releases"] if isinstance(r, dict) and "slug" in r}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _confined(folder: Path, relative: str) -> Path | None:
    """``folder/relative`` when it is a regular file inside ``folder``, else None."""
    path = (folder / relative)
    try:
        real = path.resolve(strict=True)
    except OSError:
        return None
    if folder.resolve() not in real.parents or not real.is_file():
        return None
    return path


def _unpack_daisy(archive: Path, folder: Path) -> None:
    """The DAISY book is recorded as its zip, which holds exactly the ``daisy/`` folder:
    unpacking it gives the folder back."""
    import zipfile
    with zipfile.ZipFile(archive) as zf:
        for name in zf.namelist():
            target = folder / name
            if name.startswith("/") or ".." in Path(name).parts or name.endswith("/"):
                continue        # only ever written by accesspub; refuse what it never writes
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(name))


def keep_narration(entry: dict, old: Path, new: Path, publication: Publication,
                   config: Config) -> KeptNarration | None:
    """Copy a release's narration from the previous build (``old``, its release folder)
    into ``new``; None when there was none or it is not intact."""
    try:
        timeline = Timeline.from_json(entry["timeline"], new)      # where it is copied to
        names = {kind: entry["files"][kind] for kind in AUDIO_KINDS if kind in entry["files"]}
        names.update({f"track:{t.chapter_id}": t.path.relative_to(new).as_posix()
                      for t in timeline.tracks})
    except (KeyError, TypeError, ValueError):
        return None
    if "mp3" not in names:
        return None
    sources = {kind: _confined(old, name) for kind, name in names.items()}
    if any(source is None for source in sources.values()):
        return None
    files = {}
    for kind, name in names.items():
        target = new / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sources[kind], target)
        if not kind.startswith("track:"):
            files[kind] = target
        if kind == "daisy":
            _unpack_daisy(target, new / "daisy")
    digest = str(entry.get("speech_digest", ""))
    return KeptNarration(replace(timeline, voice=str(entry.get("narrator", ""))), files,
                         digest == speech_digest(publication, config), digest)
