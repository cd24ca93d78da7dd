"""Synthesis through the cache: counts, incremental rebuilds, parallel = serial, parts."""

import numpy as np
import pytest

import audio_helpers as h
from accesspub.audio.synthesize import SAMPLE_RATE, resample, synthesize_publication
from accesspub.engines import AudioClip
from accesspub.errors import EngineError
from accesspub.model import SpokenPart


def test_resample_rate_length_and_determinism():
    t = np.arange(22050) / 22050
    pcm = (10000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    up = resample(pcm.tobytes(), 22050, 44100)
    assert up.dtype == np.int16 and len(up) == 44100
    np.testing.assert_array_equal(up, resample(pcm, 22050, 44100))
    # the tone survives: dominant frequency still 440 Hz
    spectrum = np.abs(np.fft.rfft(up.astype(float)))
    assert abs(np.argmax(spectrum) * 44100 / len(up) - 440) < 2
    assert len(resample(pcm, 24000, 44100)) == round(22050 * 44100 / 24000)    # libsoxr's length
    np.testing.assert_array_equal(resample(pcm, 44100, 44100), pcm)


def test_every_sentence_gets_a_clip_and_its_engine(tmp_path):
    pub = h.small_publication()
    cfg = h.config(tmp_path)
    seen = []
    clips = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1,
                                   progress=lambda d, t: seen.append((d, t)))
    ids = [s.id for s in pub.iter_sentences()]
    assert list(clips) == ids
    for sid in ids:
        audio = clips[sid]
        assert audio.pcm.dtype == np.int16 and audio.engines == ("tone",)
    # 40 ms per char at 22050 Hz, resampled to 44100: twice the samples
    text = "The first sentence."
    assert clips["c01-s0001"].samples == 2 * (22050 * 40 * len(text) // 1000)
    assert seen[0] == (0, len(ids)) and seen[-1] == (len(ids), len(ids))
    assert clips.misses == len(ids) and clips.hits == 0


def test_rebuild_synthesises_nothing_and_one_edit_one_clip(tmp_path):
    pub = h.small_publication()
    cfg = h.config(tmp_path)
    first = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1)
    h.CALLS.clear()
    second = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1)
    assert (second.hits, second.misses) == (len(first), 0)
    assert h.CALLS == []
    for sid in first:
        np.testing.assert_array_equal(first[sid].pcm, second[sid].pcm)
        assert second[sid].engines == ("tone",)
    edited = h.replace_spoken(pub, "c02-s0001", "Numbers are spoken as words, always.")
    third = synthesize_publication(edited, h.ToneEngines(), cfg, jobs=1)
    assert third.misses == 1
    assert h.CALLS == [("Numbers are spoken as words, always.", "en")]
    # a different engine fingerprint invalidates everything
    fourth = synthesize_publication(pub, h.ToneEngines(version="2"), cfg, jobs=1)
    assert fourth.hits == 0


def test_parallel_gives_the_same_pcm_as_serial(tmp_path):
    pub = h.publication([h.chapter(n, f"Chapter {n}", [[f"Sentence {n}.{k} of the test."
                                                        for k in range(4)]])
                         for n in range(1, 4)])
    serial = synthesize_publication(pub, h.ToneEngines(), h.config(tmp_path / "a"), jobs=1)
    parallel = synthesize_publication(pub, h.ToneEngines(), h.config(tmp_path / "b"), jobs=2)
    assert parallel.misses == serial.misses == len(serial)
    assert list(parallel) == list(serial)
    for sid in serial:
        np.testing.assert_array_equal(serial[sid].pcm, parallel[sid].pcm)


def test_parts_in_two_languages_are_spoken_separately_and_joined(tmp_path):
    parts = (SpokenPart("The village of", "en"), SpokenPart("Gülüstan", "az"),
             SpokenPart("was hit.", "en"))
    s = h.sentence("c01-s0001", "The village of Gülüstan was hit.", spoken=parts)
    pub = h.publication([h.chapter(1, "Title", [])])
    pub = h.replace_spoken(pub, "c01-s0000", "Title")   # no-op, keeps the builder honest
    import dataclasses
    block = h.block("c01-p0", "paragraph", [s])
    section = dataclasses.replace(pub.chapters[0].section, blocks=(block,))
    pub = dataclasses.replace(pub, chapters=(dataclasses.replace(pub.chapters[0],
                                                                 section=section),))
    h.CALLS.clear()
    clips = synthesize_publication(pub, h.ToneEngines(), h.config(tmp_path), jobs=1)
    assert ("Gülüstan", "az") in h.CALLS
    audio = clips["c01-s0001"]
    assert audio.engines == ("tone", "tone", "tone")
    expected = sum(2 * (22050 * 40 * len(p.text) // 1000) for p in parts)
    assert audio.samples == expected


def test_sentence_without_spoken_text_gets_no_clip(tmp_path):
    pub = h.replace_spoken(h.small_publication(), "c01-s0002", "")
    clips = synthesize_publication(pub, h.ToneEngines(), h.config(tmp_path), jobs=1)
    assert "c01-s0002" not in clips and "c01-s0001" in clips


class FallbackEngines(h.ToneEngines):
    def speak(self, text, lang):
        clip, _ = super().speak(text, lang)
        return clip, "espeak"          # the configured engine ("tone") "failed"


class FailingEngines(h.ToneEngines):
    def speak(self, text, lang):
        raise EngineError("network down", code="engine-failed")


def test_fallback_results_are_used_but_not_cached(tmp_path):
    pub = h.small_publication()
    cfg = h.config(tmp_path, engine="tone")
    first = synthesize_publication(pub, FallbackEngines(), cfg, jobs=1)
    assert all(a.engines == ("espeak",) for a in first.values())
    second = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1)
    assert second.misses == len(first)
    third = synthesize_publication(pub, h.ToneEngines(), cfg, jobs=1)
    assert third.misses == 0


def test_engine_errors_carry_the_sentence_location(tmp_path):
    with pytest.raises(EngineError) as info:
        synthesize_publication(h.small_publication(), FailingEngines(), h.config(tmp_path),
                               jobs=1)
    assert str(info.value.location) == "content/x.md:1"


def test_with_the_real_engine_set_and_fake_engine(tmp_path):
    """The production wiring: EngineSet.from_config through entry points, in a pool too."""
    import functools
    from accesspub.engines.select import EngineSet
    pub = h.small_publication()
    cfg = h.config(tmp_path / "a", engine="fake")
    factory = functools.partial(EngineSet.from_config, cfg)
    serial = synthesize_publication(pub, factory, cfg, jobs=1)
    assert all(a.engines == ("fake",) for a in serial.values())
    cfg2 = h.config(tmp_path / "b", engine="fake")
    parallel = synthesize_publication(pub, functools.partial(EngineSet.from_config, cfg2),
                                      cfg2, jobs=2)
    for sid in serial:
        np.testing.assert_array_equal(serial[sid].pcm, parallel[sid].pcm)
    again = synthesize_publication(pub, factory, cfg, jobs=2)
    assert again.misses == 0


# -- the worker memory budget ([narration] worker_memory_frames) -----------------------------

def test_frame_budget_lets_sentences_overlap_only_within_it():
    import threading
    from accesspub.engines.piper.adapter import FRAMES_PER_ID, _FrameBudget, _frames_held
    from accesspub.engines.piper.voice import CHUNK_FRAMES
    budget = _FrameBudget(1000)
    assert budget.take(600) == 600
    taken = threading.Event()
    waiter = threading.Thread(target=lambda: (budget.take(600), taken.set()))
    waiter.start()
    assert not taken.wait(0.3)                # 600 + 600 > 1000: the second one waits
    budget.give(600)
    assert taken.wait(5)
    waiter.join()
    budget.give(600)
    assert budget.take(5000) == 1000          # longer than the budget: it runs alone
    budget.give(1000)
    assert budget.free == 1000
    # A sentence holds its estimated frames, and never less than one decoder chunk.
    assert _frames_held(10, 1.0) == CHUNK_FRAMES
    assert _frames_held(800, 1.0) == int(800 * FRAMES_PER_ID)
    assert _frames_held(800, 1.5) == int(800 * FRAMES_PER_ID * 1.5)


def test_frame_budget_out_of_range_is_an_error_at_its_line(tmp_path):
    from accesspub.config import load_config
    from accesspub.errors import ConfigError
    (tmp_path / "content").mkdir()
    (tmp_path / "accesspub.toml").write_text(
        '[project]\nlanguage = "en"\n\n[narration]\nworker_memory_frames = -5\n')
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value).startswith("accesspub.toml:5: error config-value: "
                                        "narration.worker_memory_frames")
    assert "docs/cluster.md" in (caught.value.diagnostics[0].hint or "")
    (tmp_path / "accesspub.toml").write_text(
        '[project]\nlanguage = "en"\n\n[narration]\nworker_memory_frames = 1500\n')
    assert load_config(tmp_path).narration.worker_memory_frames == 1500


# Real text, a long sentence of the sample and a short one, spoken on two threads of one
# worker as the local pool's job function does it.
LONG = [
    "The atrocious act of terrorism committed in that day by military machine of the former "
    "Soviet state against the people of Azerbaijan shocked the world.",
    "Readers can borrow up to twelve books at a time.",
]


@pytest.mark.slow
def test_two_frame_budgets_give_the_same_bytes(tmp_path):
    from accesspub.audio.cache import ClipCache
    from accesspub.audio.narration import engine_factory
    from accesspub.audio.synthesize import Levelling, set_frame_budget, speak_batch_to_cache
    from accesspub.config import load_config
    (tmp_path / "content").mkdir()
    (tmp_path / "accesspub.toml").write_text('[project]\nlanguage = "en"\n')
    config = load_config(tmp_path)
    factory = engine_factory(config)
    levelling = Levelling.from_config(config)
    jobs = [(text, "en", f"{n:02d}" + "0" * 62, "piper") for n, text in enumerate(LONG)]
    spoken = {}
    try:
        for frames in (0, 600):   # no limit; one sentence at a time (each holds >= 480)
            root = tmp_path / f"cache-{frames}"
            results = speak_batch_to_cache(factory, jobs, SAMPLE_RATE, str(root), levelling,
                                           threads=2, frames=frames)
            assert not [r for r in results if isinstance(r, BaseException)], results
            assert results.peak > 100 << 20 and results.pid > 0     # a loaded voice
            cache = ClipCache(root)
            spoken[frames] = [cache.path(key).read_bytes() for key, _, _ in results]
    finally:
        set_frame_budget(0)
    assert spoken[0] == spoken[600]
    assert all(len(clip) > SAMPLE_RATE for clip in spoken[0])      # real speech, seconds
