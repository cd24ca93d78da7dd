"""Piper voices from Piper's voice repository: install by name, find installed ones.

    install(name) -> Installed            # downloads, checks size and md5, renames into place
    installed(name) -> (model, config) | None
    installed_names() -> [name]; installable() -> {name: language} (from the kept index)

Voices go to ``<voice cache>/installed/`` (``ACCESSPUB_VOICE_CACHE``, else
``$XDG_CACHE_HOME/accesspub/voices``).  The repository is read at a pinned release tag, not
``main``: the same name always gives the same bytes, which is why a build's cache key can
name an installed voice without hashing its 60 MB.  voices.json (the index, with each file's
size and md5) is fetched from that same tag on install and kept beside the voices, so
``accesspub voices`` can list what is installable offline afterwards.  It is not bundled: it
is 1 MB, changes with every Piper release, and the tag makes it as fixed as a copy would be.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from accesspub.errors import AccessPubError, ConfigError

REVISION = "v1.0.0"
BASE_URL = f"https://huggingface.co/rhasspy/piper-voices/resolve/{REVISION}/"
INDEX = "voices.json"
NAME_RE = re.compile(r"^(?P<family>[a-z]{2,3})_(?P<region>[A-Za-z0-9]+)-(?P<voice>[^-/]+)"
                     r"-(?P<quality>[a-z_]+)$")
TIMEOUT = 30          # s per request: a dead network fails instead of hanging
CHUNK = 1 << 16


class VoiceInstallError(AccessPubError):
    """A voice could not be installed: offline, unknown name, or a damaged download."""

    exit_code = 2


@dataclass(frozen=True)
class Installed:
    name: str
    model: Path
    config: Path
    bytes: int


def folder() -> Path:
    from accesspub.engines.piper.voice import voice_cache_dir
    return voice_cache_dir() / "installed"


def installed(name: str) -> tuple[Path, Path] | None:
    if not NAME_RE.match(name):
        return None
    model, config = folder() / f"{name}.onnx", folder() / f"{name}.onnx.json"
    return (model, config) if model.is_file() and config.is_file() else None


def installed_names() -> list[str]:
    if not folder().is_dir():
        return []
    return sorted(p.name.removesuffix(".onnx") for p in folder().glob("*.onnx")
                  if installed(p.name.removesuffix(".onnx")))


def _kept_index() -> dict | None:
    try:
        return json.loads((folder() / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def installable() -> dict[str, str] | None:
    """name -> language, from the index kept by the last install; None if never fetched."""
    index = _kept_index()
    if index is None:
        return None
    return {name: (entry.get("language") or {}).get("code", "")
            for name, entry in sorted(index.items())}


def _session():
    import requests
    return requests.Session()


def _offline(exc: Exception, what: str) -> VoiceInstallError:
    return VoiceInstallError(f"could not download {what} from Piper's voice repository: "
                             f"{type(exc).__name__}", code="voice-download",
                             hint="this needs internet once; check the connection (or a proxy "
                                  "setting) and run the command again")


def _fetch_index(session) -> dict:
    import requests
    try:
        response = session.get(BASE_URL + INDEX, timeout=TIMEOUT)
        response.raise_for_status()
        index = response.json()
    except requests.RequestException as exc:
        raise _offline(exc, "the voice index") from None
    except ValueError:
        raise VoiceInstallError("Piper's voice index is not JSON", code="voice-download",
                                hint="try again later") from None
    folder().mkdir(parents=True, exist_ok=True)
    tmp = folder() / f".{INDEX}.{os.getpid()}.part"
    tmp.write_text(json.dumps(index, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder() / INDEX)
    return index


def install(name: str, session=None) -> Installed:
    if not NAME_RE.match(name):
        raise ConfigError(f"{name!r} is not a Piper voice name", code="voice-unknown",
                          hint="names look like de_DE-thorsten-medium; accesspub voices "
                               "lists them")
    session = session or _session()
    index = _fetch_index(session)
    entry = index.get(name)
    if entry is None:
        near = [n for n in sorted(index) if n.split("-")[0] == name.split("-")[0]][:8]
        raise ConfigError(f"Piper's voice repository ({REVISION}) has no voice {name!r}",
                          code="voice-unknown",
                          hint=("voices in that language: " + ", ".join(near)) if near else
                          "accesspub voices lists the installable voices")
    files = entry.get("files") or {}
    wanted = [(path, meta) for path, meta in sorted(files.items())
              if path.endswith((".onnx", ".onnx.json"))]
    if len(wanted) != 2:
        raise VoiceInstallError(f"the index lists no model and config for {name}",
                                code="voice-download")
    folder().mkdir(parents=True, exist_ok=True)
    total = 0
    # The config last: a voice counts as installed only when both files are in place.
    for path, meta in sorted(wanted, key=lambda pm: pm[0].endswith(".json")):
        target = folder() / Path(path).name
        total += _download(session, path, meta, target)
    model, config = installed(name) or (None, None)
    assert model and config
    return Installed(name, model, config, total)


def _download(session, path: str, meta: dict, target: Path) -> int:
    """One file to ``target``, through a temporary file, checked against the index."""
    import requests
    size, md5 = int(meta.get("size_bytes", -1)), str(meta.get("md5_digest", "")).lower()
    if target.is_file() and target.stat().st_size == size and _md5(target) == md5:
        return size                                   # already here and whole
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    digest, got = hashlib.md5(), 0
    try:
        with session.get(BASE_URL + path, stream=True, timeout=TIMEOUT) as response:
            response.raise_for_status()
            with open(tmp, "wb") as out:
                for chunk in response.iter_content(CHUNK):
                    digest.update(chunk)
                    got += len(chunk)
                    out.write(chunk)
        if got != size or digest.hexdigest() != md5:
            raise VoiceInstallError(
                f"{Path(path).name} does not match Piper's index: {got} bytes, md5 "
                f"{digest.hexdigest()}, expected {size} bytes, md5 {md5}",
                code="voice-digest", hint="nothing was installed; run the command again, "
                "and if it fails again, report it (the download may have been altered)")
        os.replace(tmp, target)
        return got
    except requests.RequestException as exc:
        raise _offline(exc, Path(path).name) from None
    finally:
        tmp.unlink(missing_ok=True)


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
