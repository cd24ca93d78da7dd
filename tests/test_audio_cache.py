"""Clip cache: keys, round trip, damaged entries, atomic writes."""

import threading

import numpy as np

from accesspub.audio.cache import ClipCache, clip_key


def test_key_depends_on_every_field():
    base = ("piper/1", "joe", "en", "Hello.", 44100)
    keys = {clip_key(*base)}
    for i, other in enumerate(("piper/2", "amy", "de", "Hello!", 22050)):
        changed = list(base)
        changed[i] = other
        keys.add(clip_key(*changed))
    assert len(keys) == 6
    assert clip_key(*base) == clip_key(*base)
    # NUL separation: moving text between fields never collides
    assert clip_key("a", "b", "c", "d", 1) != clip_key("a", "bc", "", "d", 1)


def test_round_trip_and_layout(tmp_path):
    cache = ClipCache(tmp_path)
    key = clip_key("f", "v", "en", "text", 44100)
    pcm = (np.arange(1001) * 7 % 3000 - 1500).astype(np.int16)
    assert cache.get(key) is None
    cache.put(key, pcm, 44100, "piper")
    path = cache.path(key)
    assert path == tmp_path / "clips" / key[:2] / f"{key[2:]}.wav"
    samples, engine = cache.get(key)
    assert engine == "piper"
    np.testing.assert_array_equal(samples, pcm)
    # a real WAV: the standard library reads it
    import wave
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 44100)
        assert wav.getnframes() == 1001
    assert [p.name for p in path.parent.iterdir()] == [path.name]   # no temp files left


def test_damaged_entry_is_a_miss_and_removed(tmp_path):
    cache = ClipCache(tmp_path)
    key = clip_key("f", "v", "en", "text", 44100)
    cache.put(key, np.ones(500, np.int16), 44100, "tone")
    path = cache.path(key)
    path.write_bytes(path.read_bytes()[:-10])          # killed mid-write (no os.replace)
    assert cache.get(key) is None
    assert not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    assert cache.get(key) is None


def test_concurrent_writers_never_leave_a_corrupt_entry(tmp_path):
    cache = ClipCache(tmp_path)
    key = clip_key("f", "v", "en", "same", 44100)
    pcm = np.arange(20000, dtype=np.int16)
    errors = []

    def writer():
        try:
            for _ in range(20):
                cache.put(key, pcm, 44100, "tone")
                got = cache.get(key)
                assert got is not None and np.array_equal(got[0], pcm)
        except Exception as exc:      # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(list(cache.path(key).parent.iterdir())) == 1
