"""Raw HTML blocks keep the author's text exactly (issue 19): every inline element the
converter accepts, followed by text, inside every kind of block container, gives each word
once — in the EPUB's XHTML and in what the narration says — and ``<br>`` stays a line break.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from accesspub.cli import main
from accesspub.read.htmlblocks import INLINE_TAGS
from helpers import NS, Epub, make_project

HEAD = "---\ntitle: Tails\ndate: 2024-01-01\nlanguage: en\n---\n\n"
CONFIG = """
[project]
language = "en"
publisher = "Test Office"

[narration]
read_table_headers = false
"""
# Attributes an element needs to be kept as itself (a link needs its address…).
ATTRS = {"a": ' href="https://a.example/1"', "abbr": ' title="a title"',
         "dfn": ' title="a title"', "time": ' datetime="2020-05-01"', "bdo": ' dir="rtl"',
         "span": ' lang="en"'}
# Containers around the inline content: (opening markup, closing markup).
CONTAINERS = {
    "div": ("<div>", "</div>"),
    "details": ("<details><summary>zosummary</summary><div>", "</div></details>"),
    "p": ("<p>", "</p>"),
    "li": ("<ul><li>", "</li></ul>"),
    "td": ("<table><tr><td>", "</td></tr></table>"),
    "th": ("<table><tr><th>", "</th></tr><tr><td>zocell</td></tr></table>"),
    "caption": ("<table><caption>", "</caption><tr><td>zotable</td></tr></table>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "dd": ("<dl><dt>zoterm</dt><dd>", "</dd></dl>"),
    "h2": ("<h2>", "</h2>"),
    "figcaption": ("<figure><p>zofigure</p><figcaption>", "</figcaption></figure>"),
    # text a CMS left outside any item or term
    "ul": ("<ul>", "<li>zolist</li></ul>"),
    "dl": ("<dl><dt>zoname</dt><dd>zodefinition</dd>", "</dl>"),
}
SYLLABLES = [c + v for c in "bdfgklmnprstv" for v in "aeiou"]
WORD = re.compile(r"\bzo[a-z]+\b")


def word(n: int) -> str:
    """A distinct, pronounceable word no rule rewrites (``zo`` marks it as ours)."""
    return "zo" + SYLLABLES[n // len(SYLLABLES)] + SYLLABLES[n % len(SYLLABLES)]


def inline_content(start: int) -> tuple[str, int]:
    """Every accepted inline element with one word inside and one word after it."""
    parts = []
    n = start
    for tag in sorted(INLINE_TAGS - {"img", "br", "wbr"}):
        parts.append(f"<{tag}{ATTRS.get(tag, '')}>{word(n)}</{tag}> {word(n + 1)}")
        n += 2
    # void elements: the text after them is their tail
    parts.append(f"{word(n)}<br>{word(n + 1)}")
    parts.append(f"{word(n + 2)} <wbr>{word(n + 3)}")
    parts.append(f'<img src="dot.png" alt="">{word(n + 4)}')
    parts.append(f"<em>{word(n + 5)} <strong>{word(n + 6)}</strong> {word(n + 7)}</em> {word(n + 8)}")
    return " ".join(parts), n + 9


def source() -> tuple[str, dict[str, list[str]]]:
    """The release's Markdown, and the words of each container in source order."""
    blocks, expected = [], {}
    n = 0
    for name, (open_, close) in CONTAINERS.items():
        content, end = inline_content(n)
        blocks.append(f"{open_}{content}{close}")
        words = [word(i) for i in range(n, end)]
        extra = WORD.findall(open_ + close)
        # the summary, the term and the caption come first; the table's cell after
        expected[name] = ([w for w in extra if w in ("zosummary", "zoterm")] + words +
                          [w for w in extra if w not in ("zosummary", "zoterm", "zofigure")])
        if name in ("figcaption", "dl"):
            expected[name] = WORD.findall(open_) + words
        n = end
    return HEAD + "\n\n".join(blocks) + "\n", expected


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")

POSTS = (Path(__file__).parent / "hostile" / "html-block-tail-text.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("html-tails")
    text, _ = source()
    make_project(root, {"content/tails.md": text, "content/dot.png": PNG,
                        "content/posts.md": POSTS}, CONFIG)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio"])
    assert result.exit_code == 0, result.output
    return root


def body_words(root: Path, slug: str) -> list[str]:
    book = Epub(root / "build" / slug / f"{slug}.epub")
    words = []
    for doc in book.spine_docs():
        body = book.xml(doc).find("x:body", NS)
        words += WORD.findall(" ".join(body.itertext()))
    return words


def spoken_sentences(root: Path) -> dict[str, list[tuple[str, str]]]:
    from accesspub.build import BuildOptions, prepare
    from accesspub.config import load_config
    publications, _, _ = prepare(load_config(root), BuildOptions(audio=False))
    return {p.slug: [(s.text, s.spoken_text) for s in p.iter_sentences()] for p in publications}


def test_each_word_once_in_the_xhtml(project):
    _, expected = source()
    want = [w for words in expected.values() for w in words]
    got = body_words(project, "tails")
    doubled = sorted({w for w in got if got.count(w) > 1})
    missing = sorted(set(want) - set(got))
    invented = sorted(set(got) - set(want))
    assert not (doubled or missing or invented), (doubled, missing, invented)
    assert got == want


def test_each_word_once_in_the_spoken_text(project):
    _, expected = source()
    want = [w for words in expected.values() for w in words]
    spoken = spoken_sentences(project)["tails"]
    got = [w for _, text in spoken for w in WORD.findall(text.lower())]
    assert got == want
    shown = [w for text, _ in spoken for w in WORD.findall(text)]
    assert shown == want


def test_links_with_dates_one_per_line(project):
    book = Epub(project / "build" / "posts" / "posts.epub")
    doc = book.xml(book.spine_docs()[-1])
    text = "".join(doc.find("x:body", NS).itertext())
    assert "The first post (May 2020)The second post (June 2020)" in text    # <br> between
    assert text.count("(May 2020)") == 1 and text.count("(June 2020)") == 1
    # the line break is kept between the two links, right after the first date
    br = doc.find(".//x:br", NS)
    assert br is not None
    before = br.getprevious()
    assert before is not None and etree.QName(before).localname == "a"
    assert before.text == "The first post" and before.tail == " (May 2020)"
    # the listener hears the end of the line as the end of a phrase
    (sentence,) = [s for s in spoken_sentences(project)["posts"] if "first post" in s[0]]
    assert sentence[1] == "The first post (May twenty twenty), The second post (June twenty twenty)"
