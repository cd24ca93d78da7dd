"""Every example of the CommonMark spec becomes an EPUB chapter that EPUBCheck passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from helpers import REPO, make_project

EXAMPLES = json.loads((REPO / "tests" / "data" / "commonmark-spec.json").read_text(encoding="utf-8"))
PER_RELEASE = 110


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("commonmark")
    files = {}
    for start in range(0, len(EXAMPLES), PER_RELEASE):
        group = EXAMPLES[start:start + PER_RELEASE]
        release = f"content/spec-{start // PER_RELEASE + 1:02d}"
        for n, example in enumerate(group):
            head = f"---\ntitle: CommonMark examples from {example['example']}\ndate: 2024-01-01\n---\n\n" if n == 0 else ""
            files[f"{release}/{example['example']:04d}.md"] = (
                f"{head}# Example {example['example']}\n\n{example['markdown']}\n")
    make_project(root, {})
    for name, text in files.items():    # written raw: the examples' whitespace matters
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q"])
    assert result.exit_code == 0, result.output[-3000:]
    assert "Traceback" not in result.output
    epubs = sorted((root / "build").glob("*/*.epub"))
    assert len(epubs) == -(-len(EXAMPLES) // PER_RELEASE)
    return epubs


def test_all_examples_are_used():
    assert len(EXAMPLES) >= 600


def test_every_example_builds_a_valid_epub(built, epubcheck):
    reports = epubcheck(built)
    failures = {p.name: r for p, r in reports.items() if r.errors or r.warnings}
    assert not failures, "\n".join(f"{name}: {r.messages[:5]}" for name, r in failures.items())
