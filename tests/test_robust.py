"""Never break, never lose.

* Generated Markdown (nesting, raw HTML, odd Unicode, right-to-left text, emoji, control
  characters, huge lines, random ``{lang=…}``, footnotes) always gives an EPUB that
  EPUBCheck passes, or a clear located error: never invalid output, never a traceback.
  The suite runs a bounded number of examples; ``scripts/fuzz.py`` runs many more with the
  same strategies.
* A build killed mid-way leaves the previous ``build/`` intact, and the next one succeeds.
* Two builds at once on one project both succeed, one after the other (the lock).
* Input limits give clear errors: not UTF-8, too large, an image that is not one, a
  lexicon that is not PLS.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accesspub.cli import main
from helpers import make_project

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")
CONFIG = '[project]\nlanguage = "en"\npublisher = "Fuzz Office"\n'
DIAGNOSTIC_RE = re.compile(r"^\S.*: error [a-z0-9-]+: ", re.M)

# --- strategies (shared with scripts/fuzz.py) -----------------------------------------------

ODD_CHARS = (
    "\u202e\u202d\u200f\u200e\u2066\u2069"      # bidi controls
    "\u200b\u200c\u200d\u2060\ufeff\u00ad"      # zero-width, BOM, soft hyphen
    "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9f"  # C0/C1 controls
    "\ufffe\uffff\ufffd\U0010fffe"              # non-characters
    "\u0301\u0308\u20dd"                        # combining marks
    "\u2028\u2029\r\t"                          # line and paragraph separators
)
SCRIPTS = ["مرحبا بالعالم", "שלום עולם", "Xəzər dənizi", "Привет мир", "日本語のテキスト",
           "한국어", "ελληνικά", "हिन्दी", "👩‍👩‍👧 🇦🇿 🏳️‍🌈 😀", "café naïve", "ﷺ ﷽", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐"]
LANGS = ["en", "fr", "az", "ar", "he", "sr-Latn", "ja", "zh-Hant", "x-klingon", "de-DE-1996",
         "qaa", "ar-Latn"]
BAD_LANGS = ["en_GB", "", "123", "i-klingon", "en-", "a" * 20, "zz-ZZZZ"]   # errors: lang-invalid
URLS = ["https://example.org/a?b=c#d", "http://xn--bcher-kva.example/", "mailto:a@example.org",
        "tel:+38733695802", "javascript:alert(1)", "ftp://x", "#anchor", "relative/page.md",
        "https://exa mple.org", "https://[::1]:99999/", "data:text/html,<b>", "https://é.example/ü"]
HTML = ["<b>bold</b>", "<script>alert(1)</script>", "<span lang=\"ar\" dir=\"rtl\">نص</span>",
        "<div>block", "</div>", "<img src=\"dot.png\" alt=\"A dot\">", "<img src=x onerror=y>",
        "<a href=\"javascript:x\">j</a>", "<svg><circle/></svg>", "<table><tr><td>c</td></tr></table>",
        "<!-- comment -->", "<![CDATA[ x ]]>", "<?php echo 1; ?>", "<br>", "<br/>", "<p>", "&amp;",
        "&#0;", "&#x110000;", "&nbsp;", "&notanentity;", "<bdo dir=\"rtl\">x</bdo>", "<sup>1</sup>",
        "<style>p{}</style>", "<math><mi>x</mi></math>", "<iframe src=x></iframe>", "<q><q>",
        "<time datetime=\"2020\">t</time>", "<abbr title=\"x\">X</abbr>", "<em><strong>x</em></strong>"]

plain_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
odd_text = st.lists(st.sampled_from(list(ODD_CHARS)) | st.sampled_from(SCRIPTS), max_size=6).map("".join)
words = st.one_of(
    plain_text, odd_text, st.sampled_from(SCRIPTS),
    st.sampled_from(["1.500", "1,500", "20.01.2020", "(+387 33) 695 802/803", "26 000", "3½",
                     "$5", "100 %", "1988-1989", "CLICK HERE", "**", "__", "`", "\\", "[", "]",
                     "{", "}", "<", ">", "&", "*", "_", "~~", "|", "!", "#", "^"]),
)


@st.composite
def inline(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.integers(0, 12 if depth < 2 else 1))
        inner = draw(inline(depth + 1)) if kind > 1 else ""
        if kind <= 1:
            parts.append(draw(words))
        elif kind == 2:
            parts.append(f"*{inner}*")
        elif kind == 3:
            parts.append(f"**{inner}**")
        elif kind == 4:
            parts.append(f"[{inner}]({draw(st.sampled_from(URLS))})")
        elif kind == 5:
            lang = draw(mostly(st.sampled_from(LANGS), st.sampled_from(BAD_LANGS)))
            parts.append(f"[{inner}]{{lang={lang}}}")
        elif kind == 6:
            parts.append(draw(st.sampled_from(HTML)) + inner)
        elif kind == 7:
            parts.append(f"`{inner}`")
        elif kind == 8:
            parts.append(f"[^{draw(st.sampled_from(['1', 'a', 'note', 'x y', '^']))}]")
        elif kind == 9:
            alt = draw(st.sampled_from(["A dot", "dot.png", "مرحبا", "x" * 300, "*a* `b`"]))
            src = draw(mostly(st.sampled_from(["dot.png", "missing.png", "https://e.org/x.png",
                                               "../dot.png", "dot.png#x", "dot.png?v=1"]),
                              st.sampled_from(["not-image.png", "../../x.png"])))
            extra = draw(st.sampled_from(["", "{.decorative}", '{role="presentation"}', '{lang=fr}']))
            if extra == "" and draw(st.integers(0, 9)) == 0:
                alt = ""                                     # error: a11y-alt-missing
            parts.append(f"![{alt}]({src}){extra}")
        elif kind == 10:
            parts.append(f"<{draw(st.sampled_from(URLS))}>")
        elif kind == 11:
            parts.append(f"~~{inner}~~")
        else:
            attrs = draw(st.sampled_from(["{#id}", "{.cls}", '{lang="he" dir="rtl"}', "{=}",
                                          "{lang}", "{lang=fr .x #y}", "{ }", "{lang=az}"]))
            parts.append(f"[{inner}]{attrs}")
    return " ".join(parts)


@st.composite
def block(draw, depth: int = 0) -> str:
    kind = draw(st.integers(0, 13 if depth < 3 else 2))
    text = draw(inline())
    if kind <= 2:
        return text
    if kind == 3:
        return "#" * draw(st.integers(1, 7)) + " " + text
    if kind == 4:
        marker = draw(st.sampled_from(["-", "*", "1.", "3)", "+"]))
        items = [draw(block(depth + 1)) for _ in range(draw(st.integers(1, 3)))]
        return "\n".join(f"{marker} " + item.replace("\n", "\n   ") for item in items)
    if kind == 5:
        return "\n".join("> " + line for line in draw(block(depth + 1)).split("\n"))
    if kind == 6:
        cols = draw(st.integers(1, 4))
        head = "| " + " | ".join(draw(st.sampled_from(["", "Name", text[:20], "**H**"]))
                                 for _ in range(cols)) + " |"
        rows = ["| " + " | ".join(draw(inline()).replace("|", "\\|").replace("\n", " ")
                                  for _ in range(cols)) + " |" for _ in range(draw(st.integers(0, 3)))]
        return "\n".join([head, "|" + "---|" * cols] + rows)
    if kind == 7:
        return "```" + draw(st.sampled_from(["", "python", "{lang=fr}"])) + "\n" + text + "\n```"
    if kind == 8:
        return draw(st.sampled_from(HTML)) + "\n" + text
    if kind == 9:
        label = draw(st.sampled_from(["1", "a", "note", "unused"]))
        return f"[^{label}]: {text}\n\n    {draw(inline())}"
    if kind == 10:
        return draw(st.sampled_from(["---", "***", "___"]))
    if kind == 11:
        return (draw(st.sampled_from(["word ", "ə", "مرحبا ", "😀", "a" * 50 + " "]))
                * draw(st.integers(500, 6000)))                        # a huge line
    if kind == 12:
        return text + draw(mostly(st.sampled_from(["\n{lang=fr}", "\n{#x .y}", "\n{lang=he}"]),
                                  st.just("\n{lang=zz-ZZZZ}")))
    return "    " + text                                                  # indented code


@st.composite
def release(draw) -> str:
    front = draw(mostly(
        st.one_of(
            st.just(""), st.just("---\n---\n\n"),
            st.just("---\ntitle: Fuzz\ndate: 2024-01-01\n---\n\n"),
            st.builds(lambda t, l: f"---\ntitle: {t!r}\nlanguage: {l}\nignore: [lang-unmarked]\n---\n\n",
                      plain_text, st.sampled_from(LANGS[:8]))),
        st.sampled_from(["---\ntitle: [\n---\n", "---\n- a list\n---\n",
                         "---\ndate: 30.02.2024\n---\n"])))
    blocks = [draw(block()) for _ in range(draw(st.integers(1, 8)))]
    return front + "\n\n".join(blocks) + "\n"


def mostly(common: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """``common`` about nine times in ten: input that fails the build is drawn less often,
    so most examples reach the writers and EPUBCheck."""
    return st.integers(0, 9).flatmap(lambda n: rare if n == 0 else common)


def write_project(root: Path, text: str) -> Path:
    return make_project(root, {"content/fuzz.md": text.encode("utf-8", "surrogatepass"),
                               "content/dot.png": PNG, "content/not-image.png": b"GIF? no",
                               "dot.png": PNG}, config=CONFIG)


def build_one(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q"])
    return result.exit_code, result.output


def assert_outcome(code: int, output: str) -> None:
    """Built (0) or a clear, located error (1); never an internal error or a traceback."""
    assert "Traceback" not in output and "internal error" not in output, output
    assert code in (0, 1), output
    if code == 1:
        assert DIAGNOSTIC_RE.search(output), output


# --- generated Markdown ---------------------------------------------------------------------

REFUSED: list[str] = []


@pytest.fixture(scope="module")
def fuzz_builds(tmp_path_factory) -> list[tuple[Path, str]]:
    """Build 80 generated releases, each in its own project; return (epub, source).  Many
    are refused on purpose (invalid language tags and dates, empty releases): 80 leave a
    margin over the ten that must build, whatever examples hypothesis draws."""
    base = tmp_path_factory.mktemp("fuzz")
    built: list[tuple[Path, str]] = []
    refused: list[str] = []         # the first diagnostic of each release that did not build
    counter = iter(range(10**6))

    @settings(max_examples=80, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(release())
    def run(text: str) -> None:
        root = write_project(base / f"p{next(counter):03d}", text)
        code, output = build_one(root)
        assert_outcome(code, output)
        if code == 0:
            epub = root / "build" / "fuzz" / "fuzz.epub"
            assert epub.is_file()
            built.append((epub, text))
        else:
            refused.append(next((line for line in output.splitlines() if " error " in line),
                                output[:200]))

    run()
    REFUSED[:] = refused
    return built


def test_generated_markdown_builds_or_fails_clearly(fuzz_builds):
    refused = "\n".join(REFUSED)
    assert len(fuzz_builds) >= 10, f"most generated releases should build; refused:\n{refused}"


def test_generated_markdown_gives_valid_epubs(fuzz_builds, epubcheck, output_dir):
    results = epubcheck.many([epub for epub, _ in fuzz_builds])
    bad = []
    for epub, text in fuzz_builds:
        result = results[epub]
        if not result.ok:
            keep = output_dir / "robust" / epub.parent.parent.parent.name
            keep.mkdir(parents=True, exist_ok=True)
            (keep / "fuzz.md").write_bytes(text.encode("utf-8", "surrogatepass"))
            (keep / "fuzz.epub").write_bytes(epub.read_bytes())
            bad.append(f"{keep}:\n{result.report()}")
    assert not bad, "EPUBCheck failed (sources kept):\n" + "\n".join(bad)


# --- interrupted and concurrent builds --------------------------------------------------------

def big_project(root: Path, releases: int = 20, sections: int = 40) -> Path:
    para = "The council met on Monday to discuss the new harbour plan and its budget. " * 5
    files = {}
    for i in range(releases):
        files[f"content/r{i:02d}.md"] = (
            f"---\ntitle: Release {i}\ndate: 2024-01-01\nlanguage: en\n---\n\n"
            + "".join(f"## Part {j}\n\n{para}\n\n" for j in range(sections)))
    return make_project(root, files, config=CONFIG)


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def spawn_build(root: Path, *args: str, audio: bool = False,
                env: dict[str, str] | None = None) -> subprocess.Popen:
    flags = [] if audio else ["--no-audio"]
    return subprocess.Popen([sys.executable, "-m", "accesspub", "-C", str(root), "build",
                             *flags, "-q", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_killed_build_leaves_the_last_good_build(tmp_path):
    root = big_project(tmp_path / "p")
    first = spawn_build(root)
    assert first.wait(timeout=300) == 0, first.stdout.read()
    before = digest(root / "build")
    assert len(before) > 20

    # Change every release, so the next build would replace every file.
    for md in (root / "content").glob("*.md"):
        md.write_text(md.read_text().replace("council", "assembly"), encoding="utf-8")
    victim = spawn_build(root)
    staging = root / f".build-staging-{victim.pid}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and victim.poll() is None:
        if staging.is_dir() and len(list(staging.iterdir())) >= 3:   # writing releases now
            break
        time.sleep(0.01)
    assert victim.poll() is None, "the build ended before it could be interrupted"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    victim.stdout.close()

    assert digest(root / "build") == before, "the previous build/ must be intact"

    after = spawn_build(root)
    output = after.communicate(timeout=300)[0]
    assert after.returncode == 0, output
    rebuilt = digest(root / "build")
    assert rebuilt.keys() == before.keys() and rebuilt != before
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".build-")]
    assert leftovers == [], "the next build cleans up after the killed one"


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc; empty elsewhere)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.slow
def test_build_killed_during_synthesis_resumes_from_the_cache(tmp_path):
    sentences = [f"Sentence number {n} of the harbour report is here." for n in range(1, 25)]
    text = "---\ntitle: Harbour\ndate: 2024-01-01\n---\n\n" + " ".join(sentences[:4]) + "\n"
    root = make_project(tmp_path / "p", {"content/a.md": text}, config=CONFIG)
    cache = tmp_path / "cache"
    env = dict(os.environ, ACCESSPUB_CACHE=str(cache))
    first = spawn_build(root, "--jobs", "1", audio=True, env=env)
    assert first.wait(timeout=300) == 0, first.stdout.read()
    before = digest(root / "build")
    clips = lambda: len(list((cache / "clips").rglob("*.wav")))   # noqa: E731
    known = clips()

    (root / "content" / "a.md").write_text(text.replace(" ".join(sentences[:4]), " ".join(sentences)))
    victim = spawn_build(root, "--jobs", "1", audio=True, env=env)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and victim.poll() is None and clips() < known + 5:
        time.sleep(0.05)
    assert victim.poll() is None, "the build ended before it could be interrupted"
    workers = _children(victim.pid)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    victim.stdout.close()
    assert digest(root / "build") == before, "the previous build/ must be intact"
    gone = time.monotonic() + 10
    while time.monotonic() < gone and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "orphaned workers"
    # A worker finishes the sentences it is speaking (one per thread), then sees its build
    # is gone and stops: wait for the cache to settle.
    settled, last, deadline = time.monotonic(), clips(), time.monotonic() + 30
    while time.monotonic() < deadline and time.monotonic() - settled < 3:
        time.sleep(0.1)
        if clips() != last:
            settled, last = time.monotonic(), clips()
    spoken_before_kill = clips() - known
    assert spoken_before_kill < 20, "the orphaned worker must not go on speaking"

    after = spawn_build(root, "--jobs", "1", audio=True, env=env)
    output = after.communicate(timeout=300)[0]
    assert after.returncode == 0, output
    import json
    speech = json.loads((root / "build" / "report.json").read_text())["releases"][0]["speech"]
    assert speech["synthesised"] == 20 - spoken_before_kill, speech   # the rest came from the cache


def test_two_builds_at_once(tmp_path, epubcheck):
    root = big_project(tmp_path / "p", releases=8, sections=30)
    one, two = spawn_build(root), spawn_build(root)
    out_one = one.communicate(timeout=300)[0]
    out_two = two.communicate(timeout=300)[0]
    assert one.returncode == 0, out_one
    assert two.returncode == 0, out_two
    assert "8 release(s)" in out_one and "8 release(s)" in out_two
    epubs = sorted((root / "build").glob("*/*.epub"))
    assert len(epubs) == 8
    results = epubcheck.many(epubs)
    for epub in epubs:
        epubcheck.assert_valid(results[epub])
    assert not [p for p in root.iterdir() if p.name.startswith(".build-")]


# --- input limits -----------------------------------------------------------------------------

GOOD = "---\ntitle: A\ndate: 2024-01-01\nlanguage: en\n---\n\nText.\n"


def expect_clear_error(root: Path, line_start: str) -> str:
    code, output = build_one(root)
    assert code == 1, output
    assert line_start in output, output
    assert "hint:" in output and "Traceback" not in output
    assert not (root / "build").exists()
    return output


def test_file_not_utf8(tmp_path):
    root = make_project(tmp_path, {"content/a.md": b"---\ntitle: A\n---\n\n\xff\xfe text\n"})
    expect_clear_error(root, "content/a.md:5: error content-encoding: not UTF-8 text")


def test_release_over_the_size_limit(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD + "word " * 400},
                        config='[project]\nlanguage = "en"\nmax_release_bytes = 1000\n')
    expect_clear_error(root, "content/a.md: error content-too-large: file is 2,054 bytes, "
                             "over the limit of 1,000")


def test_image_that_is_not_an_image(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD + "\n![A dot](dot.png)\n",
                                   "content/dot.png": b"%PDF-1.4 not an image"})
    expect_clear_error(root, "content/a.md:9: error image-invalid: image dot.png is not a PNG")


@pytest.mark.parametrize("lexicon, line_start", [
    (b"<lexicon>", "content/lexicon.pls:1: error lexicon-invalid: lexicon is not well-formed XML"),
    (b'<?xml version="1.0"?>\n<words xml:lang="en"/>',
     "content/lexicon.pls:2: error lexicon-invalid: the root element is <words>"),
    (b'<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
     b'xml:lang="en">\n<lexeme><grapheme>x</grapheme></lexeme></lexicon>',
     "content/lexicon.pls:2: error lexicon-invalid: <lexeme> for 'x' has no <alias> or <phoneme>"),
])
def test_lexicon_that_is_not_pls(tmp_path, lexicon, line_start):
    root = make_project(tmp_path, {"content/a.md": GOOD, "content/lexicon.pls": lexicon})
    expect_clear_error(root, line_start)


def test_impossible_date_in_front_matter(tmp_path):
    root = make_project(tmp_path, {"content/a.md": "---\ntitle: A\ndate: 2024-02-30\n---\n\nText.\n"})
    expect_clear_error(root, "content/a.md:3: error front-matter-syntax")


@pytest.mark.parametrize("inner", ['<a href="https://e.org">b</a>', "<https://e.org/x>"])
def test_link_inside_a_link(tmp_path, inner):
    root = make_project(tmp_path, {"content/a.md": GOOD + f"\nSee [a {inner} c](https://example.org).\n"})
    code, output = build_one(root)
    assert code == 0, output
    import zipfile
    with zipfile.ZipFile(root / "build" / "a" / "a.epub") as z:
        body = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert not re.search(r"<a [^>]*>[^<]*<a ", body)
