"""Nothing outside the project is read, and no two releases are written to one place.

Links are resolved before anything is read (the images' rule, for every input): a Markdown
file, a release folder, a chapter in it, the content folder, a cover and the podcast image.
Releases whose names collide (with each other, or with a file of the site) are refused by
``check`` and by ``build`` before anything is spoken or written, naming both files.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from accesspub.read.sources import RESERVED_SLUGS
from helpers import make_project

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")
SECRET = "Zebra-Quartz secret line 4711"
RELEASE = "---\ntitle: {title}\ndate: 2024-01-01\nlanguage: en\n---\n\nA plain release.\n"
CONFIG = """
[project]
language = "en"
publisher = "Test Office"
detect_languages = false
"""
FEED_CONFIG = CONFIG + """base_url = "https://example.org/releases/"

[narration]
engine = "fake"

[engine.fake]
ms_per_char = 5

[podcast]
title = "Test releases"
image = "{image}"
"""


@pytest.fixture(autouse=True)
def own_cache(monkeypatch):
    """Each project keeps its speech cache inside itself."""
    monkeypatch.delenv("ACCESSPUB_CACHE", raising=False)


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args])


def outside(tmp_path: Path) -> Path:
    """A folder next to the project with a file no build may read."""
    folder = tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    (folder / "secret.md").write_text(f"---\ntitle: Secret\n---\n\n{SECRET}\n", encoding="utf-8")
    return folder


def project(tmp_path: Path, files: dict, config: str = CONFIG) -> Path:
    return make_project(tmp_path / "p", files, config)


def assert_refused(root: Path, where: str, code: str, *names: str, exit_code: int = 1,
                   audio: bool = False) -> None:
    """``check`` and ``build`` both stop with ``where: error code:``, naming ``names``; no
    output, nothing of the secret anywhere in the project."""
    build = ["build", "-q"] + ([] if audio else ["--no-audio"])
    for args in ([] if audio else [["check"]]) + [build]:
        result = run(root, *args)
        assert result.exit_code == exit_code, (args, result.output)
        assert f"{where}: error {code}:" in result.output, result.output
        assert "hint:" in result.output and "Traceback" not in result.output
        for name in names:
            assert name in result.output, (name, result.output)
        assert "internal error" not in result.output
    assert not (root / "build").exists(), "a refused build writes nothing"
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert SECRET.encode() not in path.read_bytes(), path


# --- inputs outside the project ------------------------------------------------------------

def test_markdown_file_linked_from_outside(tmp_path):
    secret = outside(tmp_path) / "secret.md"
    root = project(tmp_path, {"content/good.md": RELEASE.format(title="Good")})
    (root / "content" / "leak.md").symlink_to(secret)
    assert_refused(root, "content/leak.md", "source-outside-project", str(secret))


def test_link_to_etc_passwd(tmp_path):
    root = project(tmp_path, {"content/good.md": RELEASE.format(title="Good")})
    (root / "content" / "passwd.md").symlink_to("/etc/passwd")
    assert_refused(root, "content/passwd.md", "source-outside-project", "/etc/passwd")


def test_release_folder_linked_from_outside(tmp_path):
    folder = outside(tmp_path)
    root = project(tmp_path, {"content/good.md": RELEASE.format(title="Good")})
    (root / "content" / "annual").symlink_to(folder, target_is_directory=True)
    assert_refused(root, "content/annual", "source-outside-project", str(folder))


def test_chapter_linked_from_outside_in_a_release_folder(tmp_path):
    secret = outside(tmp_path) / "secret.md"
    root = project(tmp_path, {"content/annual/01-intro.md": RELEASE.format(title="Annual")})
    (root / "content" / "annual" / "02-more.md").symlink_to(secret)
    assert_refused(root, "content/annual/02-more.md", "source-outside-project", str(secret))


def test_relative_link_climbing_out(tmp_path):
    outside(tmp_path)
    root = project(tmp_path, {"content/good.md": RELEASE.format(title="Good")})
    (root / "content" / "up.md").symlink_to("../../elsewhere/secret.md")
    assert_refused(root, "content/up.md", "source-outside-project")


def test_content_folder_linked_from_outside(tmp_path):
    folder = outside(tmp_path)
    root = project(tmp_path, {})
    (root / "content").symlink_to(folder, target_is_directory=True)
    assert_refused(root, "content", "source-outside-project", str(folder))


def test_every_outside_input_is_reported_at_once(tmp_path):
    folder = outside(tmp_path)
    root = project(tmp_path, {"content/annual/01-intro.md": RELEASE.format(title="Annual")})
    (root / "content" / "a.md").symlink_to(folder / "secret.md")
    (root / "content" / "annual" / "02.md").symlink_to(folder / "secret.md")
    result = run(root, "check")
    assert result.exit_code == 1
    assert result.output.count("error source-outside-project") == 2, result.output


def test_links_inside_the_project_are_followed(tmp_path):
    root = project(tmp_path, {"drafts/final.md": RELEASE.format(title="Linked in"),
                              "content/good.md": RELEASE.format(title="Good")})
    (root / "content" / "linked.md").symlink_to(root / "drafts" / "final.md")
    result = run(root, "build", "-q", "--no-audio")
    assert result.exit_code == 0, result.output
    assert (root / "build" / "linked" / "linked.epub").is_file()


def test_cover_outside_the_project_is_not_embedded(tmp_path):
    """The front matter's cover follows the images' rule: a link leading out is not read."""
    marker = PNG + b"Zebra-Quartz"
    (outside(tmp_path) / "cover.png").write_bytes(marker)
    root = project(tmp_path, {"content/a.md": RELEASE.replace("language: en",
                                                              "language: en\ncover: cover.png")
                                                     .format(title="A")})
    (root / "content" / "cover.png").symlink_to(tmp_path / "elsewhere" / "cover.png")
    result = run(root, "build", "--no-audio")
    assert result.exit_code == 0, result.output
    assert "content/a.md:5: warning image-missing: cover cover.png not found in the project" \
        in result.output, result.output
    with zipfile.ZipFile(root / "build" / "a" / "a.epub") as epub:
        assert not [n for n in epub.namelist() if n.startswith("EPUB/images/")]
        assert all(b"Zebra-Quartz" not in epub.read(n) for n in epub.namelist())


# --- the podcast image -------------------------------------------------------------------

def feed_project(tmp_path: Path, image: str, files: dict | None = None) -> Path:
    files = {"content/a.md": RELEASE.format(title="A"), **(files or {})}
    return project(tmp_path, files, FEED_CONFIG.format(image=image))


def test_podcast_image_outside_the_project(tmp_path):
    (outside(tmp_path) / "art.png").write_bytes(PNG)
    root = feed_project(tmp_path, "../elsewhere/art.png")
    assert_refused(root, "accesspub.toml:16", "config-outside-project", "../elsewhere/art.png",
                   exit_code=2, audio=True)
    assert not (root / ".accesspub-cache" / "narrations").exists(), "nothing was narrated"


def test_podcast_image_linked_from_outside(tmp_path):
    (outside(tmp_path) / "art.png").write_bytes(PNG)
    root = feed_project(tmp_path, "art.png")
    (root / "art.png").symlink_to(tmp_path / "elsewhere" / "art.png")
    assert_refused(root, "accesspub.toml:16", "config-outside-project", "art.png",
                   exit_code=2, audio=True)


def test_podcast_image_absolute_path_outside(tmp_path):
    (outside(tmp_path) / "art.png").write_bytes(PNG)
    root = feed_project(tmp_path, str(tmp_path / "elsewhere" / "art.png"))
    assert_refused(root, "accesspub.toml:16", "config-outside-project", exit_code=2,
                   audio=True)


def test_podcast_image_that_is_not_an_image(tmp_path):
    root = feed_project(tmp_path, "art.png", {"art.png": "just text, named .png\n"})
    assert_refused(root, "accesspub.toml:16", "config-value", "not a JPEG or PNG image",
                   exit_code=2, audio=True)


def test_podcast_image_gif_named_jpg(tmp_path):
    root = feed_project(tmp_path, "art.jpg", {"art.jpg": b"GIF89a" + bytes(40)})
    assert_refused(root, "accesspub.toml:16", "config-value", "not a JPEG or PNG image",
                   exit_code=2, audio=True)


def test_site_files_and_a_good_podcast_image(tmp_path):
    """A narrated build with a feed: the podcast image is copied, and every file the site
    writes at the output root has a name no release may take (RESERVED_SLUGS)."""
    root = feed_project(tmp_path, "art/cover.png", {"art/cover.png": PNG})
    result = run(root, "build", "-q")
    assert result.exit_code == 0, result.output
    out = root / "build"
    assert (out / "podcast.png").read_bytes() == PNG
    at_root = {p.name for p in out.iterdir() if not p.is_dir() and not p.name.startswith(".")}
    assert {"index.html", "feed.xml", "report.json", "podcast.png"} <= at_root
    assert at_root <= RESERVED_SLUGS, at_root - RESERVED_SLUGS


# --- names that collide ------------------------------------------------------------------

@pytest.mark.parametrize("first, second, slug", [
    ("content/My Release.md", "content/my-release.md", "my-release"),
    ("content/Пресс-релиз.md", "content/新闻.md", "release"),
    ("content/news.md", "content/news/01-intro.md", "news"),
    ("content/Annual Report/01.md", "content/annual-report/01.md", "annual-report"),
])
def test_two_releases_with_one_name(tmp_path, first, second, slug):
    root = project(tmp_path, {first: RELEASE.format(title="One"),
                              second: RELEASE.format(title="Two")})
    entries = sorted({"/".join(Path(name).parts[:2]) for name in (first, second)})
    assert_refused(root, entries[1], "release-name-taken", *entries, f"'{slug}'")


@pytest.mark.parametrize("name", ["content/index.html.md", "content/feed.xml/01.md",
                                  "content/report.json.md", "content/site.css.md",
                                  "content/Podcast.PNG.md"])
def test_a_release_named_like_a_site_file(tmp_path, name):
    root = project(tmp_path, {name: RELEASE.format(title="Clash"),
                              "content/good.md": RELEASE.format(title="Good")})
    entry = "/".join(Path(name).parts[:2])
    assert_refused(root, entry, "release-name-taken", entry, "a file of the site")


def test_index_and_feed_without_extension_are_fine(tmp_path):
    """``build/index/`` and ``build/index.html`` do not collide: such names are allowed."""
    root = project(tmp_path, {"content/index.md": RELEASE.format(title="Index"),
                              "content/feed.md": RELEASE.format(title="Feed")})
    result = run(root, "build", "-q", "--no-audio")
    assert result.exit_code == 0, result.output
    assert (root / "build" / "index" / "index.epub").is_file()
    assert (root / "build" / "index.html").is_file()


def test_collision_found_before_any_speech(tmp_path):
    root = project(tmp_path, {"content/My Release.md": RELEASE.format(title="One"),
                              "content/my-release.md": RELEASE.format(title="Two")},
                   CONFIG + '\n[narration]\nengine = "fake"\n')
    assert_refused(root, "content/my-release.md", "release-name-taken",
                   "content/My Release.md", audio=True)
    assert not (root / ".accesspub-cache" / "narrations").exists()
    assert not list(root.glob(".build-*")), "no staging folder left behind"


def test_symlink_loop_is_skipped(tmp_path):
    root = project(tmp_path, {"content/good.md": RELEASE.format(title="Good")})
    os.symlink("loop.md", root / "content" / "loop.md")
    result = run(root, "build", "-q", "--no-audio")
    assert result.exit_code == 0, result.output
