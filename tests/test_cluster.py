"""``accesspub build --cluster``: synthesis on a real Dask cluster (LocalCluster, or a
``dask scheduler`` and ``dask worker`` of their own), compared byte for byte with the
local process pool, with real Piper speech."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import helpers
from conftest import REPO_ROOT
from helpers import make_project

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow

CONFIG = """
[project]
language = "en"
publisher = "Test Office"
detect_languages = false
"""

# Three short releases, one of them multilingual: a catalogue, not one book.
CATALOGUE = {
    "content/harbour.md": "---\ntitle: Harbour\ndate: 2024-01-02\n---\n\n"
    "The harbour reopens on Monday after three weeks of repairs.\n\n"
    "Ferries to the islands run every hour from seven in the morning.\n",
    "content/library.md": "---\ntitle: Library\ndate: 2024-01-03\n---\n\n"
    "The city library extends its opening hours in winter.\n\n"
    "Readers can borrow up to twelve books at a time.\n\n"
    "## Events\n\nA reading group meets on the first Thursday of every month.\n",
    "content/market.md": "---\ntitle: Market\ndate: 2024-01-04\n---\n\n"
    "The Saturday market moves to the old square.\n\n"
    "Stallholders say [bonjour à tous]{lang=fr} to the visitors from Lyon.\n",
}


# The site's static files are copied from the package as they are, whoever speaks; in a
# checkout being edited while the tests run they may change between two builds.
STATIC = {p.name for p in (REPO_ROOT / "src" / "accesspub" / "data").glob("*.*")
          if p.suffix in (".css", ".js")}


def snapshot(folder: Path) -> dict[str, str]:
    """Every output file's SHA-256, but report.json (it records who spoke, and when) and
    the site's static files."""
    return helpers.snapshot(folder, lambda p: p.name != "report.json"
                            and p.relative_to(folder).as_posix() not in STATIC)


def run(root: Path, cache: Path, *args: str, timeout: float = 900,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = dict(os.environ, ACCESSPUB_CACHE=str(cache), **(env or {}))
    return subprocess.run([sys.executable, "-m", "accesspub", "-C", str(root), *args],
                          capture_output=True, text=True, timeout=timeout, env=environ)


def report(root: Path) -> dict:
    import json
    return json.loads((root / "build" / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue_local(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("local") / "p", CATALOGUE, CONFIG)
    done = run(root, root.parent / "cache", "build", "-q")
    assert done.returncode == 0, done.stderr
    return root


def assert_spoken_on_cluster(root: Path, workers: int | None = None) -> None:
    releases = report(root)["releases"]
    seen = {}
    for release in releases:
        speech = release["speech"]
        # A clip another release spoke first counts as from the cache here.
        assert speech["synthesised"] > 0 and speech["workers"], speech
        for address, entry in speech["workers"].items():
            assert address.startswith("tcp://")
            assert entry["clips"] > 0 and entry["peak_rss"] > 50 << 20      # a loaded voice
            seen[address] = entry
        assert sum(e["clips"] for e in speech["workers"].values()) >= speech["synthesised"]
    if workers is not None:
        assert len(seen) <= workers


def test_catalogue_on_local_cluster_is_byte_identical(catalogue_local, tmp_path):
    root = make_project(tmp_path / "p", CATALOGUE, CONFIG)
    done = run(root, tmp_path / "cache", "build", "--cluster", "local:2")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(root / "build") == snapshot(catalogue_local / "build")
    assert len(snapshot(root / "build")) > 20
    assert_spoken_on_cluster(root, workers=2)
    assert "worker(s) alive" in done.stderr      # progress names the cluster


def test_local_pool_reports_its_workers_too(catalogue_local):
    for release in report(catalogue_local)["releases"]:
        workers = release["speech"]["workers"]
        assert workers and all(name.startswith("local pid ") for name in workers), workers
        # A clip another release spoke first (the same credit line) counts here too.
        assert sum(e["clips"] for e in workers.values()) >= release["speech"]["synthesised"]
        assert all(e["peak_rss"] > 50 << 20 for e in workers.values())     # a loaded voice


@pytest.fixture(scope="module")
def scheduler():
    """One LocalCluster (2 single-threaded worker processes) for the builds of the tests
    below, as a `dask scheduler` with its workers would be: started once, not per build."""
    import logging
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def test_sample_on_a_cluster_is_byte_identical(narrated, scheduler, tmp_path):
    """The sample, every sentence spoken by the cluster's workers (local:2 is the
    catalogue's test; this one reuses the module's cluster)."""
    root = tmp_path / "sample"
    root.mkdir()
    for part in ("accesspub.toml", "content", "assets"):
        source = REPO_ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / part)
    done = run(root, tmp_path / "cache", "build", "-q", "--cluster", scheduler)
    assert done.returncode == 0, done.stderr
    assert snapshot(root / "build") == snapshot(narrated["sample"].root / "build")
    assert_spoken_on_cluster(root, workers=2)


def _workers_of(pid: int) -> list:
    """The Dask worker processes a build started (its LocalCluster's nannies' children)."""
    import psutil
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            line = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "spawn_main" in line and "resource_tracker" not in line:
            found.append(child)
    return found


def test_killed_worker_is_replaced_and_the_build_is_identical(catalogue_local, tmp_path):
    root = make_project(tmp_path / "p", CATALOGUE, CONFIG)
    cache = tmp_path / "cache"
    build = subprocess.Popen(
        [sys.executable, "-m", "accesspub", "-C", str(root), "build", "-q",
         "--cluster", "local:2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, ACCESSPUB_CACHE=str(cache)), start_new_session=True)
    killed = None
    try:
        # Kill one worker once the cluster has started speaking (the first clip is in the
        # cache) and while clips remain.
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and build.poll() is None:
            clips = list((cache / "clips").rglob("*.wav")) if (cache / "clips").exists() else []
            workers = _workers_of(build.pid)
            if clips and len(workers) == 2:
                killed = workers[0].pid
                os.kill(killed, signal.SIGKILL)
                break
            time.sleep(0.05)
        out, err = build.communicate(timeout=900)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
    assert killed is not None, "the build finished before a worker could be killed:\n" + err
    assert build.returncode == 0, err
    assert "Traceback" not in err
    assert snapshot(root / "build") == snapshot(catalogue_local / "build")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_scheduler_fails_cleanly_within_the_timeout(tmp_path):
    from accesspub.audio.cluster import CONNECT_TIMEOUT
    root = make_project(tmp_path / "p", CATALOGUE, CONFIG)
    address = f"tcp://127.0.0.1:{_free_port()}"          # nobody listens there
    started = time.monotonic()
    done = run(root, tmp_path / "cache", "build", "--cluster", address, timeout=120)
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert address in done.stderr and "cluster-unreachable" in done.stderr, done.stderr
    assert "nothing listens there" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert elapsed < CONNECT_TIMEOUT, elapsed          # refused: no need to wait it out
    assert not (root / "build").exists()


# A worker machine without the voice package: a sitecustomize on the worker's PYTHONPATH
# makes `import piper` fail there as it does where piper-tts is not installed.  The worker
# is a real `dask worker` process of its own, as on another machine; the build's own
# process still has piper, so only the worker's plugin can report it.
HIDE_PIPER = """
import sys
class _NoPiper:
    def find_spec(self, name, path=None, target=None):
        if name == "piper" or name.startswith("piper."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _NoPiper())
"""


def test_worker_without_the_voice_package_fails_cleanly(tmp_path):
    hidden = tmp_path / "hide"
    hidden.mkdir()
    (hidden / "sitecustomize.py").write_text(HIDE_PIPER, encoding="utf-8")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port",
                                  str(port), "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([dask, "worker", address, "--nworkers", "1", "--nthreads", "1",
                               "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL,
                              env=dict(os.environ, PYTHONPATH=str(hidden)))
    try:
        from distributed import Client
        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
        root = make_project(tmp_path / "p", CATALOGUE, CONFIG)
        done = run(root, tmp_path / "cache", "build", "--cluster", address, timeout=300)
    finally:
        for process in (worker, scheduler):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    assert done.returncode != 0
    assert "cluster-worker-voice" in done.stderr, done.stderr
    assert "piper-tts" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not (root / "build").exists()


def start_cluster_build(root: Path, cache: Path) -> subprocess.Popen:
    """``build --cluster local:2`` in a session of its own: a terminal's Ctrl-C goes to the
    whole process group, the build and its local workers (os.killpg)."""
    return subprocess.Popen(
        [sys.executable, "-m", "accesspub", "-C", str(root), "build", "--cluster", "local:2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env=dict(os.environ, ACCESSPUB_CACHE=str(cache)))


def test_ctrl_c_cancels_the_cluster_and_leaves_build_as_it_was(tmp_path):
    from test_interrupt import TEXT, interrupt_when
    root = make_project(tmp_path / "p", {"content/harbour.md": TEXT}, CONFIG)
    cache = tmp_path / "cache"
    first = run(root, cache, "build", "--no-audio", "-q")
    assert first.returncode == 0, first.stderr
    before = snapshot(root / "build")
    build = start_cluster_build(root, cache)
    err = interrupt_when(build, "speaking:", delay=2, timeout=300, wait=90)
    assert build.returncode == 130, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert snapshot(root / "build") == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".build-")] == []


def _session_processes(session: int) -> list:
    import psutil
    found = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == session:
                found.append(process)
        except (OSError, psutil.Error):
            continue
    return found


def test_ctrl_c_while_the_cluster_starts_stops_it_and_leaves_build_as_it_was(tmp_path):
    """The cluster starts while the releases are read: a Ctrl-C then still stops the
    LocalCluster the build started (no worker left running) and keeps build/."""
    root = make_project(tmp_path / "p", CATALOGUE, CONFIG)
    cache = tmp_path / "cache"
    first = run(root, cache, "build", "--no-audio", "-q")
    assert first.returncode == 0, first.stderr
    before = snapshot(root / "build")
    build = start_cluster_build(root, cache)
    try:
        # The LocalCluster's worker processes exist: it is starting; no clip spoken yet.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and build.poll() is None \
                and not _workers_of(build.pid):
            time.sleep(0.02)
        assert not list(cache.rglob("*.wav")), "the cluster was up before the signal"
        os.killpg(build.pid, signal.SIGINT)
        out, err = build.communicate(timeout=90)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _session_processes(build.pid):
            time.sleep(0.2)
        left = [" ".join(p.cmdline()) for p in _session_processes(build.pid)]
    finally:
        if build.poll() is None or _session_processes(build.pid):
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
    assert build.returncode == 130, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert left == [], left
    assert snapshot(root / "build") == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".build-")] == []


def test_shared_cache_is_written_by_the_workers_and_reused(catalogue_local, scheduler,
                                                            tmp_path):
    # Outside every project and build folder, as storage every worker mounts would be.
    shared = tmp_path / "shared"
    config = CONFIG + f'\n[narration]\nshared_cache = "{shared.as_posix()}"\n'
    first = make_project(tmp_path / "one", CATALOGUE, config)
    done = run(first, tmp_path / "cache-one", "build", "-q", "--cluster", scheduler)
    assert done.returncode == 0, done.stderr
    assert snapshot(first / "build") == snapshot(catalogue_local / "build")
    clips = list((shared / "clips").rglob("*.wav"))
    assert len(clips) >= 8
    assert not list((tmp_path / "cache-one").rglob("*.wav"))    # none in the project's cache
    # Each clip was stored by the worker that spoke it (the build's process only reads it).
    workers = [e for r in report(first)["releases"] for e in r["speech"]["workers"].values()]
    assert sum(e["wrote_shared_cache"] for e in workers) >= len(clips)

    # Another project folder with its own cache, the same shared one: nothing is spoken.
    second = make_project(tmp_path / "two", CATALOGUE, config)
    done = run(second, tmp_path / "cache-two", "build", "-q", "--cluster", scheduler)
    assert done.returncode == 0, done.stderr
    assert [r["speech"]["synthesised"] for r in report(second)["releases"]] == [0, 0, 0]
    assert snapshot(second / "build") == snapshot(catalogue_local / "build")
    assert sorted((shared / "clips").rglob("*.wav")) == sorted(clips)


# The fake engine fails on demand (engines/fake.py ``fail_langs``): every time, on every
# worker, as a sentence a real engine cannot say does.
FAILING = CONFIG + """
[narration]
engine = "fake"

[engine.fake]
fail_langs = ["fr"]
"""


def test_a_sentence_failing_twice_stops_the_build_at_its_line(scheduler, tmp_path):
    root = make_project(tmp_path / "p", CATALOGUE, FAILING)
    done = run(root, tmp_path / "cache", "build", "--cluster", scheduler, timeout=300)
    assert done.returncode == 1, done.stderr
    line = next(n for n, text in enumerate(CATALOGUE["content/market.md"].splitlines(), 1)
                if "{lang=fr}" in text)
    assert f"content/market.md:{line}: error engine-failed:" in done.stderr, done.stderr
    assert "'fr'" in done.stderr
    # While it spoke, each progress line said the cluster's clips and workers too.
    assert re.search(rf"speaking: \d+/\d+ · cluster {scheduler}: \d+/\d+ clips, "
                     r"2 worker\(s\) alive", done.stderr), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not (root / "build").exists()
