"""Media Overlays: one SMIL document per chapter, nested like its sections.

Every sentence is one ``<par>``: ``<text>`` before ``<audio>`` (EPUBCheck's schema is
ordered), clip times from the Timeline's sample counts.  Lists, tables and figures are
escapable ``<seq>``s and footnotes skippable, so a listener can leave or skip them.
"""

from __future__ import annotations

from lxml import etree

from accesspub.model import Block, Chapter, Section, Timeline, Track
from accesspub.timecode import clock

SMIL = "http://www.w3.org/ns/SMIL"      # http, not https: see STANDARDS.md MO-1
EPUB = "http://www.idpf.org/2007/ops"
ESCAPABLE = {"list": "list", "table": "table", "figure": "figure"}


class OverlayWriter:
    def __init__(self, track: Track, timeline: Timeline, text_href: str, audio_href: str) -> None:
        self.clips = {clip.sentence_id: clip for clip in track.clips}
        self.rate = timeline.sample_rate
        self.text_href = text_href
        self.audio_href = audio_href
        self.used: set[str] = set()

    def seq(self, parent: etree._Element, target: str, epub_type: str = "") -> etree._Element:
        node = etree.SubElement(parent, f"{{{SMIL}}}seq")
        node.set(f"{{{EPUB}}}textref", f"{self.text_href}#{target}")
        if epub_type:
            node.set(f"{{{EPUB}}}type", epub_type)
        return node

    def par(self, parent: etree._Element, sentence_id: str) -> None:
        clip = self.clips.get(sentence_id)
        if clip is None:
            return          # nothing to say (a lone symbol): it is shown, not narrated
        self.used.add(sentence_id)
        node = etree.SubElement(parent, f"{{{SMIL}}}par")
        text = etree.SubElement(node, f"{{{SMIL}}}text")
        text.set("src", f"{self.text_href}#{sentence_id}")
        audio = etree.SubElement(node, f"{{{SMIL}}}audio")
        audio.set("src", self.audio_href)
        audio.set("clipBegin", clock(clip.begin / self.rate))
        audio.set("clipEnd", clock(clip.end / self.rate))

    def block(self, parent: etree._Element, block: Block) -> None:
        if block.kind in ESCAPABLE and any(s.id in self.clips for s in block.iter_sentences()):
            parent = self.seq(parent, block.id, ESCAPABLE[block.kind])
        for sentence in block.sentences:
            self.par(parent, sentence.id)
        for child in block.children:
            self.block(parent, child)

    def section(self, parent: etree._Element, section: Section) -> None:
        node = self.seq(parent, section.id, section.epub_type if section.epub_type == "chapter" else "")
        if section.heading is not None:
            self.block(node, section.heading)
        for block in section.blocks:
            self.block(node, block)
        for child in section.children:
            self.section(node, child)

    def notes(self, parent: etree._Element, notes: Block) -> None:
        node = self.seq(parent, notes.id, "endnotes")
        for sentence in notes.sentences:
            self.par(node, sentence.id)
        for note in notes.children:
            # footnotes are skippable: a reading system may pass them by
            inner = self.seq(node, note.id, "footnote")
            for child in note.children:
                self.block(inner, child)


def overlay_document(chapter: Chapter, track: Track, timeline: Timeline, text_href: str,
                     audio_href: str) -> bytes:
    writer = OverlayWriter(track, timeline, text_href, audio_href)
    smil = etree.Element(f"{{{SMIL}}}smil", nsmap={None: SMIL, "epub": EPUB})
    smil.set("version", "3.0")
    body = etree.SubElement(smil, f"{{{SMIL}}}body")
    writer.section(body, chapter.section)
    if chapter.notes:
        writer.notes(body, chapter.notes)
    # A seq must hold something: drop those whose text is all silent (innermost first).
    for seq in reversed(list(body.iter(f"{{{SMIL}}}seq"))):
        if len(seq) == 0:
            seq.getparent().remove(seq)
    missing = set(writer.clips) - writer.used
    if missing:
        raise KeyError(f"clips without a place in the overlay: {sorted(missing)[:3]}")
    return etree.tostring(smil, xml_declaration=True, encoding="utf-8", pretty_print=True)
