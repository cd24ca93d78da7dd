"""Times as the formats write them, from one place: SMIL and EPUB (``0:01:02.345``),
WebVTT (``00:01:02.345``), SRT (``00:01:02,345``), players and pages (``1:02``)."""

from __future__ import annotations


def clock(seconds: float, *, decimal: str = ".", hour_digits: int = 1) -> str:
    """``h:mm:ss.mmm`` to the nearest millisecond; ``decimal`` "," for SRT, two hour
    digits for WebVTT and SRT."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:0{hour_digits}d}:{minutes:02d}:{secs:02d}{decimal}{millis:03d}"


def short_clock(seconds: float) -> str:
    """As players show it, whole seconds passed: 12.3 -> "0:12"; 3725 -> "1:02:05"."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
