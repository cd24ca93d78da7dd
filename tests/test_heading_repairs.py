"""Every heading whose level the build changes is reported, by `check` and by `build`, at
the heading's line, naming the old and the new level; headings left as written are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from helpers import Epub, make_project, NS


def check_json(root: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["-C", str(root), "check", "--json"])
    assert result.exit_code == 0, result.output
    start = result.output.index("[")
    return json.loads(result.output[start:result.output.rindex("]") + 1])


def fixes(items: list[dict]) -> dict[int, str]:
    return {i["line"]: i["message"] for i in items if i["code"] == "heading-level-fixed"}


CASES = {
    # `# Title` is the title; `###` right under it becomes h2 (used to be silent)
    "title-then-h3": ("---\ndate: 2024-01-01\n---\n\n# The title\n\n### Part\n\nText.\n",
                      {7: (3, 2)}),
    # a title in the front matter: every `#` section moves down one level, and so on
    "front-title-h1-sections": ("---\ntitle: T\ndate: 2024-01-01\n---\n\n# One\n\nText.\n\n"
                                "## One a\n\nText.\n\n# Two\n\nText.\n",
                                {6: (1, 2), 10: (2, 3), 14: (1, 2)}),
    # a skip inside the body
    "skip": ("---\ntitle: T\ndate: 2024-01-01\n---\n\n## One\n\nText.\n\n#### Deep\n\nText.\n",
             {10: (4, 3)}),
    # nothing to repair: nothing reported
    "clean": ("---\ntitle: T\ndate: 2024-01-01\n---\n\n## One\n\nText.\n\n### One a\n\nText.\n",
              {}),
}


@pytest.mark.parametrize("name", CASES)
def test_every_change_of_level_is_reported_by_check(tmp_path, name):
    text, expected = CASES[name]
    root = make_project(tmp_path, {"content/r.md": text})
    got = fixes(check_json(root))
    assert set(got) == set(expected), got
    for line, (old, new) in expected.items():
        assert f"is level {old} ({'#' * old}) and becomes level {new} (h{new})" in got[line]


def test_build_reports_the_same_and_builds_the_new_levels(tmp_path):
    root = make_project(tmp_path, {"content/r.md": "---\ndate: 2024-01-01\n---\n\n"
                                   "# The title\n\nLead.\n\n### Part\n\nText.\n"})
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio"])
    assert result.exit_code == 0, result.output
    assert ("content/r.md:9: notice heading-level-fixed: heading 'Part' is level 3 (###) "
            "and becomes level 2 (h2)") in result.output, result.output
    assert "hint: start the sections with '##'" in result.output
    epub = Epub(root / "build" / "r" / "r.epub")
    part = epub.xml(epub.spine_docs()[1])
    assert [h.text for h in part.iterfind(".//x:h2/x:span", NS)] == ["Part"]


def test_silenced_like_any_notice(tmp_path):
    root = make_project(tmp_path, {"content/r.md": "---\ndate: 2024-01-01\n"
                                   "ignore: [heading-level-fixed]\n---\n\n# T\n\n### Part\n\nText.\n"})
    assert fixes(check_json(root)) == {}
