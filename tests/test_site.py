"""The static site on a real narrated build: structure, axe-core in Debian's Chromium
(driven by Playwright, no downloaded browser), the player loading from the preview
server, byte ranges, keyboard, reflow, and a screenshot in test-output/site/."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from lxml import html as lhtml

from accesspub.build import BuildOptions, run_build
from accesspub.config import load_config
from accesspub.commands.serve import parse_range, start_server
from accesspub.writers.feed import mp3_seconds
from helpers import make_project

pytestmark = pytest.mark.slow

CONFIG = """
[project]
language = "en"
publisher = "Test Office"
rights = "Free to republish with attribution."
base_url = "https://example.org/press/"

[podcast]
title = "Test Office releases"
description = "Press releases of the Test Office, read aloud."
"""
OLD = """\
---
title: Spring opening
date: 2024-03-01
description: The office opens a reading room.
---
# Spring opening

## The news

The reading room opens on Monday. Our motto is <span lang="de">Willkommen für alle</span>.

### Where

- Main street 1
- Second floor

## Contact

Call us any time.
"""
NEW = """\
---
title: Summer hours
date: 2024-06-15
description: Shorter hours in July.
---
# Summer hours

## Hours

We close at noon in July.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, speech_cache):
    """(config, BuildResult) of a built two-release project."""
    root = make_project(tmp_path_factory.mktemp("site") / "project",
                        {"content/spring-opening.md": OLD, "content/summer-hours.md": NEW},
                        CONFIG)
    config = load_config(root)
    return config, run_build(config, BuildOptions(jobs=2))


@pytest.fixture(scope="module")
def server(site):
    config, _ = site
    srv, url = start_server(config.output_dir)
    yield url
    srv.stop()


def page(config, path: str):
    return lhtml.fromstring((config.output_dir / path).read_bytes())


# --- structure (no browser) ---------------------------------------------------------------

def test_index_lists_releases_newest_first(site):
    config, _ = site
    doc = page(config, "index.html")
    assert doc.get("lang") == "en"
    feed = doc.xpath("//head/link[@rel='alternate']")[0]
    assert feed.get("type") == "application/rss+xml" and feed.get("href") == "feed.xml"
    titles = [a.text_content() for a in doc.xpath("//ol[@class='releases']//h3/a")]
    assert titles == ["Summer hours", "Spring opening"]
    dates = doc.xpath("//ol[@class='releases']//time/@datetime")
    assert dates == ["2024-06-15", "2024-03-01"]
    assert "Shorter hours in July." in doc.text_content()
    for href in doc.xpath("//main//a/@href"):
        assert (config.output_dir / href).exists(), href


def test_release_page_structure(site):
    config, result = site
    doc = page(config, "spring-opening/index.html")
    assert doc.get("lang") == "en"
    skip = doc.xpath("//body/*[1]")[0]
    assert skip.tag == "a" and skip.get("href") == "#main"
    assert doc.xpath("//main[@id='main']") and doc.xpath("//header") and doc.xpath("//footer")
    assert doc.xpath("//nav[@aria-label]")
    headings = doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")
    levels = [int(h.tag[1]) for h in headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert headings[0].text_content() == "Spring opening"
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    texts = [h.text_content() for h in headings]
    assert texts.index("The news") < texts.index("Where") < texts.index("Contact")
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids))
    german = doc.xpath("//main//span[@lang='de']")
    assert german and german[0].text_content() == "Willkommen für alle"
    assert not doc.xpath("//@*[contains(name(), ':')]")     # no epub:type / xml:lang in HTML
    audio = doc.xpath("//audio")[0]
    assert audio.get("controls") is not None and audio.get("preload") == "metadata"
    assert audio.get("src") == "spring-opening.mp3"
    chapters = doc.xpath("//ol[@class='chapters']//a")
    release = next(r for r in result.releases if r.slug == "spring-opening")
    assert len(chapters) == len(release.timeline.tracks) == 4    # title, news, where, contact
    for link, track in zip(chapters, release.timeline.tracks):
        start = release.timeline.seconds(track.offset)
        assert link.get("href") == f"spring-opening.mp3#t={start:.3f}"
        assert float(link.get("data-start")) == pytest.approx(start, abs=0.001)
    downloads = {a.get("type"): a.get("href") for a in doc.xpath("//ul[@class='downloads']//a")}
    for mime in ("application/epub+zip", "audio/mpeg", "text/vtt", "application/x-subrip"):
        assert (config.output_dir / "spring-opening" / downloads[mime]).is_file()
    cues = doc.xpath("//ol[@class='cues']/li/span[@class='cue']")
    assert [c.text_content() for c in cues][:2] == ["Spring opening", "Test Office"]


def test_pages_are_deterministic(site):
    from accesspub.writers.site import index_page, release_page
    config, result = site
    root = config.output_dir
    assert index_page(result.releases, config, root) == (root / "index.html").read_bytes()
    for release in result.releases:
        out = root / release.slug
        assert release_page(release, config, out) == (out / "index.html").read_bytes()


# --- the preview server --------------------------------------------------------------------

def test_parse_range():
    assert parse_range("bytes=0-99", 1000) == (0, 99)
    assert parse_range("bytes=900-", 1000) == (900, 999)
    assert parse_range("bytes=-100", 1000) == (900, 999)
    assert parse_range("bytes=0-5000", 1000) == (0, 999)
    assert parse_range("bytes=1000-", 1000) == "416"
    assert parse_range("bytes=0-1,5-9", 1000) is None
    assert parse_range("items=0-1", 1000) is None


def test_server_answers_range_requests(site, server):
    config, _ = site
    mp3 = config.output_dir / "spring-opening" / "spring-opening.mp3"
    size = mp3.stat().st_size
    request = urllib.request.Request(server + "spring-opening/spring-opening.mp3",
                                     headers={"Range": "bytes=100-299"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 206
        assert response.headers["Content-Range"] == f"bytes 100-299/{size}"
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.headers["Content-Type"] == "audio/mpeg"
        assert response.read() == mp3.read_bytes()[100:300]
    with urllib.request.urlopen(server + "spring-opening/spring-opening.mp3") as response:
        assert response.status == 200 and response.headers["Accept-Ranges"] == "bytes"
        assert int(response.headers["Content-Length"]) == size
    bad = urllib.request.Request(server + "spring-opening/spring-opening.mp3",
                                 headers={"Range": f"bytes={size}-"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(bad)
    assert info.value.code == 416
    assert info.value.headers["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("path, mime", [
    ("feed.xml", "application/rss+xml"),
    ("spring-opening/spring-opening.epub", "application/epub+zip"),
    ("spring-opening/spring-opening.vtt", "text/vtt"),
    ("spring-opening/spring-opening.srt", "application/x-subrip"),
    ("spring-opening/spring-opening.chapters.json", "application/json"),
    ("spring-opening/", "text/html"),
])
def test_server_types_and_cors(server, path, mime):
    with urllib.request.urlopen(server + path) as response:
        assert response.headers["Content-Type"].split(";")[0] == mime
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cli_serve_without_build(tmp_path):
    from click.testing import CliRunner
    from accesspub.cli import main
    make_project(tmp_path, {})
    outcome = CliRunner().invoke(main, ["-C", str(tmp_path), "serve", "--port", "0"])
    assert outcome.exit_code == 2
    assert "accesspub build" in outcome.output


# --- in the browser ------------------------------------------------------------------------

@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.mark.parametrize("path", ["index.html", "spring-opening/index.html",
                                  "summer-hours/index.html"])
def test_axe_finds_no_violations(server, tab, path):
    from axe_playwright_python.sync_playwright import Axe
    tab.goto(server + path)
    tab.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    results = Axe().run(tab)
    assert results.violations_count == 0, results.generate_report()


def test_audio_loads_from_the_server(site, server, tab):
    config, _ = site
    tab.goto(server + "spring-opening/index.html")
    duration = tab.evaluate("""() => new Promise((resolve, reject) => {
        const audio = document.getElementById('narration');
        if (audio.readyState >= 1) { resolve(audio.duration); return; }
        audio.addEventListener('loadedmetadata', () => resolve(audio.duration));
        audio.addEventListener('error', () => reject(new Error('audio error ' + audio.error.code)));
        audio.load();
    })""")
    expected = mp3_seconds(config.output_dir / "spring-opening" / "spring-opening.mp3")
    assert duration == pytest.approx(expected, abs=0.5)
    # a chapter link seeks the player (the script); without script it opens the MP3 at #t=
    third = tab.locator("ol.chapters a").nth(2)
    start = float(third.get_attribute("data-start"))
    third.click()
    tab.wait_for_function(f"Math.abs(document.getElementById('narration').currentTime - {start}) < 1.5")
    assert tab.url.endswith("spring-opening/index.html")


def test_keyboard_first_tab_is_the_skip_link(server, tab):
    tab.goto(server + "spring-opening/index.html")
    tab.keyboard.press("Tab")
    focused = tab.evaluate("[document.activeElement.className, document.activeElement.textContent]")
    assert focused == ["skip-link", "Skip to main content"]
    box = tab.locator(".skip-link").bounding_box()
    assert box and box["y"] >= 0          # visible once focused
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"
    outline = tab.evaluate("""() => { const a = document.querySelector('nav a'); a.focus();
        return getComputedStyle(a).outlineStyle; }""")
    assert outline != "none"


@pytest.mark.parametrize("width", [640, 320])
def test_reflows_without_horizontal_scrolling(server, browser, width):
    # 1280 px at 200% zoom is a 640 px wide layout; 320 px is WCAG 1.4.10's reflow width
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        tab = context.new_page()
        for path in ("index.html", "spring-opening/index.html"):
            tab.goto(server + path)
            overflow = tab.evaluate("document.documentElement.scrollWidth - "
                                    "document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()


def test_screenshot(server, browser, output_dir):
    folder = output_dir / "site"
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(server + "spring-opening/index.html")
        tab.wait_for_function("document.getElementById('narration').readyState >= 1")
        tab.screenshot(path=str(folder / "release.png"), full_page=True)
        tab.goto(server + "index.html")
        tab.screenshot(path=str(folder / "index.png"), full_page=True)
    finally:
        context.close()
    assert (folder / "release.png").stat().st_size > 10_000
