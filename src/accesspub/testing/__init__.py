"""For tests of accesspub and of its plugins: validators (``validate``: EPUBCheck and Ace),
and publications, timelines and a fake-engine project made without reading Markdown or
speaking (``publications``).  Nothing in the runtime imports this package."""

from accesspub.testing.publications import FAKE_NARRATION, make_publication, make_timeline

__all__ = ["FAKE_NARRATION", "make_publication", "make_timeline"]
