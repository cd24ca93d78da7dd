"""Hearing the narration: faster-whisper (Whisper base, int8) on decoded audio.

    rec = Recogniser()
    rec.words(audio, "en") -> [(start_s, end_s, word)]    # one chapter track, decoded once
    rec.text(audio, "en") -> str                            # one sentence alone (second pass)

Numbers are spoken as words, so every token holding a digit or a currency/percent sign is
suppressed: Whisper then writes the words it heard, which compare with the spoken form.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from accesspub.listen.model import INSTALL_HINT, ListenUnavailable, model_folder

SAMPLE_RATE = 16_000           # what Whisper takes
PERCENT = set("%‰‱٪")
# Whisper's languages that base hears well enough to compare word by word; for the others
# a high WER says more about the recogniser than about the narration.
WELL_HEARD = frozenset("en de fr es it pt nl".split())


def _byte_decoder() -> dict[str, int]:
    """GPT-2 byte-level BPE: the printable stand-in character -> the raw byte."""
    bs = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
          *range(ord("®"), ord("ÿ") + 1)]
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def _numberish(raw: bytes) -> bool:
    if any(0x30 <= b <= 0x39 for b in raw) or b"\xe2\x82" in raw:   # 0-9; € ₹ ₼ lead bytes
        return True
    return any(unicodedata.category(ch) in ("Nd", "No", "Nl", "Sc") or ch in PERCENT
               for ch in raw.decode("utf-8", errors="ignore"))


def number_tokens(hf_tokenizer, eot: int) -> list[int]:
    table = _byte_decoder()
    return sorted(i for token, i in hf_tokenizer.get_vocab().items()
                  if i < eot and _numberish(bytes(table.get(c, 0) for c in token)))


def decode(path: Path):
    """An MP3 as 16 kHz mono float32 (PyAV honours the gapless header: times agree)."""
    from faster_whisper import decode_audio
    return decode_audio(str(path), sampling_rate=SAMPLE_RATE)


class Recogniser:
    def __init__(self, folder: Path | None = None, threads: int | None = None) -> None:
        # Loading from a folder never asks the hub; this makes sure nothing else does.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from faster_whisper import WhisperModel
            from faster_whisper.tokenizer import Tokenizer
        except ImportError as exc:
            raise ListenUnavailable("check --listen needs faster-whisper, which is not "
                                    "installed", code="listen-unavailable",
                                    hint=INSTALL_HINT) from exc
        self.model = WhisperModel(str(model_folder(folder)), device="cpu",
                                  compute_type="int8", cpu_threads=threads or os.cpu_count() or 1)
        eot = Tokenizer(self.model.hf_tokenizer, True, task="transcribe", language="en").eot
        self._suppress = [-1] + number_tokens(self.model.hf_tokenizer, eot)

    def _run(self, audio, lang: str, words: bool):
        # Beam 1: beam 5 was slower and skipped whole sentences on the sample.
        segments, _ = self.model.transcribe(
            audio, language=lang, beam_size=1, word_timestamps=words,
            suppress_tokens=self._suppress, condition_on_previous_text=False, vad_filter=False)
        return list(segments)             # the work happens while iterating

    def words(self, audio, lang: str) -> list[tuple[float, float, str]]:
        return [(w.start, w.end, w.word) for s in self._run(audio, lang, True) for w in s.words]

    def text(self, audio, lang: str) -> str:
        return "".join(s.text for s in self._run(audio, lang, False)).strip()
