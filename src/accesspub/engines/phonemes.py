"""Text -> phonemes with the espeak-ng that ships inside the piper-tts package.

Piper phonemises in the voice's own language.  We also want the English voice to say an
Azerbaijani phrase with Azerbaijani pronunciation, so this module phonemises in *any* language
espeak-ng knows, and passes ``[[ raw IPA ]]`` (from a pronunciation lexicon) through unchanged.
The result has the shape Piper's ``PiperVoice.phonemize`` returns: one phoneme list per
sentence, phonemes being Unicode code points after NFD (accents are separate phonemes).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from pathlib import Path
from typing import Any

# Same pattern Piper uses for inline phonemes: "[[ ˈhɛloʊ ]]".
RAW_PHONEMES = re.compile(r"(\[\[.*?\]\])", re.DOTALL)

_own_lock = threading.Lock()
_phonemizer: Any = None


def _espeak_lock() -> threading.Lock:
    """The lock that guards espeak-ng's global voice setting.

    espeak-ng keeps the current voice in C globals.  Piper's own ``PiperVoice.phonemize``
    guards it with a module lock; we share that lock, so a caller mixing the two in threads
    cannot switch the voice under the other's feet.
    """
    try:
        from piper import voice as piper_voice
        return piper_voice._ESPEAK_PHONEMIZER_LOCK
    except (ImportError, AttributeError):     # a future piper that renames it
        return _own_lock


def espeak_data_dir() -> Path:
    from piper.phonemize_espeak import ESPEAK_DATA_DIR
    return Path(ESPEAK_DATA_DIR)


@functools.cache
def espeak_languages() -> dict[str, str]:
    """Lower-case language tag -> espeak-ng voice name, from the bundled ``lang/`` files.

    Each voice file is named after its voice (``lang/trk/az``, ``lang/roa/pt-BR``) and lists
    ``language TAG [priority]`` lines; the lowest priority number wins a shared tag
    (``zh`` -> ``cmn``, ``no`` -> ``nb``).  A file's own name always maps to itself.
    """
    best: dict[str, tuple[int, str]] = {}
    for path in sorted((espeak_data_dir() / "lang").rglob("*")):
        if not path.is_file():
            continue
        name = path.name
        candidates = [(name.lower(), 0)]
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "language":
                priority = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 5
                candidates.append((parts[1].lower(), priority))
        for tag, priority in candidates:
            if tag not in best or (priority, name) < best[tag]:
                best[tag] = (priority, name)
    return {tag: name for tag, (_, name) in best.items()}


def espeak_voice_for(lang: str) -> str | None:
    """The espeak-ng voice for a BCP 47 tag, trying ``pt-BR`` before ``pt``; None if unknown."""
    table = espeak_languages()
    parts = lang.replace("_", "-").lower().split("-")
    while parts:
        name = table.get("-".join(parts))
        if name:
            return name
        parts.pop()
    return None


def _get_phonemizer() -> Any:
    global _phonemizer
    if _phonemizer is None:
        from piper.phonemize_espeak import EspeakPhonemizer
        _phonemizer = EspeakPhonemizer(espeak_data_dir())
    return _phonemizer


def phonemize(text: str, espeak_voice: str,
              vowel_clusters: set[tuple[str, ...]] | None = None) -> list[list[str]]:
    """``text`` -> phonemes per sentence, spoken as ``espeak_voice`` would say it.

    ``[[ … ]]`` blocks are copied as raw phonemes (NFD, so ``ã`` matches the voice's ``a`` +
    combining tilde) and joined to the sentence around them, spaces kept as word breaks —
    the same rules as ``PiperVoice.phonemize``, which only works in the voice's own language.
    Raises RuntimeError if espeak-ng refuses the voice.
    """
    sentences: list[list[str]] = []
    parts = RAW_PHONEMES.split(text)
    after_raw = False
    for i, part in enumerate(parts):
        if part.startswith("[[") and part.endswith("]]"):
            if not sentences:
                sentences.append([])
            if i > 0 and parts[i - 1].endswith(" "):
                sentences[-1].append(" ")
            sentences[-1].extend(unicodedata.normalize("NFD", part[2:-2].strip()))
            if i < len(parts) - 1 and parts[i + 1].startswith(" "):
                sentences[-1].append(" ")
            after_raw = True
            continue
        if not part.strip():
            continue
        with _espeak_lock():
            found = _get_phonemizer().phonemize(espeak_voice, part,
                                                vowel_clusters=vowel_clusters)
        if after_raw and found:
            # Text right after raw phonemes continues the same sentence.
            sentences[-1].extend(found[0])
            found = found[1:]
        sentences.extend(found)
        after_raw = False
    return [s for s in sentences if any(p.strip() for p in s)]
