"""Sentence boundaries per language: a full stop after an abbreviation that goes on (a
number, a lowercase word, a name, a word starting with a dot) ends no sentence.

REAL holds sentences as published (source URL beside each), cut where a reader pauses;
ISSUE the shapes issue 14 names.
"""

from __future__ import annotations

import pytest

from accesspub.model import Run
from accesspub.read.sentences import sentence_starts, split_sentences

# (language, source, the text's sentences)
REAL = [
    ("en", "https://www.einpresswire.com/article/571901631/senator-brian-williams-helps-secure-funding-for-north-st-louis-county-projects",
     ["JEFFERSON CITY – State Sen. Brian Williams, D-University City, proudly announces the "
      "General Assembly has appropriated more than $50 million in funding for critically "
      "needed improvement projects in North St. Louis County, the most substantial and "
      "significant investment the region has received in decades.",
      "Among the projects funded in next year’s budget are the development of the "
      "University of Missouri-St. Louis North St. Louis County Business and Workforce "
      "District and the demolition of the abandoned Jamestown Mall."]),
    ("en", "http://metrowiremedia.com/stlnews?offset=1594911107422",
     ["Brinkmann Constructors recently completed construction on a new school for Promise "
      "Christian Academy in Town and Country, Mo.",
      "The 16,000 SF, special needs school includes eight classrooms, an occupational "
      "therapy room, speech therapy room, gym, teacher workspace and offices and a "
      "commercial kitchen."]),
    ("en", "https://developstlouis.org/news-media/gsl-amp-sldc-report-to-mayor-jones-not-just-developing-a-plan-to-address-thefuture-of-railway-exchange-millennium-hotel-were-already-taking-bold-action",
     ["ST. LOUIS – Greater St. Louis, Inc. and the St. Louis Development Corporation today "
      "delivered to St. Louis Mayor Tishaura Jones the report she requested on May 17 of "
      "this year for a “plan for bold action” in the ensuing 120 days to address the future "
      "of two large vacant Downtown properties: the Railway Exchange Building and the "
      "Millennium Hotel."]),
    ("en", "https://northsideregeneration.com/author/northsidedev/",
     ["“We need to find ways to encourage more diverse students and more diversity in our "
      "medical education to pursue medical and healthcare degrees,” said PHSU President "
      "Dr. David Lenihan.",
      "“Our unique educational model at Ponce Health Sciences University helps students "
      "succeed in their medical studies and build meaningful careers in healthcare with "
      "good paying jobs.”"]),
    ("de", "https://unitednetworker.com/page/1823/?post_type=post",
     ["Duisburg, 27. Oktober 2023.",
      "Die garage DU hat sich als neues Format für Matchmaking zwischen etablierten "
      "Unternehmen und aufstrebenden Start-ups an Rhein und Ruhr nun etabliert."]),
    ("de", "https://www.wirtschaft-regional.net/tag/und/page/502",
     ["Vertreter des Gesundheitswesens und der Transplantationsmedizin sollen dem Minister "
      "am 27. August Rede und Antwort stehen.",
      "Deren Vertreter plädierten am Freitag für zusätzliche fachliche Kontrollen, lehnten "
      "mehr staatliche Aufsicht aber ab."]),
    ("fr", "https://app.livv.eu/decisions/LawLex200200003701JBJ",
     ["Après examen de cette notification, la Commission a abouti à la conclusion que "
      "l'opération notifiée entre dans le champ d'application du règlement du Conseil "
      "n° 4064-89 et ne soulève pas de doute sérieux quant à sa compatibilité avec le "
      "marché commun et le fonctionnement de l'Accord EEE."]),
    ("fr", "https://www.vie-publique.fr/discours/172991-interview-de-mme-nathalie-kosciusko-morizet-secretaire-detat-chargee-d",
     ["On va parler écologie, bien sûr.",
      "Mais je voudrais parler de la crise et de l'initiative de N. Sarkozy qui souhaite la "
      "création d'un véritable gouvernement économique européen."]),
    ("es", "https://msiberia.org/",
     ["Incluye una inyección pública de 4.295 millones de euros que atraerá, según las "
      "estimaciones del Ejecutivo, una inversión privada de 19.700 millones.",
      "La ministra de Industria, Comercio y Turismo, Reyes Maroto, lo ha anunciado en la "
      "rueda de prensa posterior al Consejo de Ministros, en la que ha calificado el plan "
      "como “histórico”."]),
]

# The shapes issue 14 names, one sentence each unless a second is given.
ISSUE = [
    ("en", ["Prices rose approx. 3,5 % last year."]),
    ("en", ["The Robert Smith Jr. Library opens on Monday."]),
    ("en", ["Traffic from .edu sites vs. .com sites grew."]),
    ("en", ["Microsoft released .NET in 2002."]),
    ("en", ["He moved to Springfield, Ill. in 2004."]),
    ("en", ["We met at 12 St. James Ave. near the park."]),
    ("en", ["He climbed Mt. Everest in 1953."]),
    ("en", ["Visit 12 Elm Blvd. for tickets."]),
    ("en", ["They sold books, pens, etc. at the fair."]),
    ("en", ["We sold books, pens, etc.", "Then we left."]),
    ("en", ["The deal was signed by Acme Inc.", "The stock rose."]),
    ("de", ["Obst, z. B. Äpfel, ist billig."]),
    ("de", ["Er kommt morgen bzw. übermorgen."]),
    ("de", ["Das Haus Nr. 5 brennt."]),
    ("de", ["Es wurden 2 Mio. Euro gezahlt."]),
    ("fr", ["Des fruits, p. ex. des pommes, sont bon marché."]),
    ("fr", ["Voir p. 12 du rapport."]),
    ("fr", ["Il y avait env. 300 personnes."]),
    ("es", ["El Sr. García llegó ayer."]),
    ("es", ["Había aprox. 300 personas."]),
    ("es", ["El n.º 5 está aquí."]),
    ("es", ["Vive en la Avda. Libertad 5."]),
]


def cut(text: str, lang: str) -> list[str]:
    starts = sentence_starts(text, lang) + [len(text)]
    return [text[a:b].strip() for a, b in zip([0] + starts, starts)]


@pytest.mark.parametrize("lang, source, sentences", REAL,
                         ids=[f"{lang}-{i}" for i, (lang, _, _) in enumerate(REAL)])
def test_real_text_is_cut_where_a_reader_pauses(lang, source, sentences) -> None:
    assert cut(" ".join(sentences), lang) == sentences


@pytest.mark.parametrize("lang, sentences", ISSUE,
                         ids=[s[0][:30] for _, s in ISSUE])
def test_abbreviation_followed_by_what_goes_on(lang, sentences) -> None:
    assert cut(" ".join(sentences), lang) == sentences


def test_runs_keep_their_marks_across_a_joined_abbreviation() -> None:
    runs = [Run("Traffic from ", "en"), Run(".edu", "en", ("code",)),
            Run(" sites grew. Then it fell.", "en")]
    sentences = split_sentences(runs, "en")
    assert ["".join(r.text for r in s) for s in sentences] == \
        ["Traffic from .edu sites grew.", "Then it fell."]
    assert sentences[0][1].marks == ("code",)
