"""Untrusted text never hangs or crashes the tool (issue 19).

Every case of tests/hostile/MANIFEST.toml is run as a user would run it, in a child
process under a CPU limit: the exit status, the located diagnostic, no traceback, and
every file of the project outside build/ as it was.  The cases whose text must survive
(deep lists and quotes, 5,000 nested emphasis markers) are then looked for in the EPUB.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from accesspub.read.sentences import WHOLE, _segmenter, _starts, sentence_starts
from helpers import NS, Epub, make_project

HOSTILE = Path(__file__).parent / "hostile"
CASES = tomllib.loads((HOSTILE / "MANIFEST.toml").read_text(encoding="utf-8"))["case"]
GOOD = "---\ntitle: Good\ndate: 2024-01-01\n---\n\nA good release.\n"
CPU_SECONDS = 30
MEMORY = 3 << 30

# Text each case must bring to the EPUB: nothing deep may be dropped on the way.
KEPT = {
    "deep-lists-kept.md": [f"level {n}" for n in range(1, 16)],
    "deep-quotes-kept.md": ["A quote twenty-five levels deep."],
    "nested-emphasis.md": ["emphasis five thousand levels deep"],
    "nested-html-spans.md": ["spans three thousand deep"],
}


def _limits() -> None:
    import resource
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))


def _limits_and_memory() -> None:
    import resource
    _limits()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))   # an alias bomb's expansion


def project_for(case: dict, root: Path) -> Path:
    data = (HOSTILE / case["file"]).read_bytes()
    if case["file"].endswith(".toml"):        # the project's accesspub.toml
        make_project(root, {"content/a.md": GOOD})
        (root / "accesspub.toml").write_bytes(data)
        return root
    return make_project(root, {f"content/{case['file']}": data})


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.relative_to(root).parts[0] != "build"}


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_hostile_input(tmp_path, case):
    root = project_for(case, tmp_path / "project")
    before = snapshot(root)
    command = case["command"].split()
    # Java (EPUBCheck in a build) reserves more address space than any text should need.
    limits = _limits_and_memory if command[0] == "check" else _limits
    result = subprocess.run([sys.executable, "-m", "accesspub", "-C", str(root), *command],
                            capture_output=True, text=True, preexec_fn=limits,
                            timeout=CPU_SECONDS * 6)
    output = result.stdout + result.stderr
    assert result.returncode >= 0, (f"killed by signal {-result.returncode} (the CPU limit "
                                    f"is {CPU_SECONDS} s):\n{output[-3000:]}")
    assert result.returncode == case["exit"], output[-3000:]
    assert "Traceback" not in output and "internal error" not in output, output[-3000:]
    if case["code"]:
        where = "accesspub.toml" if case["file"].endswith(".toml") else f"content/{case['file']}"
        located = rf"^{re.escape(where)}:{case['line']}: (error|warning|notice) {re.escape(case['code'])}:"
        assert re.search(located, output, re.M), output[-3000:]
    after = snapshot(root)
    assert {name: after.get(name) == data for name, data in before.items()} == \
        {name: True for name in before}, "a file outside build/ was changed or removed"
    if case["file"] in KEPT:
        epub = Epub(next((root / "build").rglob("*.epub")))
        text = " ".join(" ".join(epub.xml(doc).itertext()) for doc in epub.spine_docs())
        for words in KEPT[case["file"]]:
            assert words in " ".join(text.split()), f"{words!r} was lost"


# -- front matter ----------------------------------------------------------------------

def build(root: Path):
    return CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q"])


def test_front_matter_of_the_wrong_type_never_reaches_the_opf(tmp_path):
    root = make_project(tmp_path, {"content/a.md": (HOSTILE / "front-matter-wrong-types.md")
                                   .read_text(encoding="utf-8")})
    result = build(root)
    assert result.exit_code == 0, result.output
    assert "content/a.md:6: warning front-matter-type: rights must be text, not binary data" \
        in result.output
    epub = Epub(next((root / "build").rglob("*.epub")))
    values = [e.text or "" for e in epub.opf.find("opf:metadata", NS)]
    assert not [v for v in values if re.search(r"[\[\]{}]|b'|^5$", v)], values
    assert epub.dc("subject") == ["Baku"]
    assert "5" not in epub.dc("creator")


def test_aliases_within_reason_still_work(tmp_path):
    root = make_project(tmp_path, {"content/a.md": (
        "---\ntitle: Aliases\ndate: 2024-01-01\ncity: &city Baku\n"
        "keywords: [*city, Azerbaijan]\n---\n\nText.\n")})
    result = build(root)
    assert result.exit_code == 0, result.output
    epub = Epub(next((root / "build").rglob("*.epub")))
    assert epub.dc("subject") == ["Baku", "Azerbaijan"]


def test_alias_bomb_is_refused_before_it_is_expanded(tmp_path):
    root = make_project(tmp_path, {"content/a.md": (HOSTILE / "yaml-alias-bomb.md")
                                   .read_text(encoding="utf-8")})
    started = time.process_time()
    result = CliRunner().invoke(main, ["-C", str(root), "check"])
    assert time.process_time() - started < 10
    assert result.exit_code == 1
    assert "content/a.md:4: error front-matter-aliases:" in result.output
    assert "hint:" in result.output


# -- nesting -----------------------------------------------------------------------------

def test_the_deepest_accepted_nesting_builds_and_keeps_every_level(tmp_path):
    from accesspub.read.blocks import MAX_NESTING
    lists = MAX_NESTING // 2 - 1
    root = make_project(tmp_path, {
        "content/a.md": GOOD + "\n" + "\n".join("  " * i + f"- level {i + 1}"
                                                for i in range(lists)) + "\n",
        "content/b.md": GOOD + "\n" + ">" * (MAX_NESTING - 1) + " the deepest quote\n"})
    result = build(root)
    assert result.exit_code == 0, result.output
    a = Epub(next((root / "build").rglob("a.epub")))
    text = " ".join(" ".join(a.xml(doc).itertext()) for doc in a.spine_docs())
    assert all(f"level {n}" in text for n in range(1, lists + 1))
    b = Epub(next((root / "build").rglob("b.epub")))
    assert any(b.xml(doc).xpath("//x:blockquote//x:p[contains(., 'the deepest quote')]",
                                namespaces=NS) for doc in b.spine_docs())


def test_formatting_too_deep_keeps_its_text_and_stays_shallow(tmp_path):
    root = make_project(tmp_path, {"content/a.md": GOOD + "\n" + "*" * 400 + "deep"
                                   + "*" * 400 + " and **bold** after.\n"})
    result = build(root)
    assert result.exit_code == 0, result.output
    assert "content/a.md:8: warning nesting-too-deep:" in result.output
    epub = Epub(next((root / "build").rglob("*.epub")))
    doc = next(d for d in epub.spine_docs() if b"deep" in epub.read(d))
    tree = epub.xml(doc)
    deepest = max(len(list(e.iterancestors())) for e in tree.iter())
    assert deepest < 40
    assert tree.xpath("//x:strong[. = 'bold']", namespaces=NS)


# -- sentences ----------------------------------------------------------------------------

def test_a_long_paragraph_is_split_as_if_whole():
    sentences = ["Mr. Smith met Dr. Jones on 5 Jan. 2020 in St. Louis.",
                 "They spoke of No. 5, e.g. the budget (about 250.000 euros).",
                 "Was it enough?", "\"Not at all!\" said the U.S. delegate.",
                 "The report, see p. 12, lists 3.5 million people."]
    text = " ".join(f"{s} Item {i}." for i in range(60) for s in sentences)
    assert len(text) > 3 * WHOLE
    assert sentence_starts(text, "en") == _starts(_segmenter("en"), text)
