"""Generated accesspub.toml files: each loads or fails with a located config error, never
an internal one, and never names a folder outside the project as the output or cache."""

from __future__ import annotations

import math
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accesspub import config as config_module
from accesspub.config import load_config
from accesspub.errors import ConfigError

KNOWN = {
    "project": config_module._PROJECT_KEYS,
    "narration": config_module._NARRATION_KEYS,
    "podcast": config_module._PODCAST_KEYS,
    "check": config_module._CHECK_KEYS,
    "accessibility": config_module._A11Y_KEYS,
}

FOLDERS = ["build", ".", "..", "/", "content", ".git", "accesspub.toml", "out/site",
           "../elsewhere", "content/build", "", "build/../..", "~", "a" * 300]


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


scalars = st.one_of(
    st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=string.printable.replace("\r", "").replace("\x0b", "").replace("\x0c", ""),
            max_size=20),
    st.sampled_from(FOLDERS),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3))


@st.composite
def config_files(draw) -> str:
    lines = []
    for table in draw(st.lists(st.sampled_from(sorted(KNOWN) + ["engine.piper", "engine.fake",
                                                                "narration.pauses", "nonsense"]),
                               unique=True, max_size=5)):
        lines.append(f"[{table}]")
        keys = sorted(KNOWN.get(table, {})) + ["unknown_key", "model", "ms_per_char",
                                                "sentence", "chapter"]
        for key in draw(st.lists(st.sampled_from(keys), unique=True, max_size=6)):
            lines.append(f"{key} = {_toml_value(draw(values))}")
        lines.append("")
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(
            ["[project", "key = ", "= 3", 'a = "unterminated', "[[project]]", "x = 1\nx = 2"])))
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=config_files())
def test_generated_configs_load_or_fail_located(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("fuzz-config") / "project"
    (root / "content").mkdir(parents=True)
    (root / "accesspub.toml").write_text(text, encoding="utf-8")
    try:
        config = load_config(root)
    except ConfigError as exc:
        for item in exc.diagnostics or (exc.as_diagnostic(),):
            assert item.location is not None, item
            assert item.location.path in ("accesspub.toml", "ACCESSPUB_CACHE"), item
        return
    real = root.resolve()
    for folder in (config.output_dir, config.cache_dir):
        if folder == config.cache_dir and folder.is_absolute() and not str(folder).startswith(str(real)):
            continue                    # ACCESSPUB_CACHE from the environment (the tests')
        resolved = Path(folder).resolve()
        assert real in resolved.parents, (folder, text)
        assert resolved != real / "content" and (real / "content") not in resolved.parents
