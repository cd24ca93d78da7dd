"""Which language a release is in, and which passages are in another one (lingua).

A release without a declared language gets the detected one when the evidence is clear.
Inside a release, a sentence is marked as another language only on strong evidence (a
confident, unambiguous detection on a sentence long enough to judge); weaker evidence is
a warning for a person to decide.  Marked sentences are written with ``lang`` in the EPUB
and spoken in their language.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from accesspub import languages
from accesspub.errors import Diagnostics
from accesspub.model import Publication, Sentence

RELEASE_CONFIDENCE = 0.80    # a whole release: its first few thousand characters
STRONG = 0.95                # a sentence is marked
WEAK = 0.70                  # a sentence is reported
MIN_WORDS = 6                # shorter sentences (names, headings) are not judged
SHARED = 0.5                 # of its words in the release's own: a sentence is not judged
NAMES = 0.6                  # of its words capitalised: a list of names, not judged
# Languages a passage may be detected in besides those the release declares anywhere,
# unless the project lists its own (``[project] detect_among``): the ones accesspub has
# speech rules for, and those of the Piper voices installed here.  lingua knows 75;
# letting it choose among all of them is how a list of English names became Welsh and
# XPath became Esperanto.
EXPECTED = ("en", "de", "fr", "es")


def default_languages() -> tuple[str, ...]:
    """EXPECTED and the language of every Piper voice installed (a voice is only installed
    for a language someone means to publish in)."""
    from accesspub.engines.piper.catalogue import NAME_RE, installed_names
    voices = {NAME_RE.match(name)["family"] for name in installed_names()}
    return tuple(sorted({*EXPECTED, *voices}))


def project_languages(config) -> tuple[str, ...]:
    """The languages a project can expect: those its configuration declares (its language
    and every language it sets a voice for) and its ``detect_among`` list, or by default
    ``default_languages()``."""
    declared = {languages.primary(config.language),
                *(languages.primary(tag) for tag, _ in config.narration.languages)}
    listed = config.detect_among if config.detect_among is not None else default_languages()
    return tuple(sorted({*declared, *listed}))


@lru_cache(maxsize=1)
def _screen():
    """All languages, trigram models only: loads in a fraction of a second."""
    from lingua import LanguageDetectorBuilder
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


@lru_cache(maxsize=16)
def _screen_among(tags: tuple[str, ...]):
    """The quick screen, restricted to the languages a release can be expected to hold."""
    from lingua import LanguageDetectorBuilder
    known = _languages(tags)
    if len(known) < 2:
        return _screen()
    return LanguageDetectorBuilder.from_languages(*known).with_low_accuracy_mode().build()


def _languages(tags) -> list:
    from lingua import IsoCode639_1, Language
    found = []
    for tag in tags:
        code = getattr(IsoCode639_1, tag.upper(), None)
        if code is not None:
            found.append(Language.from_iso_code_639_1(code))
    return found


@lru_cache(maxsize=64)
def _judge_between(tags: tuple[str, ...]):
    """Full models, but only of the few languages in question (loading all takes seconds)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, t.upper())) for t in tags]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def _tag(language) -> str:
    return language.iso_code_639_1.name.lower()


def _ranked(detector, text: str) -> list[tuple[str, float]]:
    return [(_tag(v.language), v.value) for v in detector.compute_language_confidence_values(text)]


def confidences(text: str, expected: str | None = None) -> list[tuple[str, float]]:
    """(language tag, confidence) pairs, most likely first.

    A quick screen over all languages names the candidates; with ``expected`` (the
    release language) the full models then decide between it and the top candidates.
    """
    ranked = _ranked(_screen(), text)
    if expected is None:
        return ranked
    candidates = [t for t, _ in ranked[:3] if t != expected]
    try:
        return _ranked(_judge_between(tuple(sorted({expected, *candidates}))), text)
    except AttributeError:          # a tag lingua has no model for: keep the screen
        return ranked


def _prose(markdown: str) -> str:
    """Text of a Markdown source for detection: no front matter, code, tags or links."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    # no braces inside a tag: an unclosed opener stops at the next brace, not the end
    text = re.sub(r"\{[{%<][^{}]*[}%>]\}", " ", text)
    text = re.sub(r"<[^>]+>|\]\([^)]*\)|https?://\S+|[#*_`>|\[\]{}]", " ", text)
    return " ".join(text.split())


def detect_release_language(markdown: str, among: tuple[str, ...] = ()
                            ) -> tuple[str, float] | None:
    """The language of a release's text and the confidence, when it is clear enough;
    ``among``: the languages it may be in (``project_languages``; default: any)."""
    prose = _prose(markdown)[:4000]
    if len(prose.split()) < 8:
        return None
    known = tuple(sorted(_tag(lang) for lang in _languages(set(among))))
    ranked = _ranked(_judge_between(known), prose) if len(known) > 1 else confidences(prose)
    if ranked and ranked[0][1] >= RELEASE_CONFIDENCE:
        return ranked[0]
    return None


def _eligible(sentence: Sentence, release_lang: str) -> bool:
    """Worth judging: text the author left unmarked, with enough real words to tell.

    Code spans, addresses and identifiers are no language; a run of capitalised words is
    a list of names, which every language shares."""
    if any(r.lang != release_lang for r in sentence.runs if r.text.strip()):
        return False                     # the author marked languages here: theirs is right
    if sentence.role != "text":
        return False
    words = real_words(prose_of(sentence))
    if len(words) < MIN_WORDS:
        return False
    return sum(w[:1].isupper() for w in words) < NAMES * len(words)


def prose_of(sentence: Sentence) -> str:
    """The sentence's text outside code spans (and keyboard input, samples)."""
    return "".join(r.text for r in sentence.runs
                   if not any(_mark_name(m) in ("code", "kbd", "samp") for m in r.marks))


def _mark_name(mark) -> str:
    return mark if isinstance(mark, str) else str(getattr(mark, "tag", getattr(mark, "name", "")))


_IDENTIFIER = re.compile(r"[/@:=<>\[\](){}_\\$#*|]|\w\.\w|[a-z][A-Z]|\d")


def real_words(text: str) -> list[str]:
    """Words a language is made of: no URL, path, e-mail, camelCase or snake_case
    identifier, XPath step or anything with a digit."""
    words = []
    for token in text.split():
        token = token.strip(".,;:!?\"'“”‘’«»()")
        if token and not _IDENTIFIER.search(token) and any(c.isalpha() for c in token):
            words.append(token)
    return words


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W\d_]+", text)]


def _judge(text: str, primary: str) -> tuple[str, float] | None:
    """The full models' verdict on a sentence the screen did not find in ``primary``."""
    ranked = confidences(text, expected=primary)
    tag, value = ranked[0]
    if tag == primary:
        return None
    own = next((v for t, v in ranked if t == primary), 0.0)
    if value >= WEAK and own < 0.05:
        return tag, value
    return None


def _screen_tags(texts: list[str], among: tuple[str, ...] = ()) -> list[str | None]:
    """The quick screen's language for each text, among ``among`` (default: all)."""
    detector = _screen_among(tuple(sorted(set(among)))) if among else _screen()
    tags = []
    for text in texts:
        ranked = _ranked(detector, text)
        tags.append(ranked[0][0] if ranked else None)
    return tags


class Lingua:
    """lingua's screen and judgement, in this process."""

    def screen(self, texts: list[str], among: tuple[str, ...] = ()) -> list[str | None]:
        return _screen_tags(texts, among)

    def judge(self, text: str, primary: str) -> tuple[str, float] | None:
        return _judge(text, primary)

    def close(self) -> None:
        pass


def _start_detector() -> None:
    from accesspub.audio.orphans import end_with_parent
    end_with_parent()
    _screen_tags(["The screen's models load before the first request is read."])


class LinguaProcess(Lingua):
    """lingua in a process of its own, started when it is first asked something.

    lingua holds the GIL while it loads a model (0.4 s for the screen, 0.2 s per language
    for the full models): in the build process that would stop it feeding its synthesis
    workers, which by then are speaking the release ahead.  It is not started with the
    build: its start would compete with the workers' for the cores, and the first clip
    waits for the workers, not for detection (measured: the first clip 0.15 s sooner).
    """

    def __init__(self) -> None:
        self.executor = None
        self.used = False

    def _run(self, fn, *args):
        if self.executor is None:
            from accesspub.audio.orphans import start_pool
            self.executor = start_pool(1, _start_detector)
        self.used = True
        return self.executor.submit(fn, *args).result()

    def screen(self, texts: list[str], among: tuple[str, ...] = ()) -> list[str | None]:
        return self._run(_screen_tags, texts, among)

    def judge(self, text: str, primary: str) -> tuple[str, float] | None:
        return self._run(_judge, text, primary)

    def close(self) -> None:
        from accesspub.audio.orphans import stop_pool
        if self.executor is not None:
            stop_pool(self.executor, self.used)


class Verdicts:
    """Detection results kept on disk by (release language, sentence): lingua's models
    take most of a second to load, and a rebuild judges the same sentences again.

    Two kinds: the screen's language for a sentence, and the full models' verdict on a
    sentence that needed one.
    """

    VERSION = "4"

    def __init__(self, path: Path | None, lingua: Lingua | None = None) -> None:
        self.path = path
        self.lingua = lingua or Lingua()
        self.among: tuple[str, ...] = EXPECTED
        self.known: dict[str, object] = {}
        self.changed = False
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == self.VERSION:
                    self.known = data["verdicts"]
            except (OSError, ValueError, KeyError):
                self.known = {}

    def _key(self, kind: str, sentence: Sentence, release_lang: str) -> str:
        # The languages chosen among are part of the question: a project that adds one
        # to ``detect_among`` asks again.
        return hashlib.sha256(f"{kind}\0{release_lang}\0{','.join(self.among)}\0"
                              f"{sentence.role}\0{sentence.text}\0"
                              f"{[(r.lang, r.text) for r in sentence.runs]}".encode()).hexdigest()

    def screen_all(self, sentences: list[Sentence], release_lang: str) -> None:
        """Screen every sentence not screened yet, in one call to lingua."""
        keys = {self._key("screen", s, release_lang): s for s in sentences}
        todo = [k for k in keys if k not in self.known]
        if todo:
            among = tuple(sorted({languages.primary(release_lang), *self.among}))
            texts = [prose_of(keys[k]) for k in todo]
            for key, tag in zip(todo, self.lingua.screen(texts, among)):
                self.known[key] = tag
            self.changed = True

    def screen(self, sentence: Sentence, release_lang: str) -> str | None:
        self.screen_all([sentence], release_lang)
        return self.known[self._key("screen", sentence, release_lang)]  # type: ignore[return-value]

    def judge(self, sentence: Sentence, release_lang: str) -> tuple[str, float] | None:
        key = self._key("judge", sentence, release_lang)
        if key not in self.known:
            found = self.lingua.judge(prose_of(sentence), languages.primary(release_lang))
            if found and found[0] not in {languages.primary(release_lang), *self.among}:
                found = None        # a language nobody declared or can speak: not invented
            self.known[key] = list(found) if found else None
            self.changed = True
        found = self.known[key]
        return (found[0], found[1]) if found else None  # type: ignore[index]

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps({"version": self.VERSION, "verdicts": self.known}), encoding="utf-8")
        os.replace(temp, self.path)


def detect_passages(sentences: list[Sentence], release_lang: str,
                    verdicts: Verdicts) -> dict[str, tuple[str, float]]:
    """{sentence id: (language, confidence)} for the sentences that look like another
    language than ``release_lang``.

    Three steps, cheapest first: lingua's quick screen over all languages; a sentence it
    does not place in the release's language, yet mostly made of words the release uses
    in sentences it does, is in the release's language (the screen is unsure on short
    sentences: "The Soviet invasion failed to achieve its aim." screens as Dutch); the
    rest are judged by the full models of the few languages in question, which take a
    fifth of a second each to load.
    """
    primary = languages.primary(release_lang)
    eligible = [s for s in sentences if _eligible(s, release_lang)]
    screened = {s.id: verdicts.screen(s, release_lang) for s in eligible}
    vocabulary = {w for s in eligible if screened[s.id] == primary for w in _words(s.text)}
    found = {}
    for sentence in eligible:
        if screened[sentence.id] in (None, primary):
            continue
        words = _words(sentence.text)
        if words and sum(w in vocabulary for w in words) >= SHARED * len(words):
            continue
        verdict = verdicts.judge(sentence, release_lang)
        if verdict is not None:
            found[sentence.id] = verdict
    return found


def expected_languages(publication: Publication,
                       among: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The languages a passage of ``publication`` may be detected in: those it declares
    (its own, and every passage an author marked) and ``among`` (the project's,
    ``project_languages``; default: ``default_languages()``)."""
    declared = {languages.primary(r.lang) for s in publication.iter_sentences()
                for r in s.runs if r.lang}
    listed = among if among is not None else default_languages()
    return tuple(sorted({languages.primary(publication.meta.lang), *declared, *listed}))


def screen_release(publication: Publication, cache_dir: Path | None = None,
                   lingua: Lingua | None = None,
                   among: tuple[str, ...] | None = None) -> Verdicts:
    """The verdicts (cached on disk under ``cache_dir``) with every sentence worth judging
    screened: the step that loads lingua's models, unless the cache has them all.
    ``lingua``: where lingua runs (default: in this process); ``among``: as for
    ``expected_languages``."""
    verdicts = Verdicts(cache_dir / "langdetect.json" if cache_dir else None, lingua)
    verdicts.among = expected_languages(publication, among)
    release_lang = publication.meta.lang
    verdicts.screen_all([s for s in publication.iter_sentences()
                         if _eligible(s, release_lang)], release_lang)
    return verdicts


def mark_passages(publication: Publication, diag: Diagnostics,
                  cache_dir: Path | None = None,
                  verdicts: Verdicts | None = None,
                  among: tuple[str, ...] | None = None) -> Publication:
    """A copy in which sentences clearly in another language carry that language."""
    from accesspub.speech import map_sentences
    release_lang = publication.meta.lang
    if verdicts is None:
        verdicts = Verdicts(cache_dir / "langdetect.json" if cache_dir else None)
        verdicts.among = expected_languages(publication, among)
    found_in = detect_passages(list(publication.iter_sentences()), release_lang, verdicts)

    def mark(sentence: Sentence) -> Sentence:
        found = found_in.get(sentence.id)
        if found is None:
            return sentence
        tag, value = found
        if value < STRONG:
            diag.warning("lang-passage-unmarked", f"this sentence may be in another language "
                         f"({tag}, {value:.0%} sure); it is read as {release_lang}",
                         sentence.location,
                         f"if it is, mark it: [the sentence]{{lang={tag}}}")
            return sentence
        diag.notice("lang-passage-detected", f"sentence detected as {tag} ({value:.0%} sure); "
                    f"marked and spoken as {tag}", sentence.location,
                    f"mark it yourself to confirm: [the sentence]{{lang={tag}}}")
        runs = tuple(dataclasses.replace(r, lang=tag) for r in sentence.runs)
        return dataclasses.replace(sentence, runs=runs, lang=tag)

    marked = map_sentences(publication, mark)
    try:
        verdicts.save()
    except OSError:
        pass                    # a cache that cannot be written only costs time
    return marked
