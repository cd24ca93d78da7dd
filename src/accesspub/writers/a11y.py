"""Accessibility metadata computed from what was built: nothing claimed that is not there.

Values are the exact schema.org / EPUB Accessibility 1.1 vocabulary (STANDARDS.md §5, A-2…A-6).
"""

from __future__ import annotations

from dataclasses import dataclass

from accesspub.model import Publication


@dataclass(frozen=True, slots=True)
class BuildFacts:
    """What the EPUB actually contains, as the writer made it."""

    narrated: bool = False           # every sentence has a clip in a media overlay
    alt_text_narrated: bool = False  # image text alternatives are in the overlay too
    lexicon_shipped: bool = False    # a PLS lexicon is in the EPUB and linked
    narrator: str = ""


def informative_images(publication: Publication) -> bool:
    return any(block.kind == "figure" and not block.get("decorative")
               for chapter in publication.chapters
               for section in chapter.section.iter_sections()
               for top in section.blocks for block in top.iter_blocks())


def accessibility_metadata(publication: Publication, facts: BuildFacts) -> list[tuple[str, str]]:
    """(property, value) pairs for the package metadata, in a stable order."""
    visual = informative_images(publication)
    modes = ["textual"] + (["visual"] if visual else [])
    sufficient = ["textual"]
    if visual:
        sufficient.append("textual,visual")
    if facts.narrated and (facts.alt_text_narrated or not visual):
        sufficient.append("auditory")
    features = ["tableOfContents", "readingOrder", "structuralNavigation", "ARIA",
                "displayTransformability"]
    if visual:
        features.append("alternativeText")
    if facts.narrated:
        features += ["synchronizedAudioText", "highContrastAudio"]
    if facts.lexicon_shipped:
        features.append("ttsMarkup")
    pairs = [("schema:accessMode", m) for m in modes]
    pairs += [("schema:accessModeSufficient", s) for s in sufficient]
    pairs += [("schema:accessibilityFeature", f) for f in features]
    pairs.append(("schema:accessibilityHazard", "none"))
    pairs.append(("schema:accessibilitySummary", summary(publication, facts, visual)))
    return pairs


def summary(publication: Publication, facts: BuildFacts, visual: bool) -> str:
    parts = ["This publication has a table of contents, headings in a single hierarchy and "
             "the language of every passage marked, so screen readers can navigate it and "
             "pronounce it correctly."]
    if visual:
        parts.append("Every informative image has a text alternative.")
    if facts.narrated:
        alt = " including image descriptions" if visual and facts.alt_text_narrated else ""
        parts.append(f"All text{alt} is narrated by text-to-speech ({facts.narrator}) and "
                     "synchronized sentence by sentence with the text; the narration has no "
                     "background sound. Not every reading app plays synchronized narration; "
                     "the same narration is also published as MP3 audio.")
    else:
        parts.append("This edition has no narration.")
    if publication.meta.certified_by:
        parts.append(f"Accessibility was evaluated by {publication.meta.certified_by}.")
    else:
        parts.append("No formal accessibility conformance claim is made: the publication has "
                     "not been evaluated by a person.")
    if publication.meta.accessibility_summary:
        parts.append(publication.meta.accessibility_summary)
    return " ".join(parts)
