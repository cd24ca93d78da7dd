"""Images a release links to: checked, named once, embedded as they are."""

from __future__ import annotations

from pathlib import Path

from accesspub.folders import within
from accesspub.errors import Diagnostics
from accesspub.ids import slugify
from accesspub.model import Image, SourceLocation

MAX_IMAGE_BYTES = 20_000_000


def sniff_media_type(data: bytes) -> str | None:
    """The image type from the file's first bytes, or None when it is not an image we embed."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:2048].lower()):
        return "image/svg+xml"
    return None


EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
              "image/webp": "webp", "image/svg+xml": "svg"}


class ImageStore:
    def __init__(self, project_root: Path, diag: Diagnostics) -> None:
        self.root = project_root.resolve()
        self.diag = diag
        self.by_path: dict[Path, Image] = {}

    @property
    def images(self) -> tuple[Image, ...]:
        return tuple(self.by_path.values())

    def add(self, path: Path, src: str, where: SourceLocation) -> Image | None:
        resolved = within(path, self.root)
        if resolved is None:
            self.diag.error("image-outside", f"image {src} is outside the project folder", where,
                            "copy the image into the project (e.g. next to the release) and link it there")
            return None
        if resolved in self.by_path:
            return self.by_path[resolved]
        if not resolved.is_file():
            self.diag.warning("image-missing", f"image {src} not found; its text alternative "
                              "is used instead", where,
                              "check the file name: paths are relative to the Markdown file, "
                              "or to the project folder when they start with /")
            return None
        data = resolved.read_bytes()
        media_type = sniff_media_type(data)
        if media_type is None or media_type == "image/svg+xml":
            # SVG may carry scripts and needs its own accessibility work: not embedded for now.
            what = "an SVG (not supported yet)" if media_type else "not a PNG, JPEG, GIF or WebP image"
            self.diag.error("image-invalid", f"image {src} is {what}", where,
                            "export it as PNG or JPEG")
            return None
        if len(data) > MAX_IMAGE_BYTES:
            self.diag.error("image-too-large", f"image {src} is {len(data):,} bytes", where,
                            f"reduce it below {MAX_IMAGE_BYTES:,} bytes")
            return None
        number = len(self.by_path) + 1
        href = f"images/img{number:02d}-{slugify(resolved.stem, 24)}.{EXTENSIONS[media_type]}"
        image = Image(resolved, href, media_type)
        self.by_path[resolved] = image
        return image
