"""The command line as linters and site generators have it: paths as well as release names,
the report on stdout, one release built alone, `watch`, and `serve --watch`."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from helpers import make_project
from test_watch import Lines, wait_for

CONFIG = '[project]\nlanguage = "en"\npublisher = "Test Office"\ndetect_languages = false\n'


def release(body: str, extra: str = "") -> str:
    return f"---\ntitle: T\ndate: 2024-01-01\nlanguage: en\n{extra}---\n\n{body}\n"


def accesspub(root: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "accesspub", "-C", str(root), *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture()
def project(tmp_path) -> Path:
    return make_project(tmp_path / "p", {
        "content/alpha.md": release("Alpha runs 5 km. [Click here](https://example.org)."),
        "content/book/01-one.md": release("Chapter one is 3 km long."),
        "content/book/02-two.md": "## Two\n\n[Read more](https://example.org/2).\n",
        "content/lexicon.pls": "<lexicon/>",
        "notes.txt": "not a release",
    }, CONFIG)


def located(stdout: str, code: str) -> list[str]:
    return sorted({line.split(": ")[0] for line in stdout.splitlines() if f" {code}:" in line})


# --- check: paths, stdout, --speech -------------------------------------------------------

def test_check_takes_paths_like_a_linter(project):
    (project / "content" / "lexicon.pls").unlink()
    everything = accesspub(project, "check")
    assert located(everything.stdout, "a11y-link-text") == ["content/alpha.md:7",
                                                            "content/book/02-two.md:3"]
    # A release's file, its folder, or a file of that folder; from the current folder or
    # from the project's.
    for args, cwd in ((["content/alpha.md"], project), ([str(project / "content/alpha.md")], None),
                      (["content/alpha.md"], project.parent), (["alpha"], None)):
        done = accesspub(project, "check", *args, cwd=cwd)
        assert done.returncode == 0, done.stdout + done.stderr
        assert located(done.stdout, "a11y-link-text") == ["content/alpha.md:7"], args
    for arg in ("content/book/", "content/book", "content/book/01-one.md", "book"):
        done = accesspub(project, "check", arg, cwd=project)
        assert located(done.stdout, "a11y-link-text") == ["content/book/02-two.md:3"], arg
    # The content folder, or the project: every release.
    for arg in ("content", "."):
        done = accesspub(project, "check", arg, cwd=project)
        assert located(done.stdout, "a11y-link-text") == located(everything.stdout,
                                                                 "a11y-link-text"), arg


def test_a_path_that_is_no_release_is_a_located_error(project):
    done = accesspub(project, "check", "notes.txt", cwd=project)
    assert done.returncode == 1
    assert "notes.txt: error release-unknown: notes.txt is not a release" in done.stderr
    assert "hint:" in done.stderr and "Traceback" not in done.stderr
    done = accesspub(project, "check", "content/nothing.md", cwd=project)
    assert done.returncode == 1
    assert "error release-unknown: no release or file named 'content/nothing.md'" in done.stderr
    assert "alpha, book" in done.stderr                 # the hint names the releases


def test_the_report_is_on_stdout(project):
    (project / "content" / "lexicon.pls").unlink()
    done = accesspub(project, "check")
    assert done.returncode == 0
    assert done.stderr == ""
    assert "warning a11y-link-text" in done.stdout
    assert done.stdout.rstrip().endswith("0 error(s), 2 warning(s)")
    # Errors of the tool itself stay on stderr.
    broken = accesspub(project, "-C", str(project / "missing"), "check")
    assert broken.returncode != 0 and broken.stdout == "" and "error" in broken.stderr


def test_speech_is_printed_for_the_releases_without_errors(project):
    (project / "content" / "lexicon.pls").unlink()
    (project / "content" / "beta.md").write_text(
        release("Beta is 7 km away.", extra="subtitle: {a: 1}\n"), encoding="utf-8")
    done = accesspub(project, "check", "--speech")
    assert done.returncode == 1
    assert "content/beta.md:5: error front-matter-type" in done.stdout
    assert "spoken: Alpha runs five kilometres." in done.stdout
    assert "spoken: Chapter one is three kilometres long." in done.stdout
    assert "seven" not in done.stdout                  # beta has an error of its own
    assert done.stdout.rstrip().endswith("1 error(s), 2 warning(s)")


def test_speech_without_the_lexicon_when_it_is_broken(project):
    done = accesspub(project, "check", "--speech", "alpha")
    assert done.returncode == 1
    assert "content/lexicon.pls" in done.stdout and "error lexicon-invalid" in done.stdout
    assert "without the lexicon, which has errors" in done.stdout
    assert "spoken: Alpha runs five kilometres." in done.stdout


# --- build one release ------------------------------------------------------------------

def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))


def test_build_one_release_keeps_the_others(project):
    (project / "content" / "lexicon.pls").unlink()
    done = accesspub(project, "build", "--no-audio", "-q")
    assert done.returncode == 0, done.stderr
    book = project / "build" / "book" / "book.epub"
    assert book.is_file()

    (project / "content" / "alpha.md").write_text(release("Alpha, second edition."))
    done = accesspub(project, "build", "content/alpha.md", "--no-audio", "-q", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "built alpha" in done.stdout
    assert "second edition" in epub_text(project / "build" / "alpha" / "alpha.epub")
    assert "Chapter one" in epub_text(book)
    index = (project / "build" / "index.html").read_text(encoding="utf-8")
    assert 'href="alpha/' in index and 'href="book/' in index

    done = accesspub(project, "build", "nothing", "--no-audio")
    assert done.returncode == 1 and "release-unknown" in done.stderr


# --- watch and serve --watch ----------------------------------------------------------------

def test_watch_is_build_watch(tmp_path):
    root = make_project(tmp_path, {"content/a.md": release("The first version.")}, CONFIG)
    process = subprocess.Popen(
        [sys.executable, "-m", "accesspub", "-C", str(root), "watch", "--no-audio", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = Lines(process.stdout)
    epub = root / "build" / "a" / "a.epub"
    try:
        assert wait_for(lambda: output.count("watching") == 1), output.lines
        assert "The first version." in epub_text(epub)
        (root / "content" / "a.md").write_text(release("The second version."))
        assert wait_for(lambda: output.count("built a:") == 2), output.lines
        assert "The second version." in epub_text(epub)
    finally:
        process.terminate()
        process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def test_serve_watch_builds_serves_and_rebuilds(tmp_path):
    root = make_project(tmp_path, {"content/a.md": release("The first version.")}, CONFIG)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "accesspub", "-C", str(root), "serve", "--watch", "--no-audio",
         "-q", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = Lines(process.stdout)
    base = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(lambda: output.count("watching") == 1), output.lines
        assert output.count(f"at {base}") == 1
        site = fetch(base + "index.html")
        assert site is not None and 'href="a/' in site
        assert "The first version." in (fetch(base + "a/index.html") or "")

        time.sleep(0.1)
        (root / "content" / "a.md").write_text(release("The second version."))
        assert wait_for(lambda: "The second version." in (fetch(base + "a/index.html") or ""),
                        step=0.3), output.lines
        assert output.count("built a:") == 2
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "stopped watching" in "\n".join(output.lines)
    assert "Traceback" not in "\n".join(output.lines)


def test_serve_without_a_build_says_how_to_get_one(tmp_path):
    root = make_project(tmp_path, {"content/a.md": release("Text.")}, CONFIG)
    done = accesspub(root, "serve", "--port", str(free_port()))
    assert done.returncode == 2
    assert "error serve-no-build" in done.stderr and "serve --watch" in done.stderr


def test_jobs_on_the_command_line_have_the_config_limit(tmp_path):
    from click.testing import CliRunner

    from accesspub.cli import main
    from accesspub.config import max_jobs
    result = CliRunner().invoke(main, ["-C", str(tmp_path), "build", "--jobs",
                                       str(max_jobs() + 1)])
    assert result.exit_code == 2
    assert f"is not in the range 1<=x<={max_jobs()}" in result.output
