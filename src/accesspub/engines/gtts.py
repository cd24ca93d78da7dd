"""gTTS: Google Translate's voices, online.

Options (``[engine.gtts]`` in accesspub.toml)::

    tld = "com"                # translate.google.<tld>; other hosts give other accents
    lang_map = { az = "tr" }   # languages Google lacks -> the language to read them as
    slow = false
    retries = 4                # tries in all before giving up
    backoff = 1.0              # seconds before the 2nd try; doubles each time
    timeout = 15.0             # seconds to wait for Google to answer

Google throttles (HTTP 429) and sometimes fails (5xx) or is unreachable.  Those are tried
again with exponential backoff; if every try fails the engine raises EngineUnavailable (an
EngineError), which lets ``EngineSet`` switch to the configured fallback engine for the rest
of the build instead of waiting out the backoff for every sentence.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, ClassVar, Sequence

from accesspub.engines import (CONFIG_FILE, AudioClip, Voice, check_option, primary_subtag,
                               strip_phonemes)
from accesspub.engines.pcm import decode_with_ffmpeg, trim_silence
from accesspub.errors import ConfigError, EngineError, EngineUnavailable

log = logging.getLogger(__name__)

SAMPLE_RATE = 24000          # what Google's MP3s are encoded at; decoding keeps it
MAX_WAIT = 60.0              # never sleep longer than this between two tries
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class GttsEngine:
    """Google Text-to-Speech via the ``gtts`` library; MP3 decoded to PCM with ffmpeg.

    Contract: returns 16-bit mono PCM at 24 kHz, trimmed of leading/trailing silence.
    ``[[ phonemes ]]`` are dropped (Google reads text only).  Raises EngineUnavailable when
    Google cannot be reached after ``retries`` tries, EngineError for an answer without
    audio (bad ``tld``, language refused), ConfigError for bad options.
    """

    name: ClassVar[str] = "gtts"
    accepts_phonemes: ClassVar[bool] = False
    # Google's voice has no noise seed to change: a respeak seed is ignored (the build warns).
    accepts_seed: ClassVar[bool] = False

    def __init__(self, tld: str = "com", lang_map: dict[str, str] | None = None,
                 slow: bool = False, retries: int = 4, backoff: float = 1.0,
                 timeout: float = 15.0, *, sleep: Callable[[float], Any] = time.sleep) -> None:
        self.tld = check_option("gtts", "tld", tld, str).strip(".")
        lang_map = {"az": "tr"} if lang_map is None else lang_map
        check_option("gtts", "lang_map", lang_map, dict)
        self.slow = check_option("gtts", "slow", slow, bool)
        self.retries = check_option("gtts", "retries", retries, int)
        self.backoff = check_option("gtts", "backoff", backoff, float)
        self.timeout = check_option("gtts", "timeout", timeout, float)
        if self.retries < 1:
            raise ConfigError("engine.gtts.retries must be 1 or more (tries in all)",
                              CONFIG_FILE, code="config-value")
        if self.backoff < 0 or self.timeout <= 0:
            raise ConfigError("engine.gtts.backoff must be 0 or more and engine.gtts.timeout "
                              "above 0", CONFIG_FILE, code="config-value")
        if not callable(sleep):
            raise ConfigError("engine.gtts.sleep is not an option", CONFIG_FILE,
                              code="config-unknown-key")
        self._sleep = sleep
        try:
            from gtts.lang import tts_langs
        except ImportError as exc:
            raise EngineUnavailable("engine 'gtts' needs the gtts package",
                                    code="engine-unavailable", hint="pip install gtts") from exc
        # Case-insensitive lookup, but send Google its own spelling ("zh-TW").
        self._langs = {tag.lower(): tag for tag in tts_langs()}
        self.lang_map: dict[str, str] = {}
        for source, target in sorted(lang_map.items()):
            if not isinstance(target, str) or target.lower() not in self._langs:
                raise ConfigError(f"engine.gtts.lang_map.{source}: Google has no language "
                                  f"{target!r}", CONFIG_FILE, code="config-value",
                                  hint="use one of: " + ", ".join(sorted(self._langs.values())))
            self.lang_map[source.lower()] = self._langs[target.lower()]

    # -- languages ------------------------------------------------------------------------

    def google_lang(self, lang: str) -> str | None:
        """The gTTS language for a BCP 47 tag: lang_map first, then Google's own list."""
        tag = lang.replace("_", "-").lower()
        primary = primary_subtag(tag)
        for candidate in (tag, primary):
            if candidate in self.lang_map:
                return self.lang_map[candidate]
        for candidate in (tag, primary):
            if candidate in self._langs:
                return self._langs[candidate]
        return None

    def speaks(self, lang: str) -> bool:
        return self.google_lang(lang) is not None

    def voices(self) -> Sequence[Voice]:
        return [Voice(f"google-{self.tld}", f"Google Translate (translate.google.{self.tld})",
                      tuple(sorted(self._langs.values())))]

    # -- speech ---------------------------------------------------------------------------

    def synthesize(self, text: str, *, lang: str, voice: str | None = None) -> AudioClip:
        google = self.google_lang(lang)
        if google is None:
            raise EngineError(f"Google Text-to-Speech has no language {lang!r}",
                              code="engine-language",
                              hint=f"map it in [engine.gtts] lang_map, e.g. "
                                   f"{{ {primary_subtag(lang)} = \"en\" }}, or choose another "
                                   "engine for it in [narration.languages]")
        text = strip_phonemes(text)
        if not any(ch.isalnum() for ch in text):
            return AudioClip(b"", SAMPLE_RATE)       # gTTS refuses text with nothing to say
        mp3 = self._fetch(text, google)
        return trim_silence(decode_with_ffmpeg(mp3, SAMPLE_RATE))

    def _fetch(self, text: str, google_lang: str) -> bytes:
        """MP3 bytes for ``text``, trying again after throttling and network failures."""
        from gtts import gTTS, gTTSError
        from requests import RequestException

        last = ""
        for attempt in range(1, self.retries + 1):
            wait = self.backoff * 2 ** (attempt - 1)
            try:
                tts = gTTS(text, tld=self.tld, lang=google_lang, slow=self.slow,
                           lang_check=False, timeout=self.timeout)
                return b"".join(tts.stream())
            except gTTSError as exc:
                response = exc.rsp
                status = getattr(response, "status_code", None)
                last = str(exc.msg or exc)
                if status is not None and status not in RETRY_STATUSES:
                    raise EngineError(f"Google Text-to-Speech refused the request: {last}",
                                      code="engine-failed",
                                      hint="check engine.gtts.tld and the language") from exc
                wait = max(wait, _retry_after(response))
            except RequestException as exc:
                # gTTS reads the body outside its own try: a dropped connection lands here.
                last = f"{type(exc).__name__}: {exc}"
            except AssertionError as exc:      # gTTS asserts there is text left to send
                raise EngineError(f"Google Text-to-Speech found nothing to say in {text!r}",
                                  code="engine-failed") from exc
            if attempt < self.retries:
                log.info("gTTS try %d failed (%s); trying again in %.1f s", attempt, last, wait)
                self._sleep(min(wait, MAX_WAIT))
        raise EngineUnavailable(
            f"Google Text-to-Speech could not be reached after {self.retries} tries: {last}; "
            "check the internet connection or set a fallback engine",
            code="engine-network",
            hint='e.g. [narration.languages] az = { engine = "gtts", fallback = "piper" }')

    def fingerprint(self) -> str:
        # Google changes its voices without telling anyone; this covers what we control.
        from importlib.metadata import PackageNotFoundError, version
        try:
            gtts_version = version("gtts")
        except PackageNotFoundError:
            gtts_version = "unknown"
        mapped = ",".join(f"{k}>{v}" for k, v in sorted(self.lang_map.items()))
        return (f"gtts {gtts_version} tld={self.tld} slow={self.slow} lang_map={mapped} "
                f"pcm={SAMPLE_RATE}")

    def close(self) -> None:
        pass          # gTTS opens a new requests.Session per request and closes it


def _retry_after(response: Any) -> float:
    """Seconds a 429/503 response asks us to wait (``Retry-After: 5``), else 0."""
    try:
        return float(response.headers.get("Retry-After", 0))
    except (AttributeError, TypeError, ValueError):
        return 0.0
