"""A local preview server for ``build/``: the standard library's HTTP server plus byte ranges.

Browsers seek in ``<audio>`` with ``Range`` requests, and Apple asks podcast hosts to
answer them, so this server does (RFC 9110 §14): ``Accept-Ranges: bytes`` on every file,
``206 Partial Content`` with ``Content-Range`` for one satisfiable range, ``416`` with
``Content-Range: bytes */size`` when the range starts past the end.  A header it cannot
use (several ranges, bad syntax, a stale ``If-Range``) gets the whole file, as the RFC
allows.

Types: ``.epub`` application/epub+zip, ``.mp3`` audio/mpeg, ``.vtt`` text/vtt, ``.srt``
application/x-subrip, ``feed.xml`` application/rss+xml.  The chapters JSON is served as
``application/json``: browsers show that, while they would download
``application/json+chapters``; podcast apps take the type from the feed's
``podcast:chapters type``, which says ``application/json+chapters``.  Every response
allows any origin (CORS), as Podcasting 2.0 asks for transcripts and chapters, and says
``Cache-Control: no-cache`` so a rebuild shows at once.

For a preview only: not hardened for the open internet.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TYPES = {
    ".epub": "application/epub+zip",
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".pls": "application/pls+xml; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
FEED_NAMES = {"feed.xml": "application/rss+xml; charset=utf-8"}
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """``(first, last)`` inclusive for one range; None to send the whole file; "416" when
    no byte of the range exists."""
    match = RANGE.match(header.strip())
    if not match or (not match[1] and not match[2]):
        return None                                   # several ranges or bad syntax
    if not match[1]:                                  # bytes=-N: the last N bytes
        suffix = int(match[2])
        if suffix == 0 or size == 0:
            return "416"
        return max(0, size - suffix), size - 1
    first = int(match[1])
    if first >= size:
        return "416"
    last = int(match[2]) if match[2] else size - 1
    if last < first:
        return None                                   # invalid: ignore the header
    return first, min(last, size - 1)


class RangeRequestHandler(SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler that answers byte-range requests."""

    server_version = "accesspub-preview"
    quiet = False

    def guess_type(self, path) -> str:
        name = os.path.basename(str(path))
        if name in FEED_NAMES:
            return FEED_NAMES[name]
        return TYPES.get(os.path.splitext(name)[1].lower()) or super().guess_type(path)

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_head(self):
        self._range: tuple[int, int] | None = None
        path = self.translate_path(self.path)
        if os.path.isdir(path) or "Range" not in self.headers:
            return self._whole()
        try:
            f = open(path, "rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        try:
            stat = os.fstat(f.fileno())
            size = stat.st_size
            last_modified = formatdate(stat.st_mtime, usegmt=True)
            if_range = self.headers.get("If-Range")
            wanted = parse_range(self.headers["Range"], size)
            if if_range and if_range.strip() != last_modified:
                wanted = None
            if wanted == "416":
                f.close()
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if wanted is None:
                f.close()
                return self._whole()
            first, last = wanted
            self._range = (first, last)
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self.send_header("Content-Length", str(last - first + 1))
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return f
        except Exception:
            f.close()
            raise

    def _whole(self):
        f = super().send_head()
        return f

    def send_response(self, code, message=None) -> None:
        super().send_response(code, message)
        if code == HTTPStatus.OK:
            self.send_header("Accept-Ranges", "bytes")

    def copyfile(self, source, outputfile) -> None:
        try:
            if self._range is None:
                super().copyfile(source, outputfile)
                return
            first, last = self._range
            source.seek(first)
            remaining = last - first + 1
            while remaining > 0:
                chunk = source.read(min(64 * 1024, remaining))
                if not chunk:
                    break
                outputfile.write(chunk)
                remaining -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass                       # the browser cancelled (it does when seeking)

    def log_message(self, format: str, *args) -> None:
        if not self.quiet:
            super().log_message(format, *args)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000,
                quiet: bool = False) -> PreviewServer:
    handler = type("Handler", (RangeRequestHandler,), {"quiet": quiet})
    return PreviewServer((host, port), functools.partial(handler, directory=str(directory)))


def serve(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve ``directory`` until interrupted (Ctrl+C)."""
    with make_server(directory, host, port) as server:
        server.serve_forever()


def serve_in_background(server: PreviewServer) -> threading.Thread:
    """Answer requests from a daemon thread (``accesspub serve --watch`` builds meanwhile);
    ``server.shutdown()`` ends it."""
    thread = threading.Thread(target=server.serve_forever, name="accesspub-preview", daemon=True)
    thread.start()
    return thread


def start_server(directory: Path, host: str = "127.0.0.1", port: int = 0,
                 quiet: bool = True) -> tuple[PreviewServer, str]:
    """Serve ``directory`` from a background thread: ``(server, url)``; ``server.stop()`` ends it."""
    server = make_server(directory, host, port, quiet=quiet)
    serve_in_background(server)
    return server, server.url
