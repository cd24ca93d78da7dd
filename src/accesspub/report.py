"""``report.json``: every output, every diagnostic, how each release was narrated, and what
a later text-only build needs to keep a narration (``accesspub.previous``)."""

from __future__ import annotations

import json
from pathlib import Path

from accesspub.config import Config
from accesspub.errors import Diagnostics
from accesspub.results import ReleaseResult

REPORT_NAME = "report.json"


def _release(r: ReleaseResult, result_dir: Path, config: Config) -> dict:
    entry = {
        "slug": r.slug, "title": r.title,
        "outputs": [p.relative_to(result_dir).as_posix() for p in r.outputs],
        "narration_seconds": round(r.duration, 3) if r.duration else None,
        "narration": "kept from the previous build" if r.kept else
                     ("narrated" if r.timeline else "none"),
        "speech": r.speech,
        "tracks": [{"chapter": t.chapter_id, "file": t.path.relative_to(result_dir).as_posix(),
                    "engines": list(t.engines)} for t in r.timeline.tracks] if r.timeline else [],
        "engines": {name: len(ids) for name, ids in sorted(r.engines.items())}}
    if r.timeline is not None:
        from accesspub.previous import speech_digest
        folder = result_dir / r.slug
        entry["files"] = {kind: path.relative_to(folder).as_posix()
                          for kind, path in sorted(r.files.items()) if kind != "epub"}
        entry["timeline"] = r.timeline.to_json(folder)
        from accesspub.config import OUTPUT_AUDIENCES
        entry["formats"] = {kind: OUTPUT_AUDIENCES[kind] for kind in sorted(r.files)
                            if kind in OUTPUT_AUDIENCES}
        entry["narrator"] = r.timeline.voice
        entry["speech_digest"] = (r.kept_digest if r.kept else
                                  speech_digest(r.publication, config))
    return entry


def write_report(result_dir: Path, releases: list[ReleaseResult], diag: Diagnostics,
                 config: Config) -> Path:
    from accesspub.writers.feed import feed_skipped_reason, wants_feed
    narrated = any(r.timeline is not None for r in releases)
    report = {
        "releases": [_release(r, result_dir, config) for r in releases],
        "feed": ({"written": True} if wants_feed(config, narrated) else
                 {"written": False, "reason": feed_skipped_reason(config, narrated)}),
        "diagnostics": [d.as_json() for d in diag.items],
    }
    path = result_dir / REPORT_NAME
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
