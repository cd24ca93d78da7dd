"""W3C Audiobook (LPF): publication.json validates against the W3C audiobooks JSON Schema
(tests/data/audiobooks-schema, offline), its durations add up, and the table of contents
points at tracks inside the package."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from formats_helpers import iso_seconds
from helpers import parse_strict

SCHEMAS = Path(__file__).parent / "data" / "audiobooks-schema"


def validator():
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7
    resources = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        resources.append((contents["$id"], resource))
        # older stored versions refer to their modules by these addresses
        resources.append(("https://w3c.github.io/pub-manifest/schema/module/" + path.name,
                          resource))

    def offline(uri: str):
        raise LookupError(f"not in tests/data/audiobooks-schema: {uri}")
    registry = Registry(retrieve=offline).combine(Registry().with_resources(resources).crawl())
    root = json.loads((SCHEMAS / "audiobooks.schema.json").read_text(encoding="utf-8"))
    return Draft7Validator(root, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def test_the_validator_refuses_a_bad_manifest():
    bad = {"@context": ["https://schema.org", "https://www.w3.org/ns/pub-context"],
           "type": "Audiobook", "name": "x", "datePublished": "01/05/2024",
           "readingOrder": [{"url": "a.mp3", "duration": "00:04:03"}]}
    messages = [e.message for e in validator().iter_errors(bad)]
    assert len(messages) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sample", "handbook"])
def test_publication_is_valid_and_complete(narrated, name):
    build = narrated[name]
    with zipfile.ZipFile(build.out / f"{build.slug}.lpf") as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("publication.json"))
        toc = parse_strict(zf.read("index.html"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(manifest)]
    assert not errors, errors
    assert manifest["conformsTo"] == "https://www.w3.org/TR/audiobooks/"
    report = build.report()["releases"][0]
    total = sum(iso_seconds(item["duration"]) for item in manifest["readingOrder"])
    assert abs(total - iso_seconds(manifest["duration"])) < 0.01
    assert [i["url"] for i in manifest["readingOrder"]] == [
        "audio/" + Path(t["file"]).name for t in report["tracks"]]
    assert all(i["url"] in names for i in manifest["readingOrder"])
    nav = toc.find(".//{http://www.w3.org/1999/xhtml}nav")
    assert nav.get("role") == "doc-toc"
    for link in nav.iter("{http://www.w3.org/1999/xhtml}a"):
        assert link.get("href").partition("#")[0] in names
