"""Shared test helpers: fixture projects on disk and a reader for built EPUBs."""

from __future__ import annotations

import hashlib
import textwrap
import zipfile
from pathlib import Path

from lxml import etree

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "smil": "http://www.w3.org/ns/SMIL",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
REPO = Path(__file__).resolve().parents[1]

DEFAULT_CONFIG = """
[project]
language = "en"
publisher = "Test Office"
"""


def make_project(root: Path, files: dict[str, str | bytes], config: str = DEFAULT_CONFIG) -> Path:
    """A project folder with accesspub.toml and the given files (paths relative to root)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "accesspub.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def parse_strict(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    return etree.fromstring(data, parser)


class Epub:
    """Read a built EPUB's parts as parsed XML."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def xml(self, name: str) -> etree._Element:
        return parse_strict(self.read(name))

    @property
    def opf(self) -> etree._Element:
        return self.xml("EPUB/package.opf")

    def manifest(self) -> dict[str, etree._Element]:
        return {i.get("id"): i for i in self.opf.iterfind("opf:manifest/opf:item", NS)}

    def spine_docs(self) -> list[str]:
        items = self.manifest()
        return ["EPUB/" + items[ref.get("idref")].get("href")
                for ref in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.iterfind(f"opf:metadata/dc:{name}", NS)]


def snapshot(folder: Path, keep=lambda path: True) -> dict[str, str]:
    """Every file below ``folder`` (those ``keep`` accepts) by relative path, with its
    SHA-256: what tests compare to show that nothing changed, or everything did."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and keep(p)}
