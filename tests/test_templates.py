"""Template syntax from static-site generators (issue 8): never shown raw, never spoken.

Each kind of syntax -> the expected text in the XHTML, no ``{{``/``{%`` left, and the
warnings and notices at ``file:line``."""

from __future__ import annotations

import zipfile

import pytest
from click.testing import CliRunner

from accesspub.cli import main
from accesspub.read.templates import preprocess
from helpers import make_project

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")
HEAD = "---\ntitle: Templates\ndate: 2024-01-01\n---\n\n"     # body starts on line 6


def run(text: str, **kw):
    out, notes = preprocess(HEAD + text, body_start=len(HEAD), **kw)
    assert out.count("\n") == (HEAD + text).count("\n"), "line numbers must be kept"
    return out[len(HEAD):], notes


def build(files: dict, config: str | None = None):
    root = files.pop("__root__")
    args = {"config": config} if config else {}
    make_project(root, files, **args)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--no-audio", "-q"])
    assert result.exit_code == 0, result.output
    epub = next((root / "build").glob("*/*.epub"))
    with zipfile.ZipFile(epub) as z:
        xhtml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    return result.output, xhtml


# --- the pre-pass itself ------------------------------------------------------------------

def test_hugo_content_shortcode_keeps_inner_text_with_label():
    out, notes = run("{{< note >}}\nMind the gap.\n{{< /note >}}\n")
    assert "**[Note:]{lang=en}**" in out and "Mind the gap." in out and "{{<" not in out
    assert notes == []


def test_glossary_tooltip_becomes_its_text():
    out, _ = run('A {{< glossary_tooltip text="cluster" term_id="cluster" >}} and a '
                 '{{< glossary_tooltip term_id="kube-proxy" >}}.\n')
    assert out.strip() == "A cluster and a kube-proxy."


def test_percent_shortcode_tab_label():
    out, _ = run('{{% tab name="Linux" %}}\nRun it.\n{{% /tab %}}\n')
    assert "**Linux:**" in out and "Run it." in out


def test_unknown_shortcode_removed_with_warning_at_its_line():
    out, notes = run("Text.\n\n{{< youtube abc123 >}}\n\n{{< mystery x=1 >}}\n")
    assert "{{" not in out
    assert [(n[1], n[3]) for n in notes] == [("template-removed", 8), ("template-removed", 10)]


def test_liquid_highlight_becomes_code_block():
    out, _ = run("{% highlight ruby %}\nputs 1\n{% endhighlight %}\n")
    assert out.splitlines()[:3] == ["```ruby", "puts 1", "```"]


def test_raw_keeps_content_literally_and_comment_disappears():
    out, notes = run("{% raw %}{{ x }}{% endraw %}\n\n{% comment %}\nsecret\n{% endcomment %}\n"
                     "{# a note #}\n")
    assert "{{ x }}" in out and "secret" not in out and "a note" not in out and notes == []


def test_if_keeps_first_branch_and_for_is_dropped():
    out, notes = run("{% if a %}Yes{% else %}No{% endif %}\n\n{% for p in site.posts %}"
                     "{{ p.title }}{% endfor %}\n")
    assert "Yes" in out and "No" not in out and "{" not in out
    assert {n[1] for n in notes} == {"template-removed"} and len(notes) == 2


def test_outputs_from_front_matter_and_unknown_ones():
    out, notes = run("By {{ page.author }}: {{ site.data.x }}.\n", front_matter={"author": "Ana"})
    assert out.strip() == "By Ana: ."
    assert notes[0][1] == "template-removed" and notes[0][3] == 6


def test_code_spans_and_fenced_outputs_are_literal():
    out, notes = run("Write `{{< note >}}` here.\n\n```yaml\nname: {{ .Values.name }}\n```\n")
    assert "`{{< note >}}`" in out and "{{ .Values.name }}" in out and notes == []


def test_hugo_escaped_shortcode_is_shown():
    out, _ = run("```\n{{</* note */>}}\n```\n")
    assert "{{< note >}}" in out


def test_links_resolve_against_base_url():
    out, notes = run('[Pods]({{< ref "docs/concepts/pods.md#top" >}}) and '
                     '[post]({% post_url 2019-03-05-hello %}) and [about]({{ site.baseurl }}/about/)\n',
                     base_url="https://example.org/")
    assert "(https://example.org/docs/concepts/pods/#top)" in out
    assert "(https://example.org/2019/03/05/hello/)" in out
    assert "(https://example.org/about/)" in out and notes == []


def test_kramdown_attributes_and_heading_ids_removed():
    out, _ = run("## Title {#custom}\n\nText.\n{: .lead}\n\n* TOC\n{:toc}\n")
    assert "{" not in out and "## Title" in out


# --- through a build: XHTML, warnings at file:line ------------------------------------------

def test_build_without_base_url(tmp_path):
    output, xhtml = build({"__root__": tmp_path, "content/a.md": HEAD + (
        "Intro with {{< glossary_tooltip text=\"pods\" term_id=\"pod\" >}}.\n\n"     # 6
        "{{< note >}}\nCareful.\n{{< /note >}}\n\n"                                  # 8
        "See [the docs]({{< relref \"docs/x.md\" >}}).\n\n"                           # 12
        "{{< figure src=\"/img/chart.png\" alt=\"A rising line\" caption=\"Growth\" >}}\n\n"   # 14
        "{% include figure.html image=\"/img/missing.png\" alt=\"A map\" caption=\"Where\" %}\n\n"  # 16
        "{{< unknown >}}\n\n"                                                         # 18
        "{% highlight python %}\nprint(1)\n{% endhighlight %}\n"),                   # 20
        "img/chart.png": PNG})
    for bad in ("{{", "{%", "%}", "}}", "&lt;", "glossary"):
        assert bad not in xhtml, bad
    assert "Intro with pods." in xhtml.replace("</span>", "")
    assert "Note:" in xhtml and "Careful." in xhtml
    assert "the docs" in xhtml and 'href=""' not in xhtml
    assert 'alt="A rising line"' in xhtml and "Growth" in xhtml
    assert "A map" in xhtml                                   # missing image: its alt text
    assert "<pre><code>" in xhtml and "print(1)" in xhtml
    assert "content/a.md:16: warning image-missing:" in output
    assert "content/a.md:18: warning template-removed:" in output


def test_build_with_base_url_makes_links(tmp_path):
    _, xhtml = build({"__root__": tmp_path, "content/a.md": HEAD +
                      "See [the docs]({{< ref \"docs/x.md\" >}}).\n"},
                     config="[project]\nlanguage = 'en'\nbase_url = 'https://example.org'\n")
    assert 'href="https://example.org/docs/x/"' in xhtml


def test_link_without_base_url_is_text_with_a_notice():
    out, notes = run('See [the docs]({{< relref "docs/x.md" >}}).\n')
    assert "accesspub-text:" in out
    assert [(n[0], n[1], n[3]) for n in notes] == [("notice", "template-link-text", 6)]
