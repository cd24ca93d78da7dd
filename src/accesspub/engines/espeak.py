"""espeak-ng: the system speech synthesiser, when installed.  Every language, robotic voice.

Options (``[engine.espeak]`` in accesspub.toml)::

    binary = "espeak-ng"   # name on PATH or a full path
    voice = ""             # espeak-ng voice, e.g. "en-gb+f3"; default: the text's language
    rate = 160             # words per minute; default: espeak-ng's own (175)
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import ClassVar, Sequence

from accesspub.engines import CONFIG_FILE, AudioClip, Voice, check_option, strip_phonemes
from accesspub.engines.pcm import trim_silence, wav_to_clip
from accesspub.errors import ConfigError, EngineError, EngineUnavailable

TIMEOUT = 120.0


class EspeakEngine:
    """espeak-ng run as a subprocess: text on stdin, a WAV file on stdout.

    Contract: returns 16-bit mono PCM at espeak-ng's rate (22050 Hz), trimmed of
    leading/trailing silence.  ``[[ IPA ]]`` blocks are dropped: espeak-ng's own ``[[ ]]``
    expects its phoneme mnemonics, not IPA.  Raises EngineUnavailable when the binary is
    missing, EngineError when it fails.
    """

    name: ClassVar[str] = "espeak"
    accepts_phonemes: ClassVar[bool] = False
    # espeak-ng speaks the same every time: a respeak seed is ignored (the build warns).
    accepts_seed: ClassVar[bool] = False

    def __init__(self, binary: str = "espeak-ng", voice: str = "",
                 rate: int | None = None) -> None:
        check_option("espeak", "binary", binary, str)
        self.voice = check_option("espeak", "voice", voice, str)
        self.rate = check_option("espeak", "rate", rate, int, optional=True)
        if self.rate is not None and not 80 <= self.rate <= 500:
            raise ConfigError("engine.espeak.rate must be 80 to 500 words per minute",
                              CONFIG_FILE, code="config-value")
        found = shutil.which(binary)
        if not found:
            raise EngineUnavailable(
                f"{binary} is not installed; install the espeak-ng system package",
                code="engine-unavailable",
                hint="apt install espeak-ng, brew install espeak-ng, or set "
                     "engine.espeak.binary to its path")
        self.binary = found
        self._languages: dict[str, str] | None = None
        self._fingerprint: str | None = None

    def _run(self, args: list[str], text: str | None = None) -> bytes:
        try:
            done = subprocess.run([self.binary, *args], capture_output=True, timeout=TIMEOUT,
                                  input=text.encode("utf-8") if text is not None else None,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineError(f"espeak-ng could not run: {exc}", code="engine-failed") from exc
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()
            raise EngineError(f"espeak-ng failed: {detail or f'exit status {done.returncode}'}",
                              code="engine-failed")
        return done.stdout

    def _language_table(self) -> dict[str, str]:
        """Lower-case language tag -> voice name, from ``espeak-ng --voices``."""
        if self._languages is None:
            table: dict[str, str] = {}
            listing = self._run(["--voices"]).decode("utf-8", "replace").splitlines()
            for line in listing[1:]:          # header: Pty Language Age/Gender VoiceName …
                cols = line.split()
                if len(cols) >= 4:
                    table.setdefault(cols[1].lower(), cols[3].replace("_", " "))
            self._languages = table
        return self._languages

    def voices(self) -> Sequence[Voice]:
        return [Voice(tag, name, (tag,)) for tag, name in sorted(self._language_table().items())]

    def has_voice(self, voice: str) -> bool:
        """A language or a voice name espeak-ng lists, with an optional variant
        ("en-gb+f3"): more than ``voices()`` gives, which is one per language."""
        if not re.fullmatch(r"[A-Za-z0-9_+\-]+", voice):
            return False
        base = voice.split("+")[0].lower()
        table = self._language_table()
        return base in table or base.replace("_", " ") in {n.lower() for n in table.values()}

    def speaks(self, lang: str) -> bool:
        parts = lang.replace("_", "-").lower().split("-")
        table = self._language_table()
        return any("-".join(parts[:n]) in table for n in range(len(parts), 0, -1))

    def synthesize(self, text: str, *, lang: str, voice: str | None = None) -> AudioClip:
        text = strip_phonemes(text)
        chosen = voice or self.voice or lang
        if not re.fullmatch(r"[A-Za-z0-9_+\-]+", chosen):
            raise EngineError(f"{chosen!r} is not an espeak-ng voice name",
                              code="engine-voice")
        args = ["--stdout", "--stdin", "-b", "1", "-v", chosen]   # -b 1: input is UTF-8
        if self.rate:
            args += ["-s", str(self.rate)]
        clip = wav_to_clip(self._run(args, text))
        return trim_silence(clip)

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            banner = self._run(["--version"]).decode("utf-8", "replace")
            # "eSpeak NG text-to-speech: 1.51  Data at: /usr/…": keep the version only.
            found = re.search(r"\d+(\.\d+)+", banner)
            version = found.group(0) if found else banner.strip()
            self._fingerprint = f"espeak {version} voice={self.voice} rate={self.rate}"
        return self._fingerprint

    def close(self) -> None:
        pass
