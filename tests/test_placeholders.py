"""A new project is safe to publish: `check` warns about every placeholder `new` wrote.

The placeholder values live in one place, the template's accesspub.toml: these tests read
them from there, so a change of the template cannot silently disable the check.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from accesspub.commands.new import PLACEHOLDER_KEYS, create_project, placeholder_in, placeholders
from helpers import make_project

HEAD = "---\ntitle: A\ndate: 2024-01-01\nlanguage: en\n{extra}---\n\nSome text.\n"


def accesspub(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "accesspub", *args], capture_output=True,
                          text=True, timeout=300)


def template_values() -> dict[str, str]:
    text = resources.files("accesspub").joinpath("data/new/accesspub.toml").read_text("utf-8")
    return {k: tomllib.loads(text)["project"][k] for k in PLACEHOLDER_KEYS}


def findings(stdout: str) -> list[tuple[str, str, str]]:
    """(file:line, level, code) of every finding in a check report."""
    return re.findall(r"^(\S+): (error|warning|notice) (\S+):", stdout, re.M)


def test_the_placeholders_are_the_templates_values():
    values = template_values()
    assert set(placeholders()) == set(values.values())
    assert "Your Organisation" in placeholders()
    for value in values.values():
        assert placeholder_in(value) == value
    # Kept when edited around, but not found in real names.
    assert placeholder_in("©  your organisation 2025") == "Your Organisation"
    assert placeholder_in("Ministry of Culture") is None
    assert placeholder_in("") is None


@pytest.fixture()
def new_project(tmp_path) -> Path:
    root = tmp_path / "press"
    create_project(root)
    return root


def test_a_new_project_warns_at_each_placeholder_line(new_project):
    lines = (new_project / "accesspub.toml").read_text(encoding="utf-8").splitlines()
    expected = {f"accesspub.toml:{lines.index(f'{key} = {json.dumps(value, ensure_ascii=False)}') + 1}"
                for key, value in template_values().items()}

    done = accesspub("-C", str(new_project), "check")
    assert done.returncode == 0, done.stdout + done.stderr      # warnings only
    found = findings(done.stdout)
    assert {where for where, _, code in found if code == "placeholder"} == expected
    assert [code for _, _, code in found if code == "placeholder"] == ["placeholder"] * 3
    assert "project.publisher is still the new project's placeholder 'Your Organisation'" \
        in done.stdout
    assert "hint: write your own publisher there" in done.stdout

    strict = accesspub("-C", str(new_project), "check", "--strict")
    assert strict.returncode == 1
    build = accesspub("-C", str(new_project), "build", "--no-audio", "--strict", "-q")
    assert build.returncode == 1
    assert "placeholder" in build.stderr and not (new_project / "build" / "welcome").exists()


def test_replacing_them_makes_the_project_clean(new_project):
    config = new_project / "accesspub.toml"
    text = config.read_text(encoding="utf-8")
    for key, value in template_values().items():
        text = text.replace(f"{key} = {json.dumps(value, ensure_ascii=False)}",
                            f'{key} = "Ministry of Culture"')
    config.write_text(text, encoding="utf-8")
    done = accesspub("-C", str(new_project), "check", "--strict")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 error(s), 0 warning(s)" in done.stdout


def test_front_matter_placeholder_is_located_in_the_release(tmp_path):
    root = make_project(tmp_path, {
        "content/a.md": HEAD.format(extra="publisher: Ministry of Culture\n"
                                          "rights: © Your Organisation 2025\n"),
        "content/b.md": HEAD.format(extra="author: Press Office of Your Organisation\n"),
        "content/c.md": HEAD.format(extra=""),
    })
    done = accesspub("-C", str(root), "check", "--json")
    items = [d for d in json.loads(done.stdout) if d["code"] == "placeholder"]
    assert [(d["file"], d["line"], d["level"]) for d in items] == [
        ("content/a.md", 6, "warning"), ("content/b.md", 5, "warning")]
    assert "rights" in items[0]["message"] and "authors" in items[1]["message"]


def test_a_placeholder_in_the_podcast_table_is_found_and_can_be_silenced(tmp_path):
    config = ('[project]\nlanguage = "en"\npublisher = "Test Office"\n\n[podcast]\n'
              'title = "Your Organisation press releases"\n')
    root = make_project(tmp_path, {"content/a.md": HEAD.format(extra="")}, config)
    done = accesspub("-C", str(root), "check")
    assert ("accesspub.toml:6", "warning", "placeholder") in findings(done.stdout)
    (root / "accesspub.toml").write_text(config + '\n[check]\nignore = ["placeholder"]\n')
    done = accesspub("-C", str(root), "check", "--strict")
    assert done.returncode == 0 and "placeholder" not in done.stdout


def test_new_says_how_to_run_accesspub(tmp_path):
    done = accesspub("new", str(tmp_path / "p"))
    assert done.returncode == 0, done.stderr
    # Run here as "python -m accesspub": the commands printed are that, runnable as shown.
    command = re.search(r"^    (.+) -C (\S+) check$", done.stdout, re.M)
    assert command, done.stdout
    assert "-m accesspub" in command.group(1)
    assert "placeholders (publisher, author, rights)" in done.stdout
    assert "not on your PATH" in done.stdout


def test_dev_accesspub_runs_in_the_callers_folder(tmp_path):
    dev = Path(__file__).resolve().parents[1] / "dev"
    done = subprocess.run([str(dev), "accesspub", "new", "p"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p" / "accesspub.toml").is_file()
    assert f"    {dev} accesspub -C p check" in done.stdout
    again = subprocess.run([str(dev), "accesspub", "-C", "p", "check"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "3 warning(s)" in again.stdout
