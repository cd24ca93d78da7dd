"""A deterministic stand-in engine: a tone as long as the text.  For tests and plugin authors.

It documents the engine contract in the smallest form:

* ``synthesize`` returns signed 16-bit little-endian mono PCM with a truthful sample rate;
* the same (text, lang, voice, settings) always gives the same bytes;
* the clip has no silent padding at either end (the audio stage adds pauses);
* failures are ``EngineError``s — here on demand, through ``fail_langs``.

Options (``[engine.fake]``)::

    ms_per_char = 40        # clip length: 40 ms per character of text
    sample_rate = 22050
    fail_langs = ["az"]     # raise EngineError for these languages (tests of fallback)
"""

from __future__ import annotations

import zlib
from typing import ClassVar, Sequence

import numpy as np

from accesspub.engines import CONFIG_FILE, AudioClip, Voice, check_option, primary_subtag
from accesspub.errors import ConfigError, EngineError


class FakeEngine:
    """A sine tone of ``len(text) * ms_per_char`` ms; its pitch depends on text and language."""

    name: ClassVar[str] = "fake"
    accepts_phonemes: ClassVar[bool] = True     # it reads nothing, so anything goes
    accepts_seed: ClassVar[bool] = True         # another seed, another pitch (respeak tests)

    def __init__(self, ms_per_char: int = 40, sample_rate: int = 22050,
                 fail_langs: list[str] | tuple[str, ...] = ()) -> None:
        self.ms_per_char = check_option("fake", "ms_per_char", ms_per_char, int)
        self.sample_rate = check_option("fake", "sample_rate", sample_rate, int)
        check_option("fake", "fail_langs", fail_langs, (list, tuple))
        if self.ms_per_char < 1 or not 8000 <= self.sample_rate <= 192000:
            raise ConfigError("engine.fake: ms_per_char must be 1 or more and sample_rate "
                              "8000 to 192000", CONFIG_FILE, code="config-value")
        self.fail_langs = frozenset(primary_subtag(str(lang)) for lang in fail_langs)
        self.calls: list[tuple[str, str, str | None]] = []   # what was asked, for tests

    def voices(self) -> Sequence[Voice]:
        return [Voice("tone", "Test tone (fake engine)", ("und",))]

    def speaks(self, lang: str) -> bool:
        return primary_subtag(lang) not in self.fail_langs

    def synthesize(self, text: str, *, lang: str, voice: str | None = None,
                   seed: int = 0) -> AudioClip:
        self.calls.append((text, lang, voice))
        if primary_subtag(lang) in self.fail_langs:
            raise EngineError(f"the fake engine was told to fail for {lang!r}",
                              code="engine-failed")
        n = self.sample_rate * self.ms_per_char * len(text) // 1000
        # Pitch from a checksum (not hash(), which changes per process) keeps it repeatable.
        key = f"{lang}\0{voice}\0{text}" + (f"\0{seed}" if seed else "")
        pitch = 220 + zlib.crc32(key.encode()) % 440
        t = np.arange(n, dtype=np.float64) / self.sample_rate
        tone = 0.3 * np.sin(2 * np.pi * pitch * t)
        return AudioClip((tone * 32767).astype("<i2").tobytes(), self.sample_rate)

    def fingerprint(self) -> str:
        return f"fake 1 ms_per_char={self.ms_per_char} sample_rate={self.sample_rate}"

    def close(self) -> None:
        pass
