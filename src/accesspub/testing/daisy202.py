"""A DAISY 2.02 checker: the checks DAISY Pipeline 2's ``daisy202-validator`` makes, in
Python, plus the audio checks it lists as "not implemented yet".

No DAISY validator installs from the package registries, so this restates its rules (the
RelaxNG/Schematron schemas and the XSLT steps in daisy/pipeline-modules
``scripts/daisy202-validator``; the schemas are LGPL and are not copied here).  Rule
letters match docs/formats.md: F files, N NCC, S SMIL, R references, H headings, T times,
A audio.  ``check_daisy202(folder)`` returns every finding; ``errors`` are what DP2 calls
errors.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
X = f"{{{XHTML}}}"
TOLERANCE = 0.5      # seconds: DP2's timeToleranceMs

# datatype.smilclock: full, partial and timecount forms, each with an optional "npt="
_FULL = re.compile(r"^\s*(?:npt=)?(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)\s*$")
_PARTIAL = re.compile(r"^\s*(?:npt=)?([0-5]\d):([0-5]\d(?:\.\d+)?)\s*$")
_COUNT = re.compile(r"^\s*(?:npt=)?(\d+(?:\.\d+)?)(h|min|s|ms)?\s*$")
_UNITS = {"h": 3600.0, "min": 60.0, "s": 1.0, "ms": 0.001, None: 1.0}

ALLOWED = {".html": "xhtml", ".htm": "xhtml", ".xhtml": "xhtml", ".smil": "smil",
           ".mp3": "audio", ".mp2": "audio", ".wav": "audio", ".jpg": "image",
           ".jpeg": "image", ".gif": "image", ".png": "image", ".css": "css"}
NCC_ONCE = {"dc:format": "error", "dc:identifier": "error", "ncc:pageFront": "error",
            "dc:title": "warning", "dc:date": "warning", "dc:publisher": "warning",
            "ncc:charset": "warning", "ncc:pageNormal": "warning", "ncc:pageSpecial": "warning",
            "ncc:tocItems": "warning", "ncc:totalTime": "warning"}
NCC_SOME = ("dc:language", "dc:creator")
NCC_AT_MOST_ONCE = (
    "ncc:depth", "ncc:files", "ncc:maxPageNormal", "ncc:multimediaType", "dc:source",
    "ncc:sourceDate", "ncc:sourceEdition", "ncc:sourcePublisher", "ncc:generator",
    "ncc:kByteSize", "ncc:producedDate", "ncc:producer", "ncc:revision", "ncc:revisionDate",
    "ncc:sourceRights", "ncc:sourceTitle")
NCC_ANY = ("ncc:setInfo", "ncc:sidebars", "ncc:footnotes", "ncc:prodNotes", "dc:subject",
           "ncc:narrator", "dc:contributor", "dc:coverage", "dc:description", "dc:relation",
           "dc:rights", "dc:type")
NCC_NAMES = set(NCC_ONCE) | set(NCC_SOME) | set(NCC_AT_MOST_ONCE) | set(NCC_ANY)
NCC_INTEGERS = ("ncc:pageFront", "ncc:pageNormal", "ncc:pageSpecial", "ncc:tocItems",
                "ncc:files", "ncc:maxPageNormal", "ncc:kByteSize", "ncc:revision",
                "ncc:footnotes", "ncc:sidebars", "ncc:prodNotes")
NCC_DATES = ("dc:date", "ncc:sourceDate", "ncc:producedDate", "ncc:revisionDate")
MULTIMEDIA = {"audioOnly", "audioNcc", "audioPartText", "audioFullText", "textPartAudio",
              "textNcc"}
SPAN_CLASSES = ("page-front", "page-normal", "page-special", "noteref", "sidebar",
                "optional-prodnote")
SMIL_META = {"dc:format": (1, 1), "ncc:generator": (0, 1), "dc:identifier": (0, 1),
             "dc:title": (0, 1), "ncc:timeInThisSmil": (0, 1), "ncc:totalElapsedTime": (0, 1),
             "title": (0, 1)}
SYSTEM_REQUIRED = {"sidebar-on", "prodnote-on", "footnote-on", "pagenumber-on"}
PAR_CONTENT = (["text"], ["audio", "text"], ["seq", "text"], ["img", "text"],
               ["audio", "img", "text"], ["img", "seq", "text"])
INTEGER = re.compile(r"^[+-]?\d+$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
LANGUAGE = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


def clock_value(value: str | None) -> float | None:
    """Seconds of a SMIL clock value, None when it is not one."""
    if value is None:
        return None
    if m := _FULL.match(value):
        return int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
    if m := _PARTIAL.match(value):
        return int(m[1]) * 60 + float(m[2])
    if m := _COUNT.match(value):
        return float(m[1]) * _UNITS[m[2]]
    return None


def decoded_duration(path: Path) -> float | None:
    """Seconds of audio a player hears: ffmpeg's decode applies the LAME gapless trim,
    which the header length (mutagen) does not."""
    from accesspub.audio.encode import ffmpeg_exe
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-i",
                           str(path), "-f", "null", "-", "-progress", "pipe:1"],
                          capture_output=True, text=True, check=False)
    times = [line.split("=", 1)[1] for line in done.stdout.splitlines()
             if line.startswith("out_time_us=")]
    return int(times[-1]) / 1e6 if times and times[-1].isdigit() else None


@dataclass(frozen=True)
class Finding:
    severity: str       # "error" or "warning"
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.severity}: {self.message}"


class Checker:
    def __init__(self, folder: Path, tolerance: float, audio: bool) -> None:
        self.folder = folder
        self.tolerance = tolerance
        self.audio = audio
        self.findings: list[Finding] = []
        self.docs: dict[Path, etree._ElementTree] = {}
        self.ids: dict[Path, set[str]] = {}

    def add(self, file: str | Path, message: str, severity: str = "error") -> None:
        name = file.name if isinstance(file, Path) else file
        self.findings.append(Finding(severity, name, message))

    # --- F: files ---------------------------------------------------------------------
    def files(self) -> Path | None:
        paths = sorted(p for p in self.folder.rglob("*") if p.is_file())
        for path in paths:
            if path.suffix.lower() not in ALLOWED:     # [F1] every file, not only referenced
                self.add(path, f"file type not allowed in DAISY 2.02: {path.suffix or path.name}")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        for path in paths:
            if ALLOWED.get(path.suffix.lower()) in ("xhtml", "smil"):
                try:
                    self.docs[path.resolve()] = etree.parse(str(path), parser)
                except etree.XMLSyntaxError as exc:
                    self.add(path, f"not well-formed XML: {exc}")
        self.ids = {p: {e.get("id") for e in d.iter() if isinstance(e.tag, str) and e.get("id")}
                    for p, d in self.docs.items()}
        ncc = self.folder / "ncc.html"                 # [F2] lower case, at the root
        if not ncc.is_file():
            self.add("ncc.html", "no ncc.html (lower case) at the root of the book")
            return None
        return ncc.resolve()

    # --- N: the NCC -------------------------------------------------------------------
    def ncc(self, path: Path) -> tuple[etree._Element, dict[str, list[str]]] | None:
        doc = self.docs.get(path)
        if doc is None:
            return None
        root = doc.getroot()
        if root.tag != X + "html":
            self.add(path, "the root must be <html> in the XHTML namespace")
        if doc.docinfo.public_id != "-//W3C//DTD XHTML 1.0 Transitional//EN":
            self.add(path, "the DOCTYPE should be XHTML 1.0 Transitional", "warning")
        head, body = root.find(X + "head"), root.find(X + "body")
        if head is None or body is None:
            self.add(path, "html must hold head, then body")
            return None
        if len(head.findall(X + "title")) != 1:
            self.add(path, "head needs exactly one title")
        for node in head:
            if isinstance(node.tag, str) and node.tag not in (X + "title", X + "meta", X + "link"):
                self.add(path, f"element not allowed in the NCC head: {node.tag}")
        for link in head.findall(X + "link"):
            if not all(link.get(a) for a in ("rel", "type", "href")):
                self.add(path, "link needs rel, type and href")
        meta: dict[str, list[str]] = {}
        for node in head.findall(X + "meta"):
            name, content = node.get("name"), node.get("content")
            if node.get("http-equiv"):
                if node.get("http-equiv").lower() != "content-type":
                    self.add(path, f"http-equiv not allowed: {node.get('http-equiv')}")
                meta.setdefault("http-equiv", []).append(content or "")
                continue
            if name is None or content is None:
                self.add(path, "meta needs name and content")
                continue
            if name not in NCC_NAMES and not name.startswith("prod:"):
                self.add(path, f"meta name not allowed in the NCC: {name}")
            meta.setdefault(name, []).append(content)
        self._ncc_meta(path, meta)
        self._ncc_body(path, body, meta)
        return body, meta

    def _ncc_meta(self, path: Path, meta: dict[str, list[str]]) -> None:
        for name, severity in NCC_ONCE.items():
            if len(meta.get(name, [])) != 1:
                self.add(path, f"{name} must occur exactly once", severity)
        for name in NCC_SOME:
            if not meta.get(name):
                self.add(path, f"{name} must occur at least once", "warning")
        for name in (*NCC_AT_MOST_ONCE, "http-equiv"):
            if len(meta.get(name, [])) > 1:
                self.add(path, f"{name} occurs more than once", "warning")
        if meta.get("dc:format", ["Daisy 2.02"])[0] != "Daisy 2.02":
            self.add(path, 'dc:format must be "Daisy 2.02"')
        for name in NCC_DATES:
            for value in meta.get(name, []):
                if not DATE.match(value):
                    self.add(path, f"{name} must be YYYY[-MM[-DD]]: {value!r}")
        for name in NCC_INTEGERS:
            for value in meta.get(name, []):
                if not INTEGER.match(value):
                    self.add(path, f"{name} must be an integer: {value!r}")
        for value in meta.get("dc:language", []):
            if not LANGUAGE.match(value):
                self.add(path, f"dc:language must be a language tag: {value!r}")
        for value in meta.get("ncc:totalTime", []):
            if clock_value(value) is None:
                self.add(path, f"ncc:totalTime is not a SMIL clock value: {value!r}")
        for value in meta.get("ncc:multimediaType", []):
            if value not in MULTIMEDIA:
                self.add(path, f"ncc:multimediaType {value!r} is not a DAISY 2.02 type")

    def _ncc_body(self, path: Path, body: etree._Element, meta: dict[str, list[str]]) -> None:
        def one(name: str) -> str | None:
            values = meta.get(name)
            return values[0] if values and INTEGER.match(values[0]) else None
        items = [k for k in body if isinstance(k.tag, str)]
        if not items or items[0].tag != X + "h1" or items[0].get("class") != "title":
            self.add(path, 'the first item of the NCC body must be <h1 class="title">')
        counts = dict.fromkeys(SPAN_CLASSES, 0)
        last_page = None
        for item in items:
            tag = etree.QName(item).localname
            if tag not in ("h1", "h2", "h3", "h4", "h5", "h6", "span", "div"):
                self.add(path, f"element not allowed in the NCC body: {tag}")
                continue
            if not item.get("id"):
                self.add(path, f"<{tag}> needs an id")
            links = [c for c in item if isinstance(c.tag, str)]
            if len(links) != 1 or links[0].tag != X + "a" or (item.text or "").strip():
                self.add(path, f"<{tag} id={item.get('id')}> must hold exactly one <a>")
                continue
            link = links[0]
            if len(link) or not re.match(r"^.+\.[Ss][Mm][Ii][Ll]#.+$", link.get("href") or ""):
                self.add(path, f"the <a> of {item.get('id')} must hold text only and point "
                         "at file.smil#id")
            if link.get("shape") not in (None, "rect", "circle", "poly", "default"):
                self.add(path, f"bad shape {link.get('shape')!r}")
            kind = item.get("class")
            if tag == "span":
                if kind not in counts:
                    self.add(path, f"span class must be one of {', '.join(SPAN_CLASSES)}")
                    continue
                counts[kind] += 1
                if kind == "page-normal":
                    if INTEGER.match((link.text or "").strip()):
                        last_page = int(link.text)
                    else:
                        self.add(path, "page-normal text must be an integer")
            if tag == "div" and kind != "group":
                self.add(path, 'an NCC div must be class="group"')
        for name, kind in (("ncc:pageFront", "page-front"), ("ncc:pageNormal", "page-normal"),
                           ("ncc:pageSpecial", "page-special"), ("ncc:footnotes", "noteref"),
                           ("ncc:sidebars", "sidebar"), ("ncc:prodNotes", "optional-prodnote")):
            if name in ("ncc:footnotes", "ncc:sidebars", "ncc:prodNotes") and counts[kind] \
                    and len(meta.get(name, [])) != 1:
                self.add(path, f"{name} is required: there are {kind} spans", "warning")
            if one(name) is not None and int(one(name)) != counts[kind]:
                self.add(path, f"{name} should be {counts[kind]}", "warning")
        if one("ncc:tocItems") is not None and int(one("ncc:tocItems")) != len(items):
            self.add(path, f"ncc:tocItems should be {len(items)} (every body item)", "warning")
        if last_page is not None and one("ncc:maxPageNormal") is not None \
                and int(one("ncc:maxPageNormal")) != last_page:
            self.add(path, "ncc:maxPageNormal is not the last page number", "warning")
        levels = [int(etree.QName(k).localname[1]) for k in items
                  if re.fullmatch(r"h\d", etree.QName(k).localname)]
        if one("ncc:depth") is not None and levels and int(one("ncc:depth")) != max(levels):
            self.add(path, f"ncc:depth should be {max(levels)}", "warning")

    # --- H: heading hierarchy, R: references from the XHTML documents ------------------
    def headings(self) -> None:
        for path, doc in self.docs.items():
            if path.suffix.lower() == ".smil":
                continue
            previous = None
            for node in doc.iter():
                if isinstance(node.tag, str) and re.fullmatch(r"h[1-6]", etree.QName(node).localname):
                    level = int(etree.QName(node).localname[1])
                    if previous is not None and level - 1 > previous:
                        self.add(path, f"incorrect heading hierarchy: h{level} after h{previous}")
                    previous = level

    def resolve(self, base: Path, ref: str | None, where: str) -> tuple[Path, str] | None:
        if ref is None:
            return None
        if ref == "":
            self.add(base, f"empty reference at {where}")
            return None
        if re.match(r"^\w+:", ref) and not ref.startswith("file:"):
            return None          # DP2 skips other schemes
        file, _, fragment = ref.partition("#")
        target = (base.parent / file).resolve() if file else base
        if not target.is_file():
            self.add(base, f"{where} points to a file not in the book: {ref}")
            return None
        if fragment and target in self.docs and fragment not in self.ids[target]:
            self.add(base, f"{where} points to a missing id: {ref}")
            return None
        return target, fragment

    def references(self) -> None:
        for path, doc in self.docs.items():
            if path.suffix.lower() == ".smil":
                continue
            for node in doc.iter():
                if not isinstance(node.tag, str) or not node.tag.startswith(X):
                    continue
                names = ("href", "src", "cite", "longdesc") + (
                    ("data",) if node.tag == X + "object" else ())
                for attr in names:
                    found = self.resolve(path, node.get(attr),
                                         f"{etree.QName(node).localname}/@{attr}")
                    if found and found[1] and found[0].suffix.lower() == ".smil":
                        target = self.docs[found[0]].getroot().xpath("//*[@id=$i]", i=found[1])
                        if target and target[0].tag not in ("par", "text"):
                            self.add(path, f"{node.get(attr)} must point at a SMIL par or text")

    # --- S: SMIL, T: times, A: audio ---------------------------------------------------
    def smil(self, path: Path, audio_uses: dict[Path, list]) -> float | None:
        doc = self.docs[path]
        smil = doc.getroot()
        if doc.docinfo.public_id != "-//W3C//DTD SMIL 1.0//EN":
            self.add(path, "the DOCTYPE should be SMIL 1.0", "warning")
        if smil.tag != "smil":
            self.add(path, "the root must be <smil> without a namespace")
            return None
        head, body = smil.find("head"), smil.find("body")
        if [c.tag for c in smil if isinstance(c.tag, str)] != ["head", "body"]:
            self.add(path, "smil must hold head, then body")
            return None
        if path.name.lower() == "master.smil":
            refs = [c for c in body if isinstance(c.tag, str)]
            if len(head.findall("layout")) > 1:
                self.add(path, "at most one layout")
            if not refs or any(c.tag != "ref" or not c.get("id") or not c.get("src") for c in refs):
                self.add(path, "the body must be ref elements with id and src")
            for ref in refs:
                self.resolve(path, ref.get("src"), "ref/@src")
            return None
        layout = head.findall("layout")
        if len(layout) != 1 or len(layout[0]) != 1 or layout[0][0].tag != "region" \
                or not layout[0][0].get("id"):
            self.add(path, "head needs exactly one layout holding one region with an id")
        meta: dict[str, list[str]] = {}
        for node in head.findall("meta"):
            if node.get("name") not in SMIL_META or node.get("content") is None:
                self.add(path, f"meta not allowed in SMIL: {node.get('name')}")
                continue
            meta.setdefault(node.get("name"), []).append(node.get("content"))
        for name, (low, high) in SMIL_META.items():
            if not low <= len(meta.get(name, [])) <= high:
                self.add(path, f"meta {name} must occur {low} to {high} times", "warning")
        if meta.get("dc:format", ["Daisy 2.02"])[0] != "Daisy 2.02":
            self.add(path, 'dc:format must be "Daisy 2.02"')
        for name in ("ncc:timeInThisSmil", "ncc:totalElapsedTime"):
            if name in meta and clock_value(meta[name][0]) is None:
                self.add(path, f"{name} is not a clock value")
        seqs = [c for c in body if isinstance(c.tag, str)]
        if len(seqs) != 1 or seqs[0].tag != "seq":
            self.add(path, "the body must hold exactly one seq")
            return None
        mother = seqs[0]
        if mother.get("dur") is not None and clock_value(mother.get("dur")) is None:
            self.add(path, "seq/@dur is not a clock value")
        extra = set(mother.attrib) - {"id", "dur", "repeat"}
        if extra:
            self.add(path, f"attributes not allowed on the body seq: {sorted(extra)}")
        pars = []
        for child in mother:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "par":
                pars.append(child)
            elif child.tag == "seq" and len(child) == 2 and all(x.tag == "par" for x in child):
                pars.extend(child)          # a note reference and its note
            elif not (child.tag == "audio" and len(mother) == 1):
                self.add(path, f"unexpected <{child.tag}> in the body seq")
        total = 0.0
        for par in pars:
            total += self._par(path, par, audio_uses)
        declared = clock_value(meta.get("ncc:timeInThisSmil", ["0"])[0]) or 0.0
        if abs(total - declared) > self.tolerance:          # [T1]
            self.add(path, f"expected duration {total:.3f} s but ncc:timeInThisSmil is "
                     f"{declared:.3f} s")
        dur = clock_value(mother.get("dur"))
        if dur is not None and abs(dur - total) > self.tolerance:     # [T4]
            self.add(path, f"seq/@dur {mother.get('dur')} is not {total:.3f} s", "warning")
        return total

    def _par(self, path: Path, par: etree._Element, audio_uses: dict[Path, list]) -> float:
        if par.get("endsync") != "last":
            self.add(path, f'par {par.get("id")} needs endsync="last"')
        if par.get("system-required") not in (None, *SYSTEM_REQUIRED):
            self.add(path, f"bad system-required {par.get('system-required')!r}")
        tags = sorted(c.tag for c in par if isinstance(c.tag, str))
        if tags not in PAR_CONTENT:
            self.add(path, f"par {par.get('id')} must hold text and audio (or a seq of "
                     f"audio), found {tags}")
        for text in par.findall("text"):
            if not text.get("id") or not text.get("src"):
                self.add(path, "text needs id and src")
            else:
                self.resolve(path, text.get("src"), "text/@src")       # [R2]
        total = 0.0
        for node in par.findall("audio") + [a for s in par.findall("seq") for a in s]:
            if node.tag != "audio":
                self.add(path, "a seq in a par may hold only audio")
                continue
            if not all(node.get(k) for k in ("id", "src", "clip-begin", "clip-end")):
                self.add(path, "audio needs id, src, clip-begin and clip-end")
                continue
            begin, end = clock_value(node.get("clip-begin")), clock_value(node.get("clip-end"))
            if begin is None or end is None:
                self.add(path, f"bad clip value in {node.get('id')}")
                continue
            if end < begin:
                self.add(path, f"clip-end before clip-begin in {node.get('id')}")
            total += end - begin
            found = self.resolve(path, node.get("src"), "audio/@src")
            if found:
                audio_uses.setdefault(found[0], []).append((path, node.get("id"), end))
        return total

    def times(self, body: etree._Element, ncc: Path, meta: dict[str, list[str]]) -> None:
        flow: list[Path] = []
        for link in body.iter(X + "a"):
            target = (ncc.parent / (link.get("href") or "").partition("#")[0]).resolve()
            if target.suffix.lower() == ".smil" and target not in flow:
                flow.append(target)
        audio_uses: dict[Path, list] = {}
        durations = {}
        for path in sorted(self.docs):
            if path.suffix.lower() == ".smil":
                duration = self.smil(path, audio_uses)
                if duration is not None:
                    durations[path] = duration
        elapsed = 0.0
        for path in flow:                                       # [T2]
            if path not in durations:
                continue
            values = self.docs[path].getroot().xpath(
                "head/meta[@name='ncc:totalElapsedTime']/@content")
            declared = clock_value(values[0] if values else "0") or 0.0
            if abs(elapsed - declared) > self.tolerance:
                self.add(path, f"expected total elapsed time {elapsed:.3f} s but found "
                         f"{declared:.3f} s")
            elapsed += durations[path]
        for path in durations:
            if path not in flow:
                self.add(path, "this SMIL is not reached from the NCC", "warning")
        total = clock_value((meta.get("ncc:totalTime") or [None])[0])
        if total is not None and abs(sum(durations.values()) - total) > self.tolerance:  # [T3]
            self.add(ncc, f"expected total time {sum(durations.values()):.3f} s but "
                     f"ncc:totalTime is {total:.3f} s")
        if self.audio:
            self.audio_files(audio_uses)

    def audio_files(self, uses: dict[Path, list]) -> None:
        from mutagen.mp3 import MP3, BitrateMode
        for path, clips in sorted(uses.items()):
            duration = decoded_duration(path)
            if duration is None:
                self.add(path, "the audio file does not decode")
                continue
            for smil, clip_id, end in clips:                    # [A1]
                if end > duration + 0.001:
                    self.add(smil, f"clip {clip_id} ends at {end:.3f} s, after the end of "
                             f"{path.name} ({duration:.3f} s)")
            if path.suffix.lower() == ".mp3":                   # [A2]
                info = MP3(path).info
                if info.channels != 1:
                    self.add(path, "not mono", "warning")
                if info.bitrate_mode == BitrateMode.VBR:
                    self.add(path, "variable bit rate: some players need constant", "warning")


def check_daisy202(folder: Path | str, *, tolerance: float = TOLERANCE,
                   audio: bool = True) -> list[Finding]:
    """Every finding for the DAISY 2.02 book in ``folder`` (errors and warnings)."""
    checker = Checker(Path(folder), tolerance, audio)
    ncc = checker.files()
    if ncc is None:
        return checker.findings
    parsed = checker.ncc(ncc)
    if parsed is None:
        return checker.findings
    checker.headings()
    checker.references()
    checker.times(parsed[0], ncc, parsed[1])
    return checker.findings


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
