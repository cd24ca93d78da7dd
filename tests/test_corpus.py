"""Real posts from other sites build into valid, accessible EPUBs (issue 8, "Tests must show").

``tests/corpus/`` holds real, openly licensed posts copied unedited from public
repositories; ``tests/corpus/MANIFEST.toml`` records where each came from and
what it exercises.  Every post is built on its own with ``--no-audio`` (the
file is copied into ``content/`` byte for byte, never edited), then:

* the build exits 0 with no traceback — or, for a post the manifest marks
  ``expect = "error"``, exits 1 with the expected ``file:line: error code``;
* EPUBCheck (one JVM for all EPUBs) reports 0 errors and 0 warnings;
* Ace by DAISY reports no violations;
* no template syntax (Hugo shortcodes, Liquid/Nunjucks tags and variables)
  is left in any XHTML document or in the spoken text;
* the EPUB's ``dc:language`` is the post's language from the manifest
  (the project declares none, so it is the release's own or a detected one).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from helpers import Epub, make_project

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST = tomllib.loads((CORPUS / "MANIFEST.toml").read_text(encoding="utf-8"))
POSTS = {post["name"]: post for post in MANIFEST["post"]}
NAMES = sorted(POSTS)

# The project declares no language: each release's language is its own (declared or detected).
CONFIG = """
[project]
publisher = "Test Office"
"""

# Hugo shortcodes ({{< >}}, {{% %}}), Liquid/Nunjucks tags ({% %}) and variables ({{ x }}, {{x}}).
TEMPLATE = re.compile(r"\{\{<|>\}\}|\{\{&lt;|&gt;\}\}|\{\{%|%\}\}|\{%|%\}|\{\{[^{}\n]*\}\}")

# Template code read aloud after speech normalisation: `{{< legacy-img src="x" >}}` is spoken as
# 'less than legacy-img src equals "x" more than', so the raw-syntax pattern alone misses it;
# the post's distinctive shortcode/tag names must not be spoken either.
NAME = re.compile(r"\{\{[<%]\s*/?([\w/.-]+)|\{%-?\s*(?:include\s+)?([\w/.-]+)")


def template_names(source: str) -> set[str]:
    """Distinctive shortcode/tag names in a post (with - _ / or .), e.g. glossary_tooltip, legacy-img."""
    names = {a or b for a, b in NAME.findall(source)}
    return {n for n in names if any(c in n for c in "-_/.")}


REQUIRED_FEATURES = {
    "german", "french", "spanish", "english-passage-in-other-language",
    "hugo-shortcodes", "liquid-tags", "raw-html-table", "footnotes", "headings-inside-lists",
}


def template_left(text: str, keep: list[str]) -> list[str]:
    """The template fragments in ``text`` (with some context), ignoring the post's ``keep`` strings."""
    for literal in keep:
        text = text.replace(literal, "")
        # the same text as it appears in XHTML (entities escaped)
        text = text.replace(literal.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                            .replace('"', "&quot;"), "")
    return [text[max(0, m.start() - 30):m.end() + 30].replace("\n", " ") for m in TEMPLATE.finditer(text)]


class Built:
    def __init__(self, name: str, root: Path, exit_code: int, output: str) -> None:
        self.name = name
        self.root = root
        self.exit_code = exit_code
        self.output = output
        self.epubs = sorted((root / "build").glob("*/*.epub")) if (root / "build").exists() else []

    def first_error(self) -> str:
        lines = [line for line in self.output.splitlines() if ": error " in line]
        return lines[0] if lines else self.output.strip().splitlines()[-1:][0] if self.output.strip() else ""

    def epub(self) -> Path:
        post = POSTS[self.name]
        if post.get("expect") == "error":
            pytest.skip("the manifest marks this post as truly broken")
        if not self.epubs:
            pytest.fail(f"no EPUB: build exited {self.exit_code}: {self.first_error()}", pytrace=False)
        return self.epubs[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Built]:
    """Every corpus post built once, each in its own project."""
    results = {}
    for name in NAMES:
        root = tmp_path_factory.mktemp(f"corpus-{name}")
        data = (CORPUS / f"{name}.md").read_bytes()       # unedited: bytes, no dedent
        make_project(root, {f"content/{name}.md": data}, config=CONFIG)
        result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q"])
        output = result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback
            output += "\nTraceback (from CliRunner):\n" + "".join(
                traceback.format_exception(result.exception))
        results[name] = Built(name, root, result.exit_code, output)
    return results


@pytest.fixture(scope="module")
def checked(built, epubcheck):
    """EPUBCheck on every built EPUB in one call (one Java start)."""
    paths = [b.epubs[0] for b in built.values() if b.epubs]
    return epubcheck.many(paths) if paths else {}


# --- the corpus itself ------------------------------------------------------------------

def test_manifest_lists_every_file():
    files = {p.stem for p in CORPUS.glob("*.md") if p.name != "README.md"}
    assert files == set(POSTS), f"in folder only: {files - set(POSTS)}; in manifest only: {set(POSTS) - files}"
    assert len(POSTS) >= 10


@pytest.mark.parametrize("name", NAMES)
def test_manifest_entry_complete(name):
    post = POSTS[name]
    for key in ("repository", "path", "commit", "licence", "licence_source", "language", "features"):
        assert post.get(key), f"{name}: {key} missing"
    assert re.fullmatch(r"[0-9a-f]{40}", post["commit"]), post["commit"]
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", post["repository"])
    assert post["licence"] in {"CC-BY-4.0", "CC0-1.0", "OGL-UK-3.0", "etalab-2.0", "CC-PDDC", "public-domain"}


def test_corpus_covers_required_features():
    covered = {feature for post in POSTS.values() for feature in post["features"]}
    languages = {post["language"] for post in POSTS.values()}
    assert {"de", "fr", "es"} <= languages
    missing = REQUIRED_FEATURES - covered
    assert not missing, f"no corpus post exercises: {sorted(missing)}"


# --- building -------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_builds(built, name):
    b, post = built[name], POSTS[name]
    assert "Traceback" not in b.output, b.output
    if post.get("expect") == "error":
        assert b.exit_code == 1, b.output
        where = f"content/{name}.md:{post['error_line']}"
        assert f"{where}: error {post['error_code']}:" in b.output, b.output
        assert not (b.root / "build").exists()
    else:
        assert b.exit_code == 0, f"exit {b.exit_code}: {b.first_error()}\n{b.output}"
        assert len(b.epubs) == 1, b.output


@pytest.mark.parametrize("name", NAMES)
def test_epubcheck_clean(built, checked, name):
    epub = built[name].epub()
    result = checked[epub]
    assert result.fatals == 0 and result.errors == 0 and result.warnings == 0, result.report()


@pytest.fixture(scope="module")
def aced(built, ace, output_dir):
    """Ace on every built EPUB, several at once."""
    return ace.many((b.epubs[0], output_dir / "corpus-ace" / name)
                    for name, b in built.items() if b.epubs)


@pytest.mark.ace
@pytest.mark.parametrize("name", NAMES)
def test_ace_clean(built, aced, name):
    result = aced[built[name].epub()]
    assert result.ok, "Ace:\n" + "\n".join(str(v) for v in result.violations)


@pytest.mark.parametrize("name", NAMES)
def test_no_template_syntax_in_xhtml(built, name):
    book = Epub(built[name].epub())
    keep = POSTS[name].get("keep", [])
    left = {}
    for doc in book.zip.namelist():
        if doc.endswith((".xhtml", ".html", ".opf", ".ncx")):
            found = template_left(book.read(doc).decode("utf-8"), keep)
            if found:
                left[doc] = found
    assert not left, f"template syntax left in the EPUB: {left}"


@pytest.mark.parametrize("name", NAMES)
def test_no_template_syntax_spoken(built, name):
    built[name].epub()          # skip/fail early if there is no build to look at
    from accesspub.build import BuildOptions, prepare
    from accesspub.config import load_config
    publications, _, _ = prepare(load_config(built[name].root), BuildOptions(audio=False))
    keep = POSTS[name].get("keep", [])
    spoken = [s.spoken_text for p in publications for s in p.iter_sentences()]
    left = [frag for text in spoken for frag in template_left(text, keep)]
    names = template_names((CORPUS / f"{name}.md").read_text(encoding="utf-8"))
    left += [f"spoken name {n!r}" for text in spoken for n in names if n in text]
    assert not left, f"template syntax in the spoken text: {left}"


@pytest.mark.parametrize("name", NAMES)
def test_language(built, name):
    book = Epub(built[name].epub())
    declared = book.dc("language")
    assert declared and declared[0].split("-")[0] == POSTS[name]["language"], declared
