"""What read-along costs the release page, on a long release narrated by the fake voice.

    ./dev python benchmarks/site_player.py [--paragraphs 200] [--browser]

Builds a release of ``--paragraphs`` paragraphs of three sentences (fake engine: timed
silence, so only the site's own work is measured), then prints: sentences timed on the
page, the time ``release_page`` takes (best of 5) and its size, and the size of
``player.js`` plain and gzipped.  With ``--browser`` (Debian's chromium through
Playwright) also: the time to fetch the script from the local server and the cost of one highlight
update (the binary search and class change run each animation frame while playing).

Scaling: the page and ``release_page`` grow linearly with the sentences; a highlight
update is a binary search, O(log n).
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONFIG = """[project]
language = "en"
publisher = "Bench Office"

[narration]
engine = "fake"

[engine.fake]
ms_per_char = 2
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paragraphs", type=int, default=200)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    from accesspub.build import BuildOptions, run_build
    from accesspub.commands.serve import start_server
    from accesspub.config import load_config
    from accesspub.writers.site import player_script, release_page

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "accesspub.toml").write_text(CONFIG, encoding="utf-8")
        body = ["---\ntitle: A long release\ndate: 2024-01-01\n---\n# A long release\n"]
        for n in range(args.paragraphs):
            if n % 20 == 0:
                body.append(f"## Part {n // 20 + 1}\n")
            body.append(f"Paragraph {n} opens with a sentence. Its share rose by {n % 97}.5 % "
                        f"this year. It ends with a third sentence of {n} kB.\n")
        (root / "content").mkdir()
        (root / "content" / "long.md").write_text("\n".join(body), encoding="utf-8")
        os.environ.setdefault("ACCESSPUB_CACHE", str(root / "cache"))
        config = load_config(root)
        result = run_build(config, BuildOptions(jobs=2))
        release = result.releases[0]
        out = config.output_dir / release.slug
        times = []
        for _ in range(5):
            started = time.perf_counter()
            page = release_page(release, config, out)
            times.append(time.perf_counter() - started)
        script = player_script()
        timed = page.count(b' data-b="')
        print(f"sentences timed on the page: {timed}")
        print(f"release_page: {min(times) * 1000:.1f} ms (best of 5), {len(page) / 1000:.0f} kB")
        print(f"player.js: {len(script)} bytes, {len(gzip.compress(script, 9))} bytes gzipped")
        if args.browser:
            from playwright.sync_api import sync_playwright
            srv, url = start_server(config.output_dir)
            try:
                with sync_playwright() as p:
                    chromium = p.chromium.launch(
                        executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                        args=["--no-sandbox", "--disable-gpu"])
                    tab = chromium.new_page()
                    tab.goto(url + f"{release.slug}/index.html")
                    start_ms = tab.evaluate("""() => { const e = performance.getEntriesByName(
                        new URL('../player.js', location.href).href)[0];
                        return e ? e.duration : -1; }""")
                    per_update = tab.evaluate("""() => {
                        const audio = document.getElementById('narration');
                        const spans = document.querySelectorAll('[data-b]');
                        const n = 2000, t0 = performance.now();
                        for (let i = 0; i < n; i++) {
                            audio.dispatchEvent(new Event('timeupdate'));
                            Object.defineProperty(audio, 'currentTime', {configurable: true,
                                value: +spans[(i * 7919) % spans.length].dataset.b});
                        }
                        return (performance.now() - t0) / n * 1000; }""")
                    print(f"player.js fetch (local server): {start_ms:.1f} ms; one highlight update: "
                          f"{per_update:.1f} µs (over {timed} sentences)")
                    chromium.close()
            finally:
                srv.stop()


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    main()
