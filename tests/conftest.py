"""Shared fixtures for accesspub's tests.

``output_dir`` (session)
    ``test-output/`` at the repository root (git-ignored): keep artefacts a
    person may want to look at after a run — screenshots, Ace reports, built
    EPUBs of failing tests.  Make a sub-folder per test module.

``epubcheck`` (session)
    An ``EpubCheckBatch`` over one EPUBCheck JVM that the whole session shares:
    EPUBCheck costs ~3–4 s per Java start but only tens of milliseconds per
    further EPUB in the same JVM.  Build all the EPUBs a module needs, then
    check them in one call, typically in a module-scoped fixture::

        @pytest.fixture(scope="module")
        def checked(built_epubs, epubcheck):          # built_epubs: list[Path]
            return epubcheck.many(built_epubs)        # {Path: EpubCheckResult}

        def test_valid(checked, built_epubs, epubcheck):
            epubcheck.assert_valid(checked[built_epubs[0]])   # or check .errors etc.

    ``epubcheck(paths)`` is the same as ``epubcheck.many(paths)``.  Results
    are cached by path, size and modification time, so asking again for an
    unchanged file does not check it again.

``ace`` (session)
    ``ace(epub, report_dir=None) -> AceResult`` runs Ace by DAISY; reports go
    to ``test-output/ace/<epub name>/`` unless ``report_dir`` is given;
    ``ace.many(pairs)`` checks several.  The session keeps one Node and one
    Chromium for all of them (``validate.AceServer``).  When
    Ace is not installed the test is skipped — except on CI (``CI`` set),
    where it fails: ``./dev test`` installs Ace, so a missing Ace there is a
    broken set-up, not a reason to skip.  Mark such tests ``@pytest.mark.ace``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from accesspub.testing import validate as validate
from accesspub.testing.validate import AceResult, EpubCheckResult

REPO_ROOT = Path(__file__).resolve().parent.parent


def on_ci() -> bool:
    """True on CI (``CI`` set to anything but empty/``0``/``false``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@contextmanager
def _environ(name: str, path: Path) -> Iterator[Path]:
    """``path`` in the environment variable ``name`` for the block; the old value after."""
    previous = os.environ.get(name)
    os.environ[name] = str(path)
    try:
        yield path
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


@pytest.fixture(scope="session", autouse=True)
def voice_cache(tmp_path_factory) -> Path:
    """Prepared Piper voices go to a folder of this test session, not the user's cache:
    every session prepares the voice once, as a fresh machine does."""
    with _environ("ACCESSPUB_VOICE_CACHE", tmp_path_factory.mktemp("voices")) as path:
        yield path


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """``test-output/`` at the repository root, created if missing (git-ignored)."""
    path = REPO_ROOT / "test-output"
    path.mkdir(exist_ok=True)
    return path


class EpubCheckBatch:
    """EPUBCheck results kept by path, size and modification time; the rest are checked by
    the session's JVM.  See the module docstring for the intended use."""

    def __init__(self, server: validate.EpubCheckServer) -> None:
        self._cache: dict[tuple[Path, int, int], EpubCheckResult] = {}
        self.server = server

    @staticmethod
    def _key(path: Path) -> tuple[Path, int, int]:
        stat = path.stat()
        return (path.resolve(), stat.st_size, stat.st_mtime_ns)

    def many(self, paths: Iterable[Path | str]) -> dict[Path, EpubCheckResult]:
        """Check all ``paths`` (one Java start for those not checked before); keys are the given paths."""
        wanted = [Path(p) for p in paths]
        todo = [p for p in dict.fromkeys(wanted) if self._key(p) not in self._cache]
        if todo:
            for path, result in validate.run_epubcheck(todo, server=self.server).items():
                self._cache[self._key(path)] = result
        return {p: self._cache[self._key(p)] for p in wanted}

    __call__ = many

    def one(self, path: Path | str) -> EpubCheckResult:
        """Check a single EPUB (the session's JVM is kept, so this is cheap once it runs)."""
        return self.many([path])[Path(path)]

    @staticmethod
    def assert_valid(result: EpubCheckResult) -> None:
        """Fail with EPUBCheck's messages unless there is no fatal, error or warning."""
        if not result.ok:
            pytest.fail("EPUBCheck:\n" + result.report(), pytrace=False)


@pytest.fixture(scope="session")
def epubcheck() -> Iterator[EpubCheckBatch]:
    """EPUBCheck runner sharing one JVM over the session: ``epubcheck.many(paths)``."""
    with validate.EpubCheckServer() as server:
        yield EpubCheckBatch(server)


@pytest.fixture(scope="session")
def ace() -> Iterator[Callable[..., AceResult]]:
    """``ace(epub, report_dir=None) -> AceResult`` and ``ace.many(pairs)``, over one Node
    and one Chromium for the session; skips without Ace, except on CI where it fails."""
    if not validate.ace_available():
        reason = ("Ace by DAISY is not installed (run scripts/install-ace.sh, "
                  "or ./dev test which installs it)")
        if on_ci():
            pytest.fail(f"{reason}; on CI (CI={os.environ.get('CI')}) Ace is required",
                        pytrace=False)
        pytest.skip(reason)
    server = validate.AceServer() if validate.AceServer.usable() else None

    def many(pairs: Iterable[tuple[Path, Path]]) -> dict[Path, AceResult]:
        """``{epub: result}`` for (epub, report_dir) pairs."""
        if server is not None:
            return server.check_many(pairs)
        return {Path(epub): validate.run_ace(epub, folder) for epub, folder in pairs}

    def run(epub: Path | str, report_dir: Path | str | None = None) -> AceResult:
        epub = Path(epub)
        if report_dir is None:
            report_dir = REPO_ROOT / "test-output" / "ace" / epub.stem
        return many([(epub, Path(report_dir))])[epub]

    run.many = many
    run.server = server
    yield run
    if server is not None:
        server.close()


# --- narrated builds, made once per session ------------------------------------------

NARRATED_PROJECTS = {
    "sample": (REPO_ROOT, ("accesspub.toml", "content", "assets")),
    "handbook": (REPO_ROOT / "tests" / "projects" / "handbook", ("accesspub.toml", "content")),
}


class NarratedBuild:
    """A project built with the real Piper voice: its folder and its outputs."""

    def __init__(self, root: Path, slug: str) -> None:
        self.root = root
        self.slug = slug
        self.out = root / "build" / slug
        self.epub = self.out / f"{slug}.epub"
        self.mp3 = self.out / f"{slug}.mp3"

    def report(self) -> dict:
        import json
        return json.loads((self.root / "build" / "report.json").read_text(encoding="utf-8"))


def build_project(root: Path, *args: str) -> "object":
    from click.testing import CliRunner
    from accesspub.cli import main
    result = CliRunner().invoke(main, ["-C", str(root), "build", "-q", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="session")
def speech_cache(tmp_path_factory) -> Path:
    """One clip cache for the session: each sentence is synthesised once per test run."""
    with _environ("ACCESSPUB_CACHE", tmp_path_factory.mktemp("speech-cache")) as path:
        yield path


@pytest.fixture(scope="session")
def narrated(tmp_path_factory, speech_cache) -> dict[str, NarratedBuild]:
    """The sample and the handbook, narrated by Piper (built once per test session)."""
    import shutil
    builds = {}
    for name, (source, parts) in NARRATED_PROJECTS.items():
        root = tmp_path_factory.mktemp(f"narrated-{name}")
        for part in parts:
            src = source / part
            if src.is_dir():
                shutil.copytree(src, root / part)
            else:
                shutil.copy(src, root / part)
        build_project(root)
        slug = next(p.name for p in (root / "build").iterdir() if p.is_dir())
        builds[name] = NarratedBuild(root, slug)
    return builds


@pytest.fixture
def fake_build(tmp_path) -> Callable[..., Path]:
    """``fake_build(files, config=FAKE_NARRATION) -> project root``: a project built with
    narration by the fake engine (a tone as long as the text): feed, site, transcripts and
    overlays in about a second, no voice model loaded."""
    from accesspub.testing import FAKE_NARRATION
    from helpers import make_project

    def build(files: dict[str, str | bytes], config: str = FAKE_NARRATION, *args: str) -> Path:
        root = make_project(tmp_path / "fake-project", files, config)
        build_project(root, *args)
        return root
    return build


# Test tiers, from what a test uses: ``java`` (EPUBCheck), ``ace`` (Ace by DAISY, node and
# chromium), ``browser`` (Playwright and chromium); ``slow`` (real speech synthesis) is
# marked by hand.  The fast tier, ``-m fast`` below, needs none of them.
_TIER_FIXTURES = {"epubcheck": "java", "ace": "ace", "browser": "browser", "page": "browser",
                  "narrated": "slow"}


@pytest.hookimpl(tryfirst=True)        # before -m selects by these markers
def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, marker in _TIER_FIXTURES.items():
            if fixture in names:
                item.add_marker(marker)
        if not any(item.get_closest_marker(m) for m in ("slow", "java", "ace", "browser")):
            item.add_marker("fast")
    _group_for_xdist(items)
    # The linearity tests run last (their children start when collection ends, below).
    items.sort(key=lambda item: item.path.name == _LINEARITY)


def _group_for_xdist(items) -> None:
    """`./dev test` runs the suite on two xdist workers (--dist loadgroup).  A module with a
    test beyond the fast tier runs whole on one worker, so its module fixtures are made
    once: with the other such modules that use the session's narrated builds (made once
    too), or with those that do not; fast-only modules go to whichever worker is free."""
    modules: dict[Path, list] = {}
    for item in items:
        modules.setdefault(item.path, []).append(item)
    for module in modules.values():
        if all(item.get_closest_marker("fast") for item in module):
            continue
        narrated = any("narrated" in getattr(item, "fixturenames", ()) for item in module)
        group = pytest.mark.xdist_group("narrated" if narrated else "tools")
        for item in module:
            item.add_marker(group)


_LINEARITY = "test_regex_linear.py"


def pytest_collection_finish(session):
    """The linearity tests' children start as soon as the tests are chosen (in one process:
    the session, or its first xdist worker), and the tests run last: the children use the
    CPU time the other tests leave idle."""
    if (not session.config.option.collectonly
            and os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0"
            and any(item.path.name == _LINEARITY for item in session.items)):
        import test_regex_linear
        basetemp = session.config._tmp_path_factory.getbasetemp()
        test_regex_linear.start_children(test_regex_linear.results_folder(basetemp))


def pytest_sessionfinish(session, exitstatus):
    """The fast tier proves it spoke nothing: Piper prepares its voice in the session's
    voice cache the first time it speaks, so after ``-m fast`` that folder is empty."""
    linearity = sys.modules.get("test_regex_linear")
    if linearity is not None:      # another worker may still need them, unless stopped
        linearity.stop_children(wait=exitstatus in (pytest.ExitCode.OK,
                                                    pytest.ExitCode.TESTS_FAILED))
    if session.config.getoption("markexpr", "") != "fast" or exitstatus != 0:
        return
    folder = os.environ.get("ACCESSPUB_VOICE_CACHE")
    if folder and Path(folder).is_dir() and any(Path(folder).iterdir()):
        session.exitstatus = 1
        print(f"\nthe fast tier loaded a Piper voice ({folder}): some test speaks but is "
              "not marked slow")


CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser); skipped where
    it is missing, except on CI, where ``./dev test`` installs it."""
    reason = None
    if not CHROMIUM.exists():
        reason = (f"Chromium is not installed at {CHROMIUM} (scripts/install-ace.sh or "
                  "./dev test installs Debian's chromium)")
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[test]')"
    if reason:
        if on_ci():
            pytest.fail(f"{reason}; on CI the browser tests must run", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
