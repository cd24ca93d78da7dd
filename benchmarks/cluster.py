"""The local process pool against ``--cluster local:N`` on the same machine, in one run.

    ./dev python benchmarks/cluster.py [--releases 6] [--paragraphs 6] [--workers 2]

The catalogue is real text: the English posts of tests/corpus/ (U.S. government work,
public domain / CC0; see its README) cut into ``--releases`` releases of the first
``--paragraphs`` prose paragraphs each, plus the sample release in content/.  Each build
runs as its own process with a fresh clip cache (everything is spoken), one after the
other, the local pool first.  The whole process tree is sampled every 0.1 s for memory;
each synthesis worker's peak is its VmHWM.

Prints: wall time of both builds and their ratio (cluster / local), clips spoken and
seconds of speech, scheduler cost per task and per clip (no-op tasks and tasks carrying
one clip's PCM, on a LocalCluster of the same size), scheduler tasks per second, bytes
per clip, clips per second per worker core, and the peak RSS of the client (the build's
own process) and of each worker.  Whether the outputs are byte-identical is checked too.

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
CONFIG = """[project]
language = "en"
publisher = "Benchmark Office"
detect_languages = false
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


def make_catalogue(root: Path, releases: int, paragraphs: int) -> int:
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


def run_build(root: Path, cache: Path, *args: str) -> dict:
    """Build ``root``; wall time, and peak memory of the build and of each child."""
    env = dict(os.environ, ACCESSPUB_CACHE=str(cache))
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "accesspub", "-C", str(root), "build",
                                "-q", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
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
    out, err = process.communicate()
    elapsed = time.monotonic() - started
    stop.set()
    watcher.join()
    if process.returncode != 0:
        sys.exit(f"build {' '.join(args)} failed:\n{err}")
    report = json.loads((root / "build" / "report.json").read_text(encoding="utf-8"))
    client = max((p for k, p in peaks.values() if k == "client"), default=0)
    workers = sorted((p for k, p in peaks.values() if k == "worker" and p > 100 << 20),
                     reverse=True)      # the voice-holding workers, not helpers
    return {"seconds": elapsed, "client": client, "workers": workers, "report": report}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=6)
    parser.add_argument("--paragraphs", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from accesspub.audio.cluster import BATCH

    with tempfile.TemporaryDirectory(prefix="accesspub-cluster-bench-") as tmp:
        tmp = Path(tmp)
        words = 0
        for name in ("local", "cluster"):
            words = make_catalogue(tmp / name, args.releases, args.paragraphs)
        local = run_build(tmp / "local", tmp / "cache-local", "--jobs", str(args.workers))
        cluster = run_build(tmp / "cluster", tmp / "cache-cluster",
                            "--cluster", f"local:{args.workers}")
        a, b = snapshot(tmp / "local" / "build"), snapshot(tmp / "cluster" / "build")
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        clips = list((tmp / "cache-cluster" / "clips").rglob("*.wav"))
        clip_bytes = sum(p.stat().st_size for p in clips) / max(1, len(clips))
        speech = sum(r.get("narration_seconds") or 0 for r in cluster["report"]["releases"])
        cost = scheduler_cost(args.workers, int((clip_bytes - 100) // 2))

    n = len(clips)
    releases = len(cluster["report"]["releases"])
    print(f"catalogue: {releases} releases, {words} words of tests/corpus prose + the sample; "
          f"{n} clips, {speech / 60:.1f} min of speech")
    print(f"local pool (--jobs {args.workers}):   {local['seconds']:7.1f} s wall")
    print(f"--cluster local:{args.workers}:        {cluster['seconds']:7.1f} s wall")
    print(f"ratio cluster / local:     {cluster['seconds'] / local['seconds']:.3f}")
    print(f"byte-identical outputs:    {not differ} ({len(a)} files compared, "
          f"report.json aside)" + (f"; differ: {', '.join(differ)}" if differ else ""))
    print(f"scheduler cost per task:   {cost['noop'] * 1000:.2f} ms (no-op), "
          f"{cost['pcm'] * 1000:.2f} ms (returning one clip's PCM, sequential round trip)")
    print(f"  per clip at {BATCH} clips/task: {cost['noop'] * 1000 / BATCH:.3f} ms "
          f"(+ PCM transfer {cost['pcm'] * 1000:.2f} ms / {BATCH} clips)")
    print(f"scheduler tasks per second: {1 / cost['noop']:.0f} (no-op, {args.workers} workers)")
    print(f"bytes per clip:            {clip_bytes / 1024:.1f} KiB (int16 44.1 kHz PCM)")
    print(f"clips/s per worker core:   {n / cluster['seconds'] / args.workers:.3f} "
          f"(whole build's wall time; {os.cpu_count()} cores on this machine)")
    mib = 1 << 20
    print(f"peak RSS local:   client {local['client'] / mib:.0f} MiB, workers "
          + ", ".join(f"{w / mib:.0f}" for w in local["workers"]) + " MiB")
    print(f"peak RSS cluster: client {cluster['client'] / mib:.0f} MiB, workers "
          + ", ".join(f"{w / mib:.0f}" for w in cluster["workers"]) + " MiB")
    recorded = {}
    for release in cluster["report"]["releases"]:
        for address, entry in release["speech"].get("workers", {}).items():
            recorded[address] = max(recorded.get(address, 0), entry["peak_rss"])
    print("report.json worker peaks:  " + ", ".join(
        f"{a} {p / mib:.0f} MiB" for a, p in sorted(recorded.items())))
    print(f"load average at the end:   {os.getloadavg()[0]:.1f} "
          "(other work on the machine slows both builds alike, not their ratio)")


if __name__ == "__main__":
    main()
