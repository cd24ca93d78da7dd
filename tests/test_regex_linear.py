"""Every pattern run on untrusted text is linear in its length (issue 19).

Nothing here is timed.  A child process feeds tokens of adversarial shapes -- half a
megabyte of one letter, of dots, of "a@a.a.a…", "http://" and a long tail, words and
spaces -- to the speech normaliser of each language (every rule runs on them, in order)
and to the sentence splitter, under a CPU limit.  Linear code needs seconds for this
(10-28 s of CPU a child on the machine this was written on); one quadratic pattern needs
far longer than the limit (the old e-mail pattern took 92 s on a 100 kB token: 38 minutes
at half a megabyte), so the limit kills the child and the test fails, naming the shape it
was working on.

The shapes whose spoken form is several times longer than the text (addresses, digit
groups) are a quarter of that; the context rules' shapes a sixteenth of a megabyte.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

CPU_SECONDS = 60
SIZE = 500_000     # a megabyte took up to 38 s of the 60 s: too close to the limit

CHILD = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_CPU, ({limit}, {limit} + 5))
    from accesspub.speech.normalize import normalize
    from accesspub.read.sentences import split_sentences
    from accesspub.model import Run

    lang, what = sys.argv[1], sys.argv[2]
    N, Q, E = {size}, {size} // 4, 1_000_000 // 16
    shapes = {{
        "letters": "a" * N,
        "capitals": "A" * N,
        "dots": "." * N,
        "word then @": "a" * N + "@",
        "http:// then letters": "http://" + "a" * N,
        "words and spaces": "ab " * (N // 3),
        "a@a.a.a...": "a@" + "a." * (Q // 2) + "a",
        "1.1.1...": "1." * (Q // 2) + "1",
        "digits": "7" * Q,
        "123 123 123...": "123 " * (Q // 4),
        "www.a.a.a...": "www." + "a." * (Q // 2),
        "a-a-a...": "a-" * (Q // 2),
        # issue 14's context rules: a sixteenth of a megabyte each (every rule already
        # runs on the shapes above; at this size a quadratic pattern still takes minutes)
        "#a#a#a...": "#a" * (E // 2),
        "#aaa...": "#" + "a" * E,
        "Section I I I...": "Section " + "I " * (E // 2),
        "1,2 1,2...": "1,2 " * (E // 4),
        "1.00-1.00-...": "1.00-" * (E // 5),
        "mg/mg/...": "5 mg/" * (E // 5),
        "A-12-12-12...": "A" + "-12" * (E // 3),
        "1/2020 1/2020...": "1/2020 " * (E // 7),
        "¼¼¼...": "2¼" * (E // 2),
        "Mon-Mon-...": "Mon-" * (E // 4),
        "1 ha aaa...": "1 ha " + "a" * E,
        "a/a/a/...": "a/" * (E // 2),
        "1.I.1.I...": "1.I." * (E // 4),
        "G-1 G-1 ...": "G-1 " * (E // 4),
        "Felipe I I I...": "Felipe " + "I " * (E // 2),
        "reference 1/1 1/1...": "reference " + "1/1 " * (E // 4),
        "St. A St. A...": "St. A " * (E // 6),
        "1 A A 1 A A...": "101 Aa Aa " * (E // 10),
        "$1 a $1 a...": "a $1 ab " * (E // 8),
        "1 a.m.-1 a.m.-...": "1 a.m.-" * (E // 7),
        "King A I King A I...": "King Aa I. " * (E // 11),
        "Sept. 1-1-1...": "Sept. " + "1-" * (E // 2),
        "AA 11111 AA...": "AA 11111 " * (E // 9),
        "AAA AAA —": "A" * E + " AAA, DE —",
        "aAA@a.aAA...": "aAA@" + "aAA." * (E // 4) + "aa",
        # German and French shapes of issue 14 (weekdays, postcodes, phone lists, codes)
        "Mo.-Fr. Mo.-...": "Mo.–Fr. " * (E // 8),
        "Mi, 1. Mi, 1. ...": "Mi, 1. " * (E // 7),
        "a 1, 12345 A...": "a 1-2, 12345 Aa " * (E // 16),
        "acht acht und 123-1...": "acht acht und 123" + "-1" * (E // 2),
        "(1.01)(1.01)...": "(1.01)" * (E // 6),
        "1 -, 1 -, ...": "1 -, " * (E // 5),
        "in-8º in-8º...": "in-8º " * (E // 6),
        "numéro 1-1-1...": "numéro " + "1-" * (E // 2),
        "18 H 30 - 18 H 30...": "18 H 30 - " * (E // 10),
        "le 3939 le 3939...": "le 3939 " * (E // 8),
        "1 F 1 F...": "1 F " * (E // 4),
        "Tome V Tome V...": "Tome V " * (E // 7),
    }}
    sentence_shapes = {{
        "No. No. No.": "No. " * (Q // 4),
        "a p.m. A p.m.": "a p.m. A " * (Q // 9),
        "Aa I. a Aa I.": "Aa I. a " * (Q // 8),
        "a. a. a.": "a. " * (Q // 3),
        "(a. (a.": "(a. " * (Q // 4),
        "Jr. Jr. Jr.": "Jr. " * (E // 4),
        ". a . a": ". a" * (E // 3),
        ".a.a.a": ".a" * (E // 2),
        "z. B. z. B.": "z. B. " * (E // 6),
        "(1865) a (1865) a": "(1865) a " * (E // 9),
        "IIIe s. , IIIe s. ,": "IIIe s. , " * (E // 10),
    }}
    if what == "speech":
        for name, text in shapes.items():
            print(name, flush=True)
            normalize(text, lang)
    else:
        for name, text in {{**shapes, **sentence_shapes}}.items():
            print(name, flush=True)
            split_sentences([Run(text[i:i + 1000], lang) for i in range(0, len(text), 1000)],
                            lang)
    print("done", flush=True)
""").format(limit=CPU_SECONDS, size=SIZE)


LANGS = ["en", "de", "fr", "es"]
WALL_SECONDS = 3600          # only a safety net: the verdict is the CPU limit above
_pool: concurrent.futures.ThreadPoolExecutor | None = None
_running: list[subprocess.Popen] = []


def _lowest_priority() -> None:
    os.nice(19)


def _child(lang: str, what: str, folder: Path) -> None:
    # At the lowest priority the children use the CPU the rest of the test session leaves
    # idle: each is limited by its own CPU time, so the priority changes no verdict, only
    # when it is reached.
    process = subprocess.Popen([sys.executable, "-c", CHILD, lang, what], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=_lowest_priority)
    _running.append(process)
    try:
        out, err = process.communicate(timeout=WALL_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        err += f"\n(killed after {WALL_SECONDS} s of wall time: the machine was too busy)"
    result = folder / f"{lang}-{what}.json"
    partial = result.with_suffix(".part")
    partial.write_text(json.dumps({"returncode": process.returncode, "stdout": out,
                                   "stderr": err}), encoding="utf-8")
    os.replace(partial, result)


def start_children(folder: Path) -> None:
    """Start every child, as many running as there are cores; each writes its result into
    ``folder`` (the test run's, shared by its xdist workers).  tests/conftest.py calls this
    in one process as soon as the tests are collected, and sorts these tests last."""
    global _pool
    if _pool is None:
        folder.mkdir(parents=True, exist_ok=True)
        _pool = concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
        for what in ("speech", "sentences"):
            for lang in LANGS:
                _pool.submit(_child, lang, what, folder)
        _pool.shutdown(wait=False)


def stop_children(*, wait: bool) -> None:
    """Wait for the children (another worker may still read their results), or end them
    (a session stopped early by -x or Ctrl-C)."""
    if _pool is None:
        return
    if wait:
        _pool.shutdown(wait=True)
    for process in _running:
        if process.poll() is None:
            process.kill()


def results_folder(basetemp: Path) -> Path:
    """The folder the children write into: the run's temporary folder, the same for every
    xdist worker (each has ``popen-gwN`` under it) and for a session without workers."""
    root = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
    return root / "linearity"


@pytest.fixture(scope="module")
def children(tmp_path_factory) -> Path:
    return results_folder(tmp_path_factory.getbasetemp())


def result_of(folder: Path, lang: str, what: str) -> subprocess.CompletedProcess:
    path = folder / f"{lang}-{what}.json"
    deadline = time.monotonic() + WALL_SECONDS + 60
    while not path.exists():
        assert time.monotonic() < deadline, f"no result from the {what} ({lang}) child"
        time.sleep(0.2)
    data = json.loads(path.read_text(encoding="utf-8"))
    return subprocess.CompletedProcess([lang, what], data["returncode"], data["stdout"],
                                       data["stderr"])


def check_child(result: subprocess.CompletedProcess, lang: str, what: str) -> None:
    shapes = result.stdout.split("\n")
    working_on = shapes[-2] if len(shapes) > 1 else "(start-up)"
    assert result.returncode == 0 and shapes[-2] == "done", (
        f"{what} ({lang}) did not finish within {CPU_SECONDS} s of CPU (exit "
        f"{result.returncode}) while working on the shape {working_on!r}: some pattern is "
        f"not linear in the length of the text\n{result.stderr[-2000:]}")


@pytest.mark.parametrize("lang", LANGS)
def test_speech_rules_are_linear(children, lang):
    check_child(result_of(children, lang, "speech"), lang, "speech")


@pytest.mark.parametrize("lang", LANGS)
def test_sentence_splitting_is_linear(children, lang):
    check_child(result_of(children, lang, "sentences"), lang, "sentences")
