"""The local process pool against ``--cluster local:N`` on the same machine, in one run.

    ./dev python benchmarks/cluster.py [--releases 6] [--paragraphs 6] [--workers 2]
    ./dev python benchmarks/cluster.py --orders reading,longest,hybrid   # scheduling
    ./dev python benchmarks/cluster.py --memory [--budgets 0,2000,1000]  # worker memory
    ./dev python benchmarks/cluster.py --releases 12 --paragraphs 8 --book  # ~1.5 h of speech

The catalogue is real text: the English posts of tests/corpus/ (U.S. government work,
public domain / CC0; see its README) cut into ``--releases`` releases of the first
``--paragraphs`` prose paragraphs each, plus the sample release in content/, and with
``--book`` one release per chapter of Pride and Prejudice I-IX (benchmarks/data).  Each build
runs as its own process with a fresh clip cache (everything is spoken), one after the
other, the local pool first.  The whole process tree is sampled every 0.1 s for memory;
each synthesis worker's peak is its VmHWM.

Prints: wall time of both builds and their ratio (cluster / local), clips spoken and
seconds of speech, scheduler cost per task and per clip (no-op tasks and tasks carrying
one clip's PCM, on a LocalCluster of the same size), scheduler tasks per second, bytes
per clip, clips per second per worker core, and the peak RSS of the client (the build's
own process) and of each worker.  Whether the outputs are byte-identical is checked too:
both builds run one frozen copy of src/accesspub taken at the start, so work landing in
the checkout meanwhile cannot make them differ (it once did).

``--orders``: only ``--cluster local:N`` builds, one per scheduling order
(``audio.cluster.ORDER``): the wall time of each and when its first release was finished
(its "building" line for the next release), from a fresh clip cache each time.

``--memory``: one synthesis worker process per frame budget (``[narration]
worker_memory_frames``), speaking the longest sentences of the catalogue's real text on
``--threads`` threads, then a mix of them in random order: each one's VmHWM and time.

Scaling: synthesis time grows linearly with the text (each clip is independent); double
``--paragraphs`` or ``--releases`` and both builds take about twice as long.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

REPO = Path(__file__).resolve().parent.parent
# detect_languages stays on (the default): a build then gives the workers each release as
# soon as it is read, so all releases are on the cluster before the first is stitched.
CONFIG = """[project]
language = "en"
publisher = "Benchmark Office"
"""


def prose(text: str) -> list[str]:
    """The plain prose paragraphs of a Markdown post (no front matter, code, tables,
    headings, lists, HTML or template lines)."""
    if text.startswith("---"):
        text = text.split("\n---", 2)[-1]
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        block = " ".join(block.split())
        if (len(block.split()) < 8 or block[0] in "#|<{-*>![0123456789"
                or "{%" in block or "{{" in block):
            continue
        paragraphs.append(block)
    return paragraphs


BOOK = REPO / "benchmarks" / "data" / "pride-and-prejudice"


def book_chapters() -> list[tuple[str, str]]:
    """(title, text) of each chapter of the Pride and Prejudice extract in
    benchmarks/data (Project Gutenberg, public domain): one release each."""
    chapters = []
    for part in sorted(BOOK.glob("0*.md")):
        body = part.read_text(encoding="utf-8").split("\n---", 2)[-1]
        for piece in re.split(r"^## ", body, flags=re.M)[1:]:
            title, _, text = piece.partition("\n")
            chapters.append((title.strip(), text.strip()))
    return chapters


def make_catalogue(root: Path, releases: int, paragraphs: int, book: bool = False) -> int:
    (root / "content").mkdir(parents=True)
    (root / "accesspub.toml").write_text(CONFIG, encoding="utf-8")
    posts = sorted((REPO / "tests" / "corpus").glob("en-*.md"))
    words = 0
    made = 0
    for n in range(releases):
        post = posts[n % len(posts)]
        chunk = prose(post.read_text(encoding="utf-8"))
        start = (n // len(posts)) * paragraphs          # the next paragraphs on a 2nd pass
        body = chunk[start:start + paragraphs] or chunk[:paragraphs]
        words += sum(len(p.split()) for p in body)
        (root / "content" / f"r{n:02d}-{post.stem}.md").write_text(
            f"---\ntitle: {post.stem} part {n // len(posts) + 1}\ndate: 2024-01-01\n---\n\n"
            + "\n\n".join(body) + "\n", encoding="utf-8")
        made += 1
    for n, (title, text) in enumerate(book_chapters() if book else ()):
        words += len(text.split())
        (root / "content" / f"book{n:02d}.md").write_text(
            f"---\ntitle: Pride and Prejudice, {title}\ndate: 2024-01-02\n---\n\n{text}\n",
            encoding="utf-8")
    sample = (REPO / "content" / "black-january-2020.md").read_text(encoding="utf-8")
    (root / "content" / "black-january-2020.md").write_text(sample, encoding="utf-8")
    if (REPO / "assets").is_dir():
        shutil.copytree(REPO / "assets", root / "assets")
    return words


def vm_hwm(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def freeze_code(into: Path) -> dict[str, str]:
    """A copy of src/accesspub for every build of this run: the environment to run it."""
    shutil.copytree(REPO / "src" / "accesspub", into / "accesspub",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return {"PYTHONPATH": str(into)}


def run_build(root: Path, cache: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    """Build ``root``; wall time, when the first release was finished, and peak memory of
    the build and of each child."""
    env = dict(os.environ, ACCESSPUB_CACHE=str(cache), **(env or {}))
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "accesspub", "-C", str(root), "build",
                                *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=env)
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in process.stderr:
            lines.append((time.monotonic() - started, line.rstrip("\n")))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    peaks: dict[int, tuple[str, int]] = {}
    stop = threading.Event()

    def sample() -> None:
        parent = psutil.Process(process.pid)
        while not stop.is_set():
            try:
                tree = [parent] + parent.children(recursive=True)
            except psutil.Error:
                break
            for proc in tree:
                try:
                    line = " ".join(proc.cmdline())
                except psutil.Error:
                    continue
                if "resource_tracker" in line or "ffmpeg" in line:
                    continue
                kind = "client" if proc.pid == process.pid else "worker"
                peaks[proc.pid] = (kind, max(peaks.get(proc.pid, ("", 0))[1],
                                             vm_hwm(proc.pid)))
            stop.wait(0.1)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    process.wait()
    reader.join()
    elapsed = time.monotonic() - started
    stop.set()
    watcher.join()
    if process.returncode != 0:
        sys.exit(f"build {' '.join(args)} failed:\n" + "\n".join(l for _, l in lines))
    building = [t for t, line in lines if line.startswith("building ")]
    report = json.loads((root / "build" / "report.json").read_text(encoding="utf-8"))
    client = max((p for k, p in peaks.values() if k == "client"), default=0)
    workers = sorted((p for k, p in peaks.values() if k == "worker" and p > 100 << 20),
                     reverse=True)      # the voice-holding workers, not helpers
    return {"seconds": elapsed, "client": client, "workers": workers, "report": report,
            "first": building[1] if len(building) > 1 else elapsed, "lines": lines}


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "report.json"}


def _noop(x):
    return x


def _clip(n):
    return np.zeros(n, np.int16)


def scheduler_cost(workers: int, clip_samples: int, tasks: int = 400) -> dict:
    """Seconds per task of the scheduler and transfer: no-op tasks, and tasks returning
    one clip's PCM, on a LocalCluster like the build's."""
    from distributed import Client, LocalCluster, wait
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=50) as cluster, \
            Client(cluster) as client:
        client.submit(_noop, 0).result()            # warm
        started = time.perf_counter()
        wait([client.submit(_noop, i, pure=False) for i in range(tasks)])
        noop = (time.perf_counter() - started) / tasks
        started = time.perf_counter()
        futures = [client.submit(_clip, clip_samples, pure=False) for _ in range(tasks // 4)]
        for future in futures:
            future.result()
        pcm = (time.perf_counter() - started) / (tasks // 4)
    return {"noop": noop, "pcm": pcm}


def orders(args, tmp: Path, code: dict[str, str]) -> None:
    """Each scheduling order on the same catalogue: makespan and first release done."""
    make_catalogue(tmp / "orders", args.releases, args.paragraphs)
    print(f"scheduling orders on --cluster local:{args.workers} "
          f"({args.releases} releases + the sample, fresh clip cache each):")
    for n, order in enumerate(args.orders.split(",")):
        shutil.rmtree(tmp / "orders" / "build", ignore_errors=True)
        run = run_build(tmp / "orders", tmp / f"cache-order-{n}", "--cluster",
                        f"local:{args.workers}",
                        env={**code, "ACCESSPUB_CLUSTER_ORDER": order})
        print(f"  {order:8s} wall {run['seconds']:7.1f} s, first release finished at "
              f"{run['first']:7.1f} s", flush=True)


def sentences_of_catalogue() -> list[str]:
    """The sentences of the catalogue's real text (plain prose, links as their text)."""
    found = []
    posts = sorted((REPO / "tests" / "corpus").glob("en-*.md")) + \
        [REPO / "content" / "black-january-2020.md"]
    for post in posts:
        for paragraph in prose(post.read_text(encoding="utf-8")):
            paragraph = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", paragraph)
            paragraph = re.sub(r"<[^>]+>|&#?\w+;", "", paragraph)
            found.extend(re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph))
    return found


MEMORY_WORKER = r"""
import hashlib, json, os, sys, tempfile, threading, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
frames, threads, texts = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.stdin.read())
from accesspub.audio.synthesize import Levelling, SAMPLE_RATE, _speak, peak_rss, set_frame_budget
from accesspub.audio.narration import engine_factory
from accesspub.config import load_config
os.environ["ACCESSPUB_ONNX_THREADS"] = "1"          # as in a synthesis worker
set_frame_budget(frames)
root = Path(tempfile.mkdtemp())
(root / "accesspub.toml").write_text('[project]\nlanguage = "en"\n')
(root / "content").mkdir()
config = load_config(root)
levelling, factory, local = Levelling.from_config(config), engine_factory(config), threading.local()
def one(text):
    if not hasattr(local, "engines"):
        local.engines = factory()
    return _speak(local.engines, text, "en", SAMPLE_RATE, levelling)[0]
one("Warm up.")
loaded = peak_rss()
started = time.perf_counter()
with ThreadPoolExecutor(threads) as pool:
    clips = list(pool.map(one, texts))
print(json.dumps({"loaded": loaded, "peak": peak_rss(), "seconds": time.perf_counter() - started,
                  "speech": sum(len(c) for c in clips) / SAMPLE_RATE,
                  "sha": hashlib.sha256(b"".join(c.tobytes() for c in clips)).hexdigest()}))
"""


def memory(args, code: dict[str, str]) -> None:
    """VmHWM of one synthesis worker process per frame budget, on real sentences."""
    import random
    found = sentences_of_catalogue()
    longest = sorted(found, key=lambda t: -len(t.split()))[:args.longest]
    mix = random.Random(1).sample(found, min(args.mix, len(found)))
    mib = 1 << 20
    for name, texts in ((f"the {len(longest)} longest sentences "
                         f"({len(longest[-1].split())}-{len(longest[0].split())} words)", longest),
                        (f"{len(mix)} sentences in random order (median "
                         f"{sorted(len(t.split()) for t in mix)[len(mix) // 2]} words)", mix)):
        print(f"worker memory, {args.threads} thread(s), {name}:")
        for budget in args.budgets.split(","):
            done = subprocess.run([sys.executable, "-c", MEMORY_WORKER, budget,
                                   str(args.threads)], input=json.dumps(texts),
                                  capture_output=True, text=True, check=True,
                                  env=dict(os.environ, **code))
            r = json.loads(done.stdout)
            print(f"  worker_memory_frames = {budget:>5}: VmHWM {r['peak'] / mib:4.0f} MiB "
                  f"(voice loaded: {r['loaded'] / mib:.0f}), {r['seconds']:6.1f} s for "
                  f"{r['speech']:.0f} s of speech, audio sha256 {r['sha'][:12]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=6)
    parser.add_argument("--paragraphs", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--orders", default="", help="e.g. reading,longest,hybrid")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--budgets", default="0,2000,1000")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--longest", type=int, default=8)
    parser.add_argument("--mix", type=int, default=40)
    parser.add_argument("--book", action="store_true", help="add the chapters of the "
                        "Pride and Prejudice extract in benchmarks/data (~70 min of speech)")
    args = parser.parse_args()
    from accesspub.audio.cluster import BATCH

    with tempfile.TemporaryDirectory(prefix="accesspub-cluster-bench-") as tmp:
        tmp = Path(tmp)
        code = freeze_code(tmp / "code")
        if args.memory:
            return memory(args, code)
        if args.orders:
            return orders(args, tmp, code)
        load = os.getloadavg()[0]
        words = 0
        for name in ("local", "cluster"):
            words = make_catalogue(tmp / name, args.releases, args.paragraphs, args.book)
        local = run_build(tmp / "local", tmp / "cache-local", "--jobs", str(args.workers),
                          env=code)
        cluster = run_build(tmp / "cluster", tmp / "cache-cluster",
                            "--cluster", f"local:{args.workers}", env=code)
        a, b = snapshot(tmp / "local" / "build"), snapshot(tmp / "cluster" / "build")
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        clips = list((tmp / "cache-cluster" / "clips").rglob("*.wav"))
        clip_bytes = sum(p.stat().st_size for p in clips) / max(1, len(clips))
        speech = sum(r.get("narration_seconds") or 0 for r in cluster["report"]["releases"])
        cost = scheduler_cost(args.workers, int((clip_bytes - 100) // 2))

    n = len(clips)
    releases = len(cluster["report"]["releases"])
    print(f"catalogue: {releases} releases, {words} words of tests/corpus prose"
          f"{' and Pride and Prejudice' if args.book else ''} + the sample; "
          f"{n} clips, {speech / 60:.1f} min of speech")
    print(f"local pool (--jobs {args.workers}):   {local['seconds']:7.1f} s wall, first release "
          f"finished at {local['first']:.1f} s")
    print(f"--cluster local:{args.workers}:        {cluster['seconds']:7.1f} s wall, first release "
          f"finished at {cluster['first']:.1f} s")
    print(f"ratio cluster / local:     {cluster['seconds'] / local['seconds']:.3f}")
    print(f"byte-identical outputs:    {not differ} ({len(a)} files compared, "
          f"report.json aside; one frozen copy of the code)"
          + (f"; differ: {', '.join(differ)}" if differ else ""))
    print(f"scheduler cost per task:   {cost['noop'] * 1000:.2f} ms (no-op), "
          f"{cost['pcm'] * 1000:.2f} ms (returning one clip's PCM, sequential round trip)")
    print(f"  per clip at {BATCH} clips/task: {cost['noop'] * 1000 / BATCH:.3f} ms "
          f"(+ PCM transfer {cost['pcm'] * 1000:.2f} ms / {BATCH} clips)")
    print(f"scheduler tasks per second: {1 / cost['noop']:.0f} (no-op, {args.workers} workers)")
    print(f"bytes per clip:            {clip_bytes / 1024:.1f} KiB (int16 44.1 kHz PCM)")
    print(f"clips/s per worker core:   {n / cluster['seconds'] / args.workers:.3f} "
          f"(whole build's wall time; {os.cpu_count()} cores on this machine)")
    mib = 1 << 20
    for name, run in (("local", local), ("cluster", cluster)):
        recorded = {}
        for release in run["report"]["releases"]:
            for address, entry in release["speech"].get("workers", {}).items():
                recorded[address] = max(recorded.get(address, 0), entry["peak_rss"])
        print(f"peak RSS {name + ':':8s} client {run['client'] / mib:.0f} MiB, workers "
              + ", ".join(f"{w / mib:.0f}" for w in run["workers"]) + " MiB; report.json: "
              + ", ".join(f"{a} {p / mib:.0f} MiB" for a, p in sorted(recorded.items())))
    print(f"load average:              {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
          "(other work on the machine slows both builds alike, not their ratio)")


if __name__ == "__main__":
    main()
