"""Listen-back: transcribe the built narration offline and flag sentences heard badly.

    results = listen_back(config, publications, diagnostics)

Reads the Timeline from ``build/report.json`` (the last build), decodes each chapter track
once, hears it with Whisper base, gives each heard word to the sentence whose clip holds
it, and compares with the sentence's spoken form.  A sentence heard badly is heard again
alone before it is flagged (Whisper sometimes skips a stretch of a long input).  Needs the
``listen`` extra; nothing is downloaded.
"""

from __future__ import annotations

import json

from accesspub.config import Config
from accesspub.errors import ConfigError, Diagnostics
from accesspub.languages import primary
from accesspub.listen.report import FLAG_WER, Heard, ReleaseListen, diagnose
from accesspub.model import Publication, Sentence, Timeline

__all__ = ["listen_back", "ReleaseListen"]


def _timelines(config: Config) -> dict[str, Timeline]:
    report = config.output_dir / "report.json"
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ConfigError(f"nothing to listen to: {report} is missing or unreadable",
                          code="listen-no-build",
                          hint="run accesspub build (with narration) first") from None
    return {r["slug"]: Timeline.from_json(r["timeline"], config.output_dir / r["slug"])
            for r in data.get("releases", []) if r.get("timeline")}


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def listen_back(config: Config, publications: list[Publication], diag: Diagnostics,
                recogniser=None) -> list[ReleaseListen]:
    from accesspub.listen.align import assign_words, wer_counts
    from accesspub.listen.transcribe import SAMPLE_RATE, WELL_HEARD, Recogniser, decode

    timelines = _timelines(config)
    rec = None
    results = []
    for pub in publications:
        timeline = timelines.get(pub.slug)
        if timeline is None:
            diag.warning("listen-no-narration", f"{pub.slug} has no narration in "
                         f"{config.output_dir.name}/ to listen to", pub.source,
                         "build it with narration first (accesspub build, without --no-audio)")
            continue
        rec = rec or recogniser or Recogniser()
        lang = primary(pub.meta.lang)
        sentences = {s.id: s for s in pub.iter_sentences()}
        result = ReleaseListen(pub.slug, lang, timeline.duration)
        for track in timeline.tracks:
            audio = decode(track.path)
            sr = timeline.sample_rate
            clips = [(c.sentence_id, c.begin / sr, c.end / sr) for c in track.clips
                     if c.sentence_id in sentences]
            heard, _ = assign_words(rec.words(audio, lang), clips)
            for sid, begin, end in clips:
                sentence = sentences[sid]
                text = "".join(heard[sid]).strip()
                item = _judge(sentence, text, lang, wer_counts, WELL_HEARD)
                item.where = (f"{track.path.relative_to(config.root).as_posix()} at "
                              f"{_clock(begin)}" if track.path.is_relative_to(config.root)
                              else f"{track.path.name} at {_clock(begin)}")
                if item.status == "mismatch":
                    # Heard again alone, with no padding (padding picks up the neighbours).
                    alone = rec.text(audio[int(begin * SAMPLE_RATE):int(end * SAMPLE_RATE)], lang)
                    again = _judge(sentence, alone, lang, wer_counts, WELL_HEARD)
                    if again.errors < item.errors:
                        again.where, item = item.where, again
                    item.rechecked = True
                result.sentences.append(item)
        diagnose(result, diag)
        results.append(result)
    return results


def _judge(sentence: Sentence, heard: str, lang: str, wer_counts, well_heard) -> Heard:
    meant = sentence.spoken_text
    errors, words = wer_counts(meant, heard)
    foreign = sorted({primary(p.lang) for p in sentence.spoken if p.text.strip()} - {lang})
    limited = foreign or lang not in well_heard
    status = "ok" if errors / max(words, 1) <= FLAG_WER else (
        "recogniser-limit" if limited else "mismatch")
    shown_lang = foreign[0] if foreign else lang
    return Heard(sentence.id, str(sentence.location), shown_lang, meant, heard, errors, words,
                 status)


def model_name() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return f"Whisper base int8 (faster-whisper {version('faster-whisper')})"
    except PackageNotFoundError:
        return "Whisper base int8"
