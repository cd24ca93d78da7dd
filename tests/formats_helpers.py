"""Reading the listening formats back (DAISY, M4B, LPF, EPUB navigation) as
(title, start seconds) lists, for tests that compare them."""

from __future__ import annotations

import json
import typing
import zipfile
from pathlib import Path

from accesspub.testing.daisy202 import clock_value
from helpers import NS, Epub, parse_strict

X = "{http://www.w3.org/1999/xhtml}"


def daisy_dtb():
    """daisy-dtb 0.0.17 declares Python 3.11 but imports ``typing.override`` (3.12) and
    ``chardet.universaldetector`` without importing it; both shims are harmless."""
    if not hasattr(typing, "override"):
        typing.override = lambda f: f
    import chardet.universaldetector  # noqa: F401
    from loguru import logger
    logger.remove()                   # it logs every step at DEBUG
    import daisy_dtb
    return daisy_dtb


def ncc_starts(folder: Path) -> list[tuple[str, float]]:
    ncc = parse_strict((folder / "ncc.html").read_bytes())
    starts = []
    for link in ncc.iter(f"{X}a"):
        smil_name, _, par_id = link.get("href").partition("#")
        smil = parse_strict((folder / smil_name).read_bytes())
        elapsed = clock_value(smil.xpath("head/meta[@name='ncc:totalElapsedTime']/@content")[0])
        begin = clock_value(smil.xpath("//par[@id=$i]//audio/@clip-begin", i=par_id)[0])
        starts.append((link.text, elapsed + begin))
    return starts


def lpf_starts(path: Path) -> list[tuple[str, float]]:
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("publication.json"))
        toc = parse_strict(zf.read("index.html"))
    offsets, at = {}, 0.0
    for item in manifest["readingOrder"]:
        offsets[item["url"]] = at
        at += iso_seconds(item["duration"])
    starts = []
    for link in toc.iter(f"{X}a"):
        url, _, fragment = link.get("href").partition("#t=")
        starts.append((link.text, offsets[url] + float(fragment or 0)))
    return starts


def iso_seconds(value: str) -> float:
    import re
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", value)
    assert m, value
    return int(m[1] or 0) * 3600 + int(m[2] or 0) * 60 + float(m[3] or 0)


def epub_starts(path: Path) -> list[tuple[str, float]]:
    epub = Epub(path)
    opf = epub.xml("EPUB/package.opf")
    items = {i.get("id"): i for i in opf.iterfind(".//opf:manifest/opf:item", NS)}
    durations = {m.get("refines").lstrip("#"): clock_value(m.text)
                 for m in opf.iterfind(".//opf:meta[@property='media:duration']", NS)
                 if m.get("refines")}
    offsets, at = {}, 0.0
    for ref in opf.iterfind(".//opf:spine/opf:itemref", NS):
        item = items[ref.get("idref")]
        overlay = item.get("media-overlay")
        if overlay:
            offsets[item.get("href")] = (at, items[overlay].get("href"))
            at += durations[overlay]
    nav = epub.xml("EPUB/nav.xhtml")
    starts = []
    for link in nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS):
        href, _, fragment = link.get("href").partition("#")
        offset, smil_href = offsets[href]
        begin = 0.0
        if fragment:
            smil = epub.xml(f"EPUB/{smil_href}")
            seq = smil.xpath("//smil:seq[substring-after(@epub:textref, '#')=$f]",
                             f=fragment, namespaces=NS)[0]
            begin = clock_value(seq.xpath(".//smil:audio/@clipBegin", namespaces=NS)[0])
        starts.append(("".join(link.itertext()), offset + begin))
    return starts


def text_lang(folder: Path) -> dict[str, str]:
    """Language of every element with an id in the DAISY content documents."""
    langs = {}
    for path in folder.glob("*.html"):
        if path.name == "ncc.html":
            continue
        for node in parse_strict(path.read_bytes()).iter():
            if isinstance(node.tag, str) and node.get("id"):
                lang = next((a.get("lang") for a in node.iterancestors() if a.get("lang")), None)
                langs[node.get("id")] = node.get("lang") or lang
    return langs

