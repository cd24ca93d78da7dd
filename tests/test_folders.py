"""accesspub deletes or replaces only folders it made, inside the project, never the
project's own files; a text-only build keeps the narration of the last narrated one."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub import folders
from accesspub.cli import main
from accesspub.testing import FAKE_NARRATION as FAKE
from helpers import make_project, snapshot

RELEASE = """
---
title: Spring Opening
date: 2024-03-01
---

The garden opens on Monday. Everyone is welcome.

## Hours

We open at nine. We close at five.
"""

OTHER = """
---
title: Autumn Closing
date: 2024-10-01
---

The garden closes for winter. Thank you for visiting.
"""


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args])


def project(tmp_path: Path, config: str = FAKE, **files: str) -> Path:
    root = tmp_path / "proj"
    make_project(root, {"content/spring-opening.md": RELEASE, **files}, config)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


@pytest.mark.parametrize("key, value, code", [
    ("output", "content", "config-folder-unsafe"),
    ("output", ".", "config-folder-unsafe"),
    ("output", "", "config-folder-unsafe"),
    ("output", "..", "config-folder-outside"),
    ("output", "/", "config-folder-outside"),
    ("output", ".git", "config-folder-unsafe"),
    ("output", "content/site", "config-folder-unsafe"),
    ("output", "accesspub.toml", "config-folder-unsafe"),
    ("cache", "content", "config-folder-unsafe"),
    ("cache", ".", "config-folder-unsafe"),
    ("cache", "../elsewhere", "config-folder-outside"),
    ("cache", "build", "config-folder-unsafe"),
])
@pytest.mark.parametrize("command", [("build", "--no-audio", "-q"), ("clean", "--cache")])
def test_unsafe_folders_are_refused_and_nothing_is_deleted(tmp_path, monkeypatch, key, value,
                                                           code, command):
    monkeypatch.delenv("ACCESSPUB_CACHE", raising=False)
    (tmp_path / "neighbour.txt").write_text("not accesspub's")
    root = project(tmp_path, FAKE.replace('language = "en"', f'language = "en"\n{key} = "{value}"'))
    before = snapshot(tmp_path)
    result = run(root, *command)
    assert result.exit_code == 2, result.output
    assert f"accesspub.toml:4: error {code}:" in result.output        # the line of the key
    assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before


def test_a_folder_not_made_by_accesspub_is_never_replaced(tmp_path):
    root = project(tmp_path)
    (root / "build").mkdir()
    (root / "build" / "notes.txt").write_text("mine")
    for command in (("build", "--no-audio", "-q"), ("clean",)):
        result = run(root, *command)
        assert result.exit_code == 2, result.output
        assert "error output-not-ours" in result.output or "error folder-not-ours" in result.output
        assert (root / "build" / "notes.txt").read_text() == "mine"


def test_an_empty_output_folder_is_adopted(tmp_path):
    root = project(tmp_path)
    (root / "build").mkdir()
    assert run(root, "build", "--no-audio", "-q").exit_code == 0
    assert (root / "build" / folders.OUTPUT_MARKER).is_file()
    assert (root / "build" / "spring-opening" / "spring-opening.epub").is_file()


def test_clean_deletes_only_what_accesspub_made(tmp_path, monkeypatch):
    monkeypatch.delenv("ACCESSPUB_CACHE", raising=False)
    root = project(tmp_path)
    assert run(root, "build", "--no-audio", "-q").exit_code == 0
    cache = root / ".accesspub-cache"
    assert "accesspub" in (cache / folders.CACHE_TAG).read_text()
    result = run(root, "clean", "--cache")
    assert result.exit_code == 0, result.output
    assert not (root / "build").exists() and not cache.exists()
    assert (root / "content" / "spring-opening.md").is_file() and (root / ".git" / "HEAD").is_file()
    # a cache folder that is not ours (no tag) is never deleted
    cache.mkdir()
    (cache / "photo.jpg").write_bytes(b"\xff\xd8 mine")
    result = run(root, "clean", "--cache")
    assert result.exit_code == 2 and "folder-not-ours" in result.output
    assert (cache / "photo.jpg").is_file()


def test_a_symlinked_output_folder_is_refused(tmp_path):
    root = project(tmp_path)
    elsewhere = tmp_path / "www"
    elsewhere.mkdir()
    (elsewhere / "page.html").write_text("mine")
    (root / "build").symlink_to(elsewhere)
    result = run(root, "build", "--no-audio", "-q")
    assert result.exit_code == 2
    assert "error output-symlink" in result.output and "hint:" in result.output
    assert (elsewhere / "page.html").read_text() == "mine"
    assert (root / "build").is_symlink()


def test_leftovers_of_a_killed_build_are_removed_only_when_marked(tmp_path):
    root = project(tmp_path)
    assert run(root, "build", "--no-audio", "-q").exit_code == 0
    ours = folders.make_output(root / ".build-staging-99999")
    theirs = root / ".build-staging-12345"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("mine")
    assert run(root, "build", "--no-audio", "-q").exit_code == 0
    assert not ours.exists()
    assert (theirs / "keep.txt").read_text() == "mine"


def test_a_kill_between_the_renames_restores_the_old_build(tmp_path):
    root = project(tmp_path)
    assert run(root, "build", "--no-audio", "-q").exit_code == 0
    before = snapshot(root / "build")
    os.replace(root / "build", root / ".build-old-4242")
    folders.recover(root / "build")
    assert snapshot(root / "build") == before
    assert not (root / ".build-old-4242").exists()


def test_a_mount_point_gets_its_contents_replaced(tmp_path, monkeypatch):
    """A container volume cannot be renamed: the build is staged inside it instead."""
    root = project(tmp_path)
    assert run(root, "build", "--no-audio", "-q").exit_code == 0
    output = root / "build"
    real_replace = os.replace

    def no_rename_of_the_mount(src, dst, *args, **kwargs):
        if Path(src) == output:
            raise OSError(errno.EBUSY, "Device or resource busy", str(src))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == output)
    monkeypatch.setattr(os, "replace", no_rename_of_the_mount)
    (root / "content" / "spring-opening.md").write_text(
        RELEASE.replace("Everyone is welcome.", "Dogs are welcome too."))
    inode = output.stat().st_ino
    result = run(root, "build", "--no-audio", "-q")
    assert result.exit_code == 0, result.output
    assert output.stat().st_ino == inode                     # the same folder, new contents
    assert sorted(p.name for p in output.iterdir() if p.name.startswith(".")) == [folders.OUTPUT_MARKER]
    page = (output / "spring-opening" / "index.html").read_text()
    assert "Dogs are welcome too." in page


def test_a_killed_contents_swap_restores_the_old_contents(tmp_path):
    root = project(tmp_path)
    assert run(root, "build", "--no-audio", "-q").exit_code == 0
    output = root / "build"
    before = snapshot(output)
    # killed half-way through swap_contents: old entries aside, some new ones in place
    old = output / ".accesspub-old-777"
    old.mkdir()
    for entry in list(output.iterdir()):
        if entry.name not in (old.name, folders.OUTPUT_MARKER):
            os.replace(entry, old / entry.name)
    (output / "index.html").write_text("half of a new build")
    folders.recover(output)
    assert snapshot(output) == before


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_file_system_that_refuses_gives_a_message_and_keeps_the_build(tmp_path, monkeypatch,
                                                                        err):
    root = project(tmp_path)
    assert run(root, "build", "--no-audio", "-q").exit_code == 0
    before = snapshot(root / "build")
    real_replace = os.replace

    def refuse(src, dst, *args, **kwargs):
        if Path(dst) == root / "build" or Path(src) == root / "build":
            raise OSError(err, os.strerror(err), str(src), None, str(dst))   # as rename(2) does
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", refuse)
    result = run(root, "build", "--no-audio", "-q")
    assert result.exit_code == 1
    assert "error build-io:" in result.output and str(root / "build") in result.output
    assert "hint:" in result.output and "internal error" not in result.output
    assert snapshot(root / "build") == before
    assert not list(root.glob(".build-*"))


def test_a_text_only_build_keeps_the_narration_that_still_matches(tmp_path):
    root = project(tmp_path)
    assert run(root, "build", "-q").exit_code == 0, "narrated build failed"
    narrated = snapshot(root / "build")
    result = run(root, "build", "--no-audio")
    assert result.exit_code == 0, result.output
    assert "notice narration-kept" in result.output
    after = snapshot(root / "build")
    assert after.pop("report.json") != narrated.pop("report.json")   # it says what was done
    assert after == narrated       # the very same bytes, overlays included


def test_a_typo_fix_never_removes_the_podcast(tmp_path):
    root = project(tmp_path)
    assert run(root, "build", "-q").exit_code == 0
    narrated = snapshot(root / "build")
    (root / "content" / "spring-opening.md").write_text(RELEASE.replace("Monday", "Tuesday"))
    result = run(root, "build", "--no-audio")
    assert result.exit_code == 0, result.output
    assert "warning narration-stale" in result.output
    after = snapshot(root / "build")
    for kept in ("spring-opening/spring-opening.mp3", "spring-opening/spring-opening.vtt",
                 "spring-opening/spring-opening.txt", "spring-opening/spring-opening.srt",
                 "spring-opening/spring-opening.chapters.json"):
        assert after[kept] == narrated[kept], kept
    assert any(k.startswith("spring-opening/tracks/") for k in after)
    feed = (root / "build" / "feed.xml").read_text()
    assert "spring-opening.mp3" in feed
    report = json.loads((root / "build" / "report.json").read_text())
    assert report["releases"][0]["narration"] == "kept from the previous build"
    assert "Tuesday" in (root / "build" / "spring-opening" / "index.html").read_text()
    # still stale after a second text-only build: the audio says what it said
    result = run(root, "build", "--no-audio")
    assert "warning narration-stale" in result.output
    # narrated again, the audio and the text agree once more
    assert run(root, "build", "-q").exit_code == 0
    assert snapshot(root / "build")["spring-opening/spring-opening.mp3"] != \
        narrated["spring-opening/spring-opening.mp3"]


def test_a_build_of_one_release_keeps_the_others(tmp_path):
    from accesspub.build import BuildOptions, run_build
    from accesspub.config import load_config
    root = project(tmp_path, **{"content/autumn-closing.md": OTHER})
    assert run(root, "build", "-q").exit_code == 0
    before = snapshot(root / "build")
    (root / "content" / "spring-opening.md").write_text(RELEASE.replace("nine", "ten"))
    result = run_build(load_config(root), BuildOptions(releases=("spring-opening",)))
    after = snapshot(root / "build")
    autumn = [k for k in before if k.startswith("autumn-closing/")]
    assert autumn and all(after[k] == before[k] for k in autumn)
    assert after["spring-opening/spring-opening.mp3"] != before["spring-opening/spring-opening.mp3"]
    feed = (root / "build" / "feed.xml").read_text()
    assert "autumn-closing.mp3" in feed and "spring-opening.mp3" in feed
    assert {r.slug: r.speech.get("kept", 0) > 0 for r in result.releases} == \
        {"spring-opening": False, "autumn-closing": True}


def test_a_skipped_feed_is_reported(tmp_path):
    root = project(tmp_path, FAKE.replace('base_url = "https://example.org/releases/"', "")
                   .replace('[podcast]\ntitle = "Test Office releases"', ""))
    result = run(root, "build")
    assert result.exit_code == 0, result.output
    assert "notice feed-skipped: no podcast feed: accesspub.toml sets neither " \
           "project.base_url nor a [podcast] table" in result.output
    report = json.loads((root / "build" / "report.json").read_text())
    assert report["feed"] == {"written": False, "reason": "accesspub.toml sets neither "
                              "project.base_url nor a [podcast] table"}
    assert not (root / "build" / "feed.xml").exists()
