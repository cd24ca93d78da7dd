"""accesspub: one Markdown release in, an accessible EPUB 3, narration, transcripts and a feed out."""

__version__ = "0.1.0"
__all__ = ["__version__"]
