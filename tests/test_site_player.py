"""The release page as a read-along player (issue 20), in Debian's Chromium driven by
Playwright: sentence highlighting from the Timeline, seeking, the controls by keyboard,
themes and contrast, reflow at 400 % text zoom, JavaScript off, axe-core, and screenshots
in test-output/site-player/.  A fake-voice project keeps it fast; the Piper sample once."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import html as lhtml

from accesspub.build import BuildOptions, run_build
from accesspub.commands.serve import start_server
from accesspub.config import load_config
from helpers import make_project

pytestmark = pytest.mark.slow

CONFIG = """
[project]
language = "en"
publisher = "Test Office"
rights = "Free to republish with attribution."
base_url = "https://example.org/press/"

[podcast]
title = "Press releases of the Test Office of the Republic in Sarajevo"
description = "Press releases of the Test Office, read aloud."

[narration]
engine = "fake"

[engine.fake]
ms_per_char = 60
"""
RELEASE = """\
---
title: Spring opening
date: 2024-03-01
description: The office opens a reading room.
---
# Spring opening

The office opens a reading room. Visitors rose by 39.6 % this year. The plan is 6 kB in size.

## The news

The reading room opens on Monday. It has 120 seats on 300 m² of floor.
Our motto is <span lang="de">Willkommen für alle</span>. Read more in the [guide](https://example.org/guide).

### Where

- Main street 1
- Second floor

## Contact

Call us any time. We answer within 2 hours. Write to the office as well.
Internationalisation and accessibility are what we care about most of all.
"""
PAGE = "spring-opening/index.html"
BUTTONS = ["play", "prev-sentence", "next-sentence", "prev-section", "next-section",
           "slower", "faster", "follow", "keys"]


@pytest.fixture(scope="module")
def site(tmp_path_factory, speech_cache):
    root = make_project(tmp_path_factory.mktemp("player") / "project",
                        {"content/spring-opening.md": RELEASE}, CONFIG)
    config = load_config(root)
    return config, run_build(config, BuildOptions(jobs=2))


@pytest.fixture(scope="module")
def server(site):
    config, _ = site
    srv, url = start_server(config.output_dir)
    yield url
    srv.stop()


def vtt_cues(path: Path) -> list[tuple[float, float]]:
    def seconds(stamp: str) -> float:
        parts = [float(p) for p in stamp.split(":")]
        return sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
    return [(seconds(a), seconds(b)) for a, b in
            re.findall(r"([\d:.]+) --> ([\d:.]+)", path.read_text(encoding="utf-8"))]


# --- the page as written (no browser) ------------------------------------------------------

def test_sentences_carry_the_vtt_timings(site):
    config, _ = site
    out = config.output_dir / "spring-opening"
    doc = lhtml.fromstring((out / "index.html").read_bytes())
    timed = doc.xpath("//main//span[@data-b]")
    spans = [(float(s.get("data-b")), float(s.get("data-e"))) for s in timed]
    cues = vtt_cues(out / "spring-opening.vtt")
    assert len(spans) == len(cues) > 10
    for (b, e), (cb, ce) in zip(spans, cues):
        assert b == pytest.approx(cb, abs=0.002) and e == pytest.approx(ce, abs=0.002)
    assert all(s.get("id") for s in timed)
    track = doc.xpath("//audio[@id='narration']/track")[0]
    assert track.get("kind") == "captions" and track.get("srclang") == "en"
    assert (out / track.get("src")).read_text(encoding="utf-8").startswith("WEBVTT")
    player = doc.xpath("//div[@id='player']")[0]
    assert player.get("hidden") is not None          # only the script shows it
    assert {b.get("data-act") for b in player.xpath(".//button")} == set(BUTTONS)
    assert all(b.get("type") == "button" and b.text_content().strip()
               for b in player.xpath(".//button"))
    assert [k.text_content() for k in player.xpath(".//kbd")][:3] == ["K", "J", "L"]
    script = doc.xpath("//script")[0]
    assert script.get("src") == "../player.js" and not (script.text or "").strip()
    assert (config.output_dir / "player.js").read_bytes() == \
        Path(__file__).parents[1].joinpath("src/accesspub/data/player.js").read_bytes()


def test_player_is_right_under_the_title(site):
    config, _ = site
    doc = lhtml.fromstring((config.output_dir / PAGE).read_bytes())
    order = [node for node in doc.xpath("//main//*") if node.tag in ("h1", "section", "p")]
    h1 = doc.xpath("//h1")[0]
    listen = doc.xpath("//section[@id='listen']")[0]
    lead = doc.xpath("//p[contains(., 'reading room.')]")[0]
    assert order.index(h1) < order.index(listen) < order.index(lead)
    assert listen.getprevious().tag == "header" and h1 in listen.getprevious()


def test_numbers_keep_their_units_on_the_page_only(site):
    config, _ = site
    text = (config.output_dir / PAGE).read_text(encoding="utf-8")
    for kept in ("39.6\u00a0%", "300\u00a0m²", "2\u00a0hours", "6\u00a0kB in size"):
        assert kept in text, kept
    assert re.search(r"\(\d+\u00a0kB\)", text)                     # download sizes
    assert "120 seats" in text                                      # not a unit
    epub = config.output_dir / "spring-opening" / "spring-opening.epub"
    with zipfile.ZipFile(epub) as z:
        book = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert "39.6 %" in book and "\u00a0%" not in book


def test_stale_narration_has_no_read_along(tmp_path, speech_cache):
    root = make_project(tmp_path / "project", {"content/spring-opening.md": RELEASE}, CONFIG)
    config = load_config(root)
    run_build(config, BuildOptions(jobs=1))
    changed = RELEASE.replace("Call us any time.", "Call us on weekdays.")
    (root / "content" / "spring-opening.md").write_text(changed, encoding="utf-8")
    result = run_build(config, BuildOptions(jobs=1, audio=False))
    assert any(d.code == "narration-stale" for d in result.diagnostics.items)
    assert result.releases[0].kept
    doc = lhtml.fromstring((config.output_dir / PAGE).read_bytes())
    assert not doc.xpath("//*[@data-b]")
    assert not doc.xpath("//button[contains(@data-act, 'sentence') or @data-act='follow']")
    assert doc.xpath("//audio[@id='narration']") and doc.xpath("//button[@data-act='play']")
    assert "earlier version of the text" in doc.xpath("//section[@id='listen']")[0].text_content()
    # narrated again, it reads along again
    run_build(config, BuildOptions(jobs=1))
    assert lhtml.fromstring((config.output_dir / PAGE).read_bytes()).xpath("//*[@data-b]")


# --- in the browser ------------------------------------------------------------------------

def open_page(browser, url: str, width: int = 1280, height: int = 800, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    tab = context.new_page()
    tab.goto(url)
    return context, tab


READY = """() => new Promise((resolve, reject) => {
    const audio = document.getElementById('narration');
    audio.muted = true;
    if (audio.readyState >= 1) { resolve(audio.duration); return; }
    audio.addEventListener('loadedmetadata', () => resolve(audio.duration));
    audio.addEventListener('error', () => reject(new Error('audio error ' + audio.error.code)));
    audio.load();
})"""
STATE = """() => {
    const audio = document.getElementById('narration');
    const lit = document.querySelectorAll('.reading');
    return {t: audio.currentTime, paused: audio.paused, rate: audio.playbackRate, lit: lit.length,
            b: lit.length ? +lit[0].dataset.b : null, e: lit.length ? +lit[0].dataset.e : null,
            id: lit.length ? lit[0].id : null};
}"""


def expected_cue(cues: list[tuple[float, float]], t: float) -> tuple[float, float]:
    """The cue containing t; in a pause between cues, the one before it."""
    return [c for c in cues if c[0] <= t + 0.001][-1]


def assert_lit(state: dict, cues) -> None:
    assert state["lit"] == 1, state
    b, e = expected_cue(cues, state["t"])
    if (state["b"], state["e"]) != pytest.approx((b, e), abs=0.002):
        # within 250 ms of a cue change, either side is right
        assert state["b"] - 0.25 <= state["t"] <= state["e"] + 0.25, state


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 1280])
def test_axe_finds_no_violations(server, browser, scheme, width):
    from axe_playwright_python.sync_playwright import Axe
    context, tab = open_page(browser, server + PAGE, width, color_scheme=scheme)
    try:
        tab.evaluate(READY)
        tab.evaluate("""() => { document.querySelectorAll('details').forEach(d => d.open = true);
                        const a = document.getElementById('narration');
                        a.currentTime = 5; }""")
        tab.wait_for_selector(".reading")
        results = Axe().run(tab)
        assert results.violations_count == 0, results.generate_report()
        tab.goto(server + "index.html")
        results = Axe().run(tab)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_highlight_follows_playback_and_seeking(site, server, browser):
    config, _ = site
    cues = vtt_cues(config.output_dir / "spring-opening" / "spring-opening.vtt")
    context, tab = open_page(browser, server + PAGE)
    try:
        tab.evaluate(READY)
        # a sentence followed at once by the next (no pause for a new paragraph or section):
        # the highlight has to move on soon
        i = next(i for i in range(3, len(cues) - 2) if cues[i + 1][0] - cues[i][1] < 0.1)
        start = cues[i][1] - 0.4
        tab.evaluate(f"() => {{ const a = document.getElementById('narration'); "
                     f"a.currentTime = {start}; return a.play(); }}")
        for _ in range(6):
            tab.wait_for_timeout(300)
            state = tab.evaluate(STATE)
            assert not state["paused"]
            assert_lit(state, cues)
        assert state["t"] > start + 1            # it played, and the highlight moved along
        assert state["b"] > cues[i][0], (state, cues[i:i + 3])
        target = (cues[-3][0] + cues[-3][1]) / 2
        tab.evaluate(f"""() => new Promise(resolve => {{
            const a = document.getElementById('narration');
            a.addEventListener('seeked', () => resolve(), {{once: true}});
            a.currentTime = {target}; }})""")
        state = tab.evaluate(STATE)
        assert_lit(state, cues)
        assert state["b"] >= cues[-3][0] - 0.002
        # kept in view
        visible = tab.evaluate("""() => { const r = document.querySelector('.reading')
            .getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }""")
        tab.wait_for_timeout(600)               # the smooth scroll ends
        visible = visible or tab.evaluate("""() => { const r = document.querySelector('.reading')
            .getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }""")
        assert visible
    finally:
        context.close()


def test_click_on_a_sentence_plays_from_its_start(site, server, browser):
    context, tab = open_page(browser, server + PAGE)
    try:
        tab.evaluate(READY)
        sentence = tab.locator("span[data-b]", has_text="It has 120 seats")
        begin = float(sentence.get_attribute("data-b"))
        sentence.click()
        state = tab.evaluate(STATE)
        assert begin - 0.01 <= state["t"] <= begin + 0.35 and not state["paused"]   # it plays on
        assert state["b"] == pytest.approx(begin, abs=0.002)
        # a link inside a sentence is still a link (its navigation is stopped here:
        # the test does not leave the machine), not a seek
        tab.evaluate("document.querySelector('span[data-b] a').addEventListener("
                     "'click', e => e.preventDefault())")
        link = tab.locator("span[data-b] a", has_text="guide")
        link.click()
        assert tab.evaluate(STATE)["b"] == pytest.approx(begin, abs=0.002)
        assert float(link.locator("xpath=..").get_attribute("data-b")) != begin
    finally:
        context.close()


def test_reduced_motion_scrolls_at_once(server, browser):
    context, tab = open_page(browser, server + PAGE, 320, 400, reduced_motion="reduce")
    try:
        tab.evaluate(READY)
        moved = tab.evaluate("""() => { const before = scrollY;
            document.querySelector('[data-act=\"next-section\"]').click();
            document.querySelector('[data-act=\"next-section\"]').click();
            document.querySelector('[data-act=\"next-section\"]').click();
            return scrollY - before; }""")
        assert moved > 100                       # in the same task: no smooth scrolling
    finally:
        context.close()


def focus_ring(tab) -> dict:
    return tab.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {tag: document.activeElement.tagName, act: document.activeElement.dataset.act || '',
                style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }""")


def test_keyboard_only(site, server, browser):
    config, _ = site
    cues = vtt_cues(config.output_dir / "spring-opening" / "spring-opening.vtt")
    context, tab = open_page(browser, server + PAGE)
    try:
        tab.evaluate(READY)
        tab.evaluate("document.querySelector('.shortcuts').open = true")
        reached = {}
        for _ in range(80):
            tab.keyboard.press("Tab")
            ring = focus_ring(tab)
            assert ring["style"] != "none" and ring["width"] >= 2, ring     # focus visible
            if ring["act"]:
                reached.setdefault(ring["act"], True)
            if len(reached) == len(BUTTONS):
                break
        assert sorted(reached) == sorted(BUTTONS)

        def press(act: str, key: str) -> dict:
            tab.focus(f"[data-act='{act}']")
            tab.keyboard.press(key)
            return tab.evaluate(STATE)

        assert not press("play", "Enter")["paused"]
        # The label follows the media element's "play" event, which comes a task later.
        tab.wait_for_function(
            "document.querySelector(\"[data-act='play']\").textContent === 'Pause'",
            timeout=5000)
        assert press("play", " ")["paused"]
        state = press("next-sentence", "Enter")
        assert state["t"] == pytest.approx(cues[1][0], abs=0.01)
        state = press("next-sentence", " ")
        assert state["t"] == pytest.approx(cues[2][0], abs=0.01)
        assert press("prev-sentence", "Enter")["t"] == pytest.approx(cues[1][0], abs=0.01)
        sections = [float(x) for x in tab.eval_on_selector_all(
            ".chapters a", "links => links.map(a => a.dataset.start)")]
        assert press("next-section", "Enter")["t"] == pytest.approx(sections[1], abs=0.01)
        assert press("next-section", " ")["t"] == pytest.approx(sections[2], abs=0.01)
        assert press("prev-section", "Enter")["t"] == pytest.approx(sections[1], abs=0.01)
        assert press("faster", "Enter")["rate"] == 1.25
        assert press("faster", " ")["rate"] == 1.5
        assert press("slower", "Enter")["rate"] == 1.25
        assert press("follow", " ") and \
            tab.get_attribute("[data-act='follow']", "aria-pressed") == "false"
        press("follow", "Enter")
        assert tab.get_attribute("[data-act='follow']", "aria-pressed") == "true"
        # Enter on the highlighted sentence (the one tab stop in the text) plays it
        tab.focus(".reading")
        tab.keyboard.press("Enter")
        state = tab.evaluate(STATE)
        assert not state["paused"] and state["t"] == pytest.approx(sections[1], abs=0.3)

        # the shortcuts, from anywhere outside a form field
        tab.evaluate("document.getElementById('main').focus()")
        tab.keyboard.press("k")
        assert tab.evaluate(STATE)["paused"]
        before = tab.evaluate(STATE)["t"]
        tab.keyboard.press("l")
        assert tab.evaluate(STATE)["t"] > before
        tab.keyboard.press("Shift+L")
        assert tab.evaluate(STATE)["t"] == pytest.approx(sections[2], abs=0.01)
        tab.keyboard.press("Shift+J")
        assert tab.evaluate(STATE)["t"] == pytest.approx(sections[1], abs=0.01)
        tab.keyboard.press("j")
        assert tab.evaluate(STATE)["t"] < sections[1]
        tab.keyboard.press("+")
        assert tab.evaluate(STATE)["rate"] == 1.5
        tab.keyboard.press("-")
        assert tab.evaluate(STATE)["rate"] == 1.25
        tab.keyboard.press("f")
        assert tab.get_attribute("[data-act='follow']", "aria-pressed") == "false"
        tab.keyboard.press("f")
        # single-key shortcuts can be turned off (WCAG 2.1.4)
        press("keys", "Enter")
        assert tab.get_attribute("[data-act='keys']", "aria-pressed") == "false"
        tab.evaluate("document.getElementById('main').focus()")
        before = tab.evaluate(STATE)["t"]
        tab.keyboard.press("l")
        assert tab.evaluate(STATE)["t"] == before
        press("keys", " ")
        # the speed is kept across pages (and reloads)
        tab.reload()
        tab.evaluate(READY)
        assert tab.evaluate(STATE)["rate"] == 1.25
        assert tab.locator("#rate").text_content() == "1.25×"
    finally:
        context.close()


@pytest.mark.parametrize("path", ["index.html", PAGE])
def test_reflows_at_320_px_and_400_percent_text(server, browser, path):
    context, tab = open_page(browser, server + path, 320, 640)
    try:
        tab.evaluate("""() => { document.documentElement.style.fontSize = '400%';
                        document.querySelectorAll('details').forEach(d => d.open = true); }""")
        overflow = tab.evaluate("document.documentElement.scrollWidth - "
                                "document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    finally:
        context.close()


def test_tap_targets_and_short_phone_heading(server, browser):
    context, tab = open_page(browser, server + PAGE, 320, 640)
    try:
        tab.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        small = tab.evaluate("""() => [...document.querySelectorAll(
              'button, summary, nav a, .chapters a, .downloads a, .site-name a')]
            .map(n => [n.textContent.trim(), n.getBoundingClientRect()])
            .filter(([_, r]) => r.width < 44 || r.height < 44).map(([t, r]) =>
              `${t}: ${r.width}x${r.height}`)""")
        assert small == []
        tab.goto(server + "index.html")
        small = tab.evaluate("""() => [...document.querySelectorAll('nav a, .links a, .site-name a')]
            .map(n => n.getBoundingClientRect()).filter(r => r.width < 44 || r.height < 44).length""")
        assert small == 0
        lines = tab.evaluate("""() => { const h = document.querySelector('h1');
            return Math.round(h.getBoundingClientRect().height /
                              parseFloat(getComputedStyle(h).lineHeight)); }""")
        assert lines <= 3
    finally:
        context.close()


CONTRAST = """() => {
    const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
        .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = node => { for (; node; node = node.parentElement) {
        const c = rgb(getComputedStyle(node).backgroundColor);
        if (c.length === 3 || c[3] > 0) { return c; } } return null; };
    const worst = [];
    for (const node of document.querySelectorAll('body *')) {
        if (node.closest('audio, script') || !node.getClientRects().length) { continue; }
        if (![...node.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) { continue; }
        const fg = rgb(getComputedStyle(node).color), bg = background(node);
        const [a, b] = [lum(fg), lum(bg)];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 7) { worst.push(`${node.tagName}.${node.className} ${ratio.toFixed(2)}`); }
    }
    return worst;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_is_at_least_7_to_1(server, browser, scheme):
    context, tab = open_page(browser, server + PAGE, color_scheme=scheme)
    try:
        tab.evaluate(READY)
        tab.evaluate("""() => { document.querySelectorAll('details').forEach(d => d.open = true);
                        document.getElementById('narration').currentTime = 14; }""")
        tab.wait_for_selector(".reading")
        page_bg = tab.evaluate("getComputedStyle(document.body).backgroundColor")
        assert page_bg == ("rgb(255, 255, 255)" if scheme == "light" else "rgb(18, 18, 18)")
        assert tab.evaluate(CONTRAST) == []
        # the highlight is not colour alone
        mark = tab.evaluate("""() => { const s = getComputedStyle(document.querySelector('.reading'));
            return [s.textDecorationLine, s.outlineStyle]; }""")
        assert "underline" in mark[0] and mark[1] != "none"
        tab.goto(server + "index.html")
        assert tab.evaluate(CONTRAST) == []
    finally:
        context.close()


def test_works_without_javascript(site, server, browser):
    context, tab = open_page(browser, server + PAGE, java_script_enabled=False)
    try:
        assert not tab.locator("#player").is_visible()
        assert tab.locator("audio#narration").is_visible()
        assert tab.locator("main p", has_text="It has 120 seats").is_visible()
        link = tab.locator(".chapters a").nth(1)
        assert re.fullmatch(r"spring-opening\.mp3#t=\d+\.\d{3}", link.get_attribute("href"))
        assert not tab.locator(".reading").count()
    finally:
        context.close()


def test_screenshots(server, browser, output_dir):
    folder = output_dir / "site-player"
    folder.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for name, width, height in (("phone", 375, 812), ("desktop", 1280, 900)):
            context, tab = open_page(browser, server + PAGE, width, height, color_scheme=scheme)
            try:
                tab.evaluate(READY)
                tab.evaluate("document.getElementById('narration').currentTime = 14")
                tab.wait_for_selector(".reading")
                tab.evaluate("window.scrollTo(0, 0)")
                path = folder / f"release-{scheme}-{name}.png"
                tab.screenshot(path=str(path), full_page=True)
                assert path.stat().st_size > 10_000
            finally:
                context.close()


# --- the real narration --------------------------------------------------------------------

def test_piper_sample_reads_along(narrated, browser):
    sample = narrated["sample"]
    cues = vtt_cues(sample.out / f"{sample.slug}.vtt")
    doc = lhtml.fromstring((sample.out / "index.html").read_bytes())
    assert len(doc.xpath("//main//span[@data-b]")) == len(cues)
    srv, url = start_server(sample.root / "build")
    context, tab = open_page(browser, url + f"{sample.slug}/index.html")
    try:
        tab.evaluate(READY)
        start = (cues[len(cues) // 2][0] + cues[len(cues) // 2][1]) / 2
        tab.evaluate(f"() => {{ const a = document.getElementById('narration'); "
                     f"a.currentTime = {start}; return a.play(); }}")
        for _ in range(3):
            tab.wait_for_timeout(400)
            assert_lit(tab.evaluate(STATE), cues)
    finally:
        context.close()
        srv.stop()
