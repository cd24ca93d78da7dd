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
    ("en", "http://x86.us/mirrors/gutenberg/2/7/0/5/27056/27056-8.txt",
     ["It will be remembered that Louis XIV. was born in one of the palaces at St. Germain, "
      "about fifteen miles from Paris.",
      "This can more easily be done in reference to Louis XIV. than any other king."]),
    ("en", "https://www.cantonrep.com/story/news/2021/11/18/jrc-myrna-a-pastore-campus-underwent-6-million-renovation/8657380002/",
     ["CANTON TWP. – The JRC Myrna A. Pastore Campus at 3300 Parkway St. NW will host an open "
      "house from 3 to 7 p.m. Friday."]),
    ("en", "https://wdac.com/delaware-lawmakers-pass-record-grants-package/",
     ["The “grant-in-aid” package is well above this year’s record $72 million and the $66.5 "
      "million recommended by Democrat Gov. John Carney.",
      "Lawmakers previously approved a $6.13 billion general fund operating budget, an "
      "increase of more than 9%."]),
    ("en", "https://www.recordherald.com/features/local-features/29810/whats-happening-at-carnegie-library-144",
     ["On Wednesday, Aug. 22, 12:30 p.m. – 1:30 p.m., join Sarah and Jodi as they visit St. "
      "Catherine’s Manor for “Learn with Friends!”",
      "Coming up: The Annual Book Sale with AAUW will take place Sept. 12-15 in the library "
      "meeting room."]),
    ("en", "https://lithspringfield.com/2013/11/11/our-world-war-ii-veterans/",
     ["Corp. John F. Miller (Milleris), 26, of Springfield died in military service in 1944.",
      "William Blazis, Jr., in World War II army uniform."]),
    ("en", "https://www.illinoistimes.com/arts-culture/local-legends-of-the-greatest-generation-17655871",
     ["Vince shot to fame throughout northern Europe after that trip, and it wasn't long before "
      "he was feted in places like West Point, the Pentagon and especially at Ft. Campbell, "
      "Kentucky, home of the 101st Division today.",
      "He joined the Army in 1943 and following basic training was assigned to the 89th "
      "Division."]),
    ("en", "https://tnonline.com/20240411/rain-in-forecast-small-stream-flooding-possible",
     ["Friday night: A chance of showers before 11 p.m., then a chance of showers and "
      "thunderstorms between 11 p.m. and 2 a.m., then showers likely after 2 a.m.",
      "Mostly cloudy, with a low around 43."]),
    ("en", "https://bookrags.com/researchtopics/crime-criminals-2004",
     ["This section contains 1,032 words (approx. 4 pages at 300 words per page)"]),
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


# --- Spanish real text (issue 14): sentences from official bulletins and town-hall pages,
# each with the page it was copied from; the abbreviations go on, the full stops end.
SPANISH_REAL = [
    ("https://www.juntadeandalucia.es/boja/2009/211/96",
     ["El Sr. Alcalde-Presidente de esta Corporación, haciendo uso de las atribuciones que le "
      "están conferidas por el art. 21.1.g) de la Ley de Bases del Régimen Local, ha tenido a "
      "bien dictar con fecha 7 de octubre de 2009 la siguiente"]),
    ("https://www.iuespartinas.evolucionateweb.com/actualidad/actualidad-3?start=264",
     ["En la mañana del martes 29 de diciembre y firmado por la Alcaldesa en funciones, Dña. "
      "Olga Hervás Nieto, vía email, han sido convocada la Corporación Municipal a la "
      "celebración de un Pleno Extraordinario a celebrar el lunes 4 de enero 2016 a las "
      "18h00, en el Salón de Plenos y con el punto único del día:"]),
    # the page breaks its line after "art."; the sentence runs on
    ("https://www.juntadeandalucia.es/boja/2003/214/12",
     ["Aprobada la Oferta de Empleo Público para 2003 y publicada en el Boletín Oficial del "
      "Estado núm. 205, de 27 de agosto de 2003, haciendo uso de las facultades que le vienen "
      "conferidas en al art. 21.1.g) de la Ley 7/1985, de 2 de abril, Reguladora de las "
      "Bases del Régimen Local, esta Alcaldía en el día de hoy"]),
    # two consecutive sentences, their list numbers ("1.1.", "1.2.") left out
    ("https://www.juntadeandalucia.es/boja/2003/214/12",
     ["Esta convocatoria tiene por objeto la provisión mediante concurso-oposición libre de "
      "una plaza de Auxiliar Administrativo vacante en la plantilla de funcionarios de este "
      "Ayuntamiento, perteneciente a la Escala de Administración General, Subescala Auxiliar, "
      "dotada con las retribuciones básicas correspondientes al grupo \"D\", según el art. 25 "
      "de la Ley 30/1984, de 2 de agosto, y las retribuciones complementarias establecidas en "
      "la Relación de Personal de este Ayuntamiento.",
      "A quien le corresponda cubrir esta plaza se le encomendarán, entre otras, las "
      "siguientes funciones:"]),
    ("https://bop.dipucordoba.es/show/20221111/announcement/4059/full",
     ["Nº. 4.059/2022"]),
    ("https://cdn.juntadeandalucia.es/boja/1994/144/52",
     ["Primera: El objeto de la presente convocatoria es la provisión de una plaza de Policía "
      "Local, vacante en la plantilla de personal funcionario del Excmo. Ayuntamiento de "
      "Salteras (Sevilla), perteneciente a la Escala de Administración Especial, Subescala de "
      "Servicios Especiales, Clase y Categoría de Policía Local, dotadas con las retribuciones "
      "correspondientes al grupo «D« y Nivel de Complemento de Destino «6«.",
      "El aspirante que obtenga plaza quedará sometido al sistema de incompatibilidades "
      "vigente, sin perjuicio de que por el puesto que ocupe le sea de aplicación otra "
      "incompatibilidad; debiendo llevar a cabo sus funciones con total dedicación, e "
      "intervenir siempre, en cualquier momento y lugar, se hallase o no de servicio, en "
      "defensa de la Ley de Seguridad Ciudadana."]),
]


@pytest.mark.parametrize("source, sentences", SPANISH_REAL,
                         ids=[f"es-real-{i}" for i in range(len(SPANISH_REAL))])
def test_spanish_real_text_is_cut_where_a_reader_pauses(source, sentences) -> None:
    assert cut(" ".join(sentences), "es") == sentences


@pytest.mark.parametrize("sentences", [
    ["El Sr. García y la Sra. López asistieron al acto.", "Después hablaron."],
    ["Publicado en el Boletín núm. 5 del año.", "Otra frase."],
    ["Véase la pág. 12 del informe.", "Otra frase."],
    ["Según el art. 3 de la ley.", "Otra frase."],
    ["Consulte los arts. 3 y 4 de la ley.", "Otra frase."],
    ["La delegación de EE. UU. llegó ayer.", "Otra frase."],
    ["Lo dijo en EE. UU.", "El martes volvió."],
    ["Lo firmó el Dr. Pérez, p. ej. en mayo.", "Otra frase."],
    ["Expte.: 1563/2020.", "Otra frase."],
], ids=lambda s: s[0][:30])
def test_spanish_abbreviations_go_on(sentences) -> None:
    assert cut(" ".join(sentences), "es") == sentences


# German and French text as published (source beside each), cut where a reader pauses: an
# abbreviation before a number, a lowercase word or a name goes on ("z.B.", "bzw.", "Nr.",
# "Dr.", "M.", "n°", "p. ex.", "s. apr. J.-C."), and pysbd's cut before what it takes for a
# list item ("den 29. Dezember", "(1865)") is no sentence end.
GERMAN_FRENCH_REAL = [
    ("de", "https://www.muehlheim.de/rathaus-politik/aktuelles/aktuelle-meldungen/2025/quartal-iv/uebersicht-ueber-die-oeffnungszeiten-der-stadtverwaltung-und-ihrer-aussenstellen-ueber-den-jahreswechsel",
     ["Am Mittwoch, den 24. Dezember zwischen 10 und 12 Uhr, am Montag, den 29. Dezember "
      "zwischen 9 und 15 Uhr, am Dienstag, den 30. Dezember zwischen 9 und 15 Uhr, am "
      "Mittwoch, den 31. Dezember zwischen 10 und 12 Uhr sowie am Freitag, den 2. Januar "
      "zwischen 9 und 12 Uhr werden Wahlvorschläge angenommen, Bescheinigungen zur "
      "Wählbarkeit bzw. zum Wahlrecht erteilt sowie weitere wahlrechtliche Angelegenheiten "
      "geklärt.",
      "Der Mängelmelder auf der städtischen Webseite wird vom 23. Dezember bis zum 2. Januar "
      "nicht betreut."]),
    ("de", "http://www.parlinkom.gv.at/dokument/XXVII/I/1663/fnameorig_1468221.html",
     ["Angesichts der prognostizierten Anhaltung der Teuerungswelle soll die Anpassung "
      "anhand einer jährlichen Valorisierungsautomatik (erstmals ab 1. Jänner 2023 bzw. im "
      "Bereich der Studienbeihilfe erstmals ab 1. September 2023) erfolgen.",
      "Weiters soll die Anrechnung des Familienzeitbonus auf einen späteren "
      "Kinderbetreuungsgeldbezug zum Zweck einer Erhöhung der partnerschaftlichen "
      "Beteiligung der Väter an der Kinderbetreuung entfallen (Väteranreiz)."]),
    ("de", "https://www.statistik.sachsen.de/html/513.htm",
     ["Die Volkswirtschaftlichen Gesamtrechnungen (VGR) haben die Aufgabe, ein möglichst "
      "vollständiges quantitatives Gesamtbild des wirtschaftlichen Geschehens in einer "
      "Volkswirtschaft in einem abgeschlossenen Berichtszeitraum darzustellen.",
      "Die Berechnungen erstrecken sich auf die Entstehung, Verteilung bzw. Umverteilung und "
      "Verwendung des Bruttoinlandsprodukts und damit auf den gesamten volkswirtschaftlichen "
      "Kreislauf."]),
    ("de", "https://aachen.polizei.nrw/faq/notruf",
     ["Beenden Sie das Gespräch nicht, bevor das Gespräch durch die Polizei beendet wird.",
      "Je nach Sachverhalt werden Sie z.B. zu Verletzten, Sachschäden oder "
      "Personenbeschreibungen befragt.",
      "Sie werden verständlicherweise sehr aufgeregt sein, wenn Sie den Notruf wählen."]),
    ("de", "http://www.kreis.aw-online.de/presse.php?lfdnrp=2917",
     ["Der Sportverein Mayschoß erhält vom Kreis Ahrweiler einen Zuschuss für die Anschaffung "
      "eines Traktor-Rasenmähers und eines Markierungswagens in Höhe von 934 Euro.",
      "Landrat Dr. Jürgen Pföhler hat den entsprechenden Bewilligungsbescheid an den "
      "Vereinsvorsitzenden Rüdiger Wolff unterzeichnet."]),
    ("de", "https://bundesdata.sporada.eu/protokolle/rede/ID0820305500",
     ["Ich eröffne die Aussprache.", "Das Wort hat der Abgeordnete Dr. Kreile."]),
    ("de", "https://projekt-gutenberg.org/montesqu/persbrie/chap040.html",
     ["Ludwig XIV. stand damals im 75. Jahre seines Lebens und im siebzigsten seiner "
      "Regierung.",
      "Unsere Geschichte besitzt kein Beispiel eines Monarchen, der so lange regiert hätte."]),
    ("de", "https://gei-digital.gei.de/viewer/fulltext/PPN656411112/94",
     ["Der eine, Albrecht II., konnte nichts thun; denn er war wohl ein tapferer und "
      "edelgesinnter Fürst, aber er regierte kürzere Zeit als irgend ein andrer deutscher "
      "König; nach zwei Jahren starb er schon.",
      "Und der andre, Friedrich III., der länger als irgend ein andrer König die Krone "
      "getragen hat, mochte nichts thun; er war zu schwach und träge und ließ die Dinge "
      "gehen, wie sie wollten; man Pflegt darum von ihm zu sagen, er habe 53 Jahre lang auf "
      "dem Throne „geschlafen\"."]),
    ("fr", "https://conferenceconsensuslogement.senat.fr/seances/s199903/s19990304/sc19990304019.html",
     ["Je suis saisi de deux amendements qui peuvent faire l'objet d'une discussion commune.",
      "Par amendement n° 3, M. Paul Girod propose de rédiger comme suit cet article :"]),
    ("fr", "https://conferenceconsensuslogement.senat.fr/seances/s199903/s19990304/sc19990304019.html",
     ["M. le président.", "La priorité est ordonnée.",
      "La parole est à M. le rapporteur, pour présenter l'amendement n° 1."]),
    ("fr", "https://www.elysee.fr/emmanuel-macron/2022/06/28/sommet-du-g7-a-elmau-en-allemagne",
     ["M. Michel, M. Draghi, M. Trudeau, M. Macron, M. Scholz, M. Biden, M. Johnson, "
      "M. Kishida et Mme von der Leyen."]),
    ("fr", "https://cchst.ca/covid19/dont-let-guard-down/index.html",
     ["Mettez en pratique l’étiquette respiratoire (p. ex., tousser ou éternuer dans votre "
      "coude ou dans un mouchoir)"]),
    ("fr", "https://www.archeodyssee.fr/sous-vos-pieds?fbclid=IwAR3gipQWJ780Z8E2Xy4HOI2pEQNZvDc_lWIHeU8220VE1nzT3qjjP41mXas",
     ["La découverte d'un four du Ier s. apr. J.-C. met en lumière la production de vin en "
      "Touraine dès l'Antiquité, car les amphores produites sont d'un type qu'on associe au "
      "transport du vin.",
      "D'autres types de récipients en céramique commune ont également été produits dans cet "
      "atelier (notamment des cruches)."]),
    ("fr", "https://www.archeodyssee.fr/sous-vos-pieds?fbclid=IwAR3gipQWJ780Z8E2Xy4HOI2pEQNZvDc_lWIHeU8220VE1nzT3qjjP41mXas",
     ["Ce cimetière gaulois (IIIe-Ier s. av. J.-C.) est situé… dans le cimetière actuel !"]),
    ("fr", "https://www.archeodyssee.fr/sous-vos-pieds?fbclid=IwAR3gipQWJ780Z8E2Xy4HOI2pEQNZvDc_lWIHeU8220VE1nzT3qjjP41mXas",
     ["Il a été abandonné et progressivement démonté à partir du IIIe s. , même s'il a servi "
      "de lieu d'occupation au IVe s. (y compris quelques sépultures)."]),
    ("fr", "https://inrap.fr./actualites/recherche?f%5B0%5D=field_periodes%3A34280&f%5B1%5D=field_actualite%3A35658&page=21",
     ["Deux d'entre elles s'avèrent particulièrement bien conservées : l'une datée du "
      "Mésolithique (7000 à 5300 avant J.-C.) est représentée par plusieurs vestiges de "
      "haltes de chasse successives ; l'autre remontant à l'Antiquité (IIe siècle à la fin du "
      "IIIe siècle après J.-C.), correspond à un sanctuaire et plusieurs bûchers funéraires, "
      "diachroniques."]),
    ("fr", "https://obtic.huma-num.fr/obvie/critique/snip?hpp=1&q=garder&start=312",
     ["(1865) Causeries du lundi.",
      "Tome V (3e éd.) « Œuvres de Louis XIV. (6 vol. in-8º. — 1808.) » pp. 313-333"]),
    ("fr", "https://123dok.net/document/yngm8rrj-seance-du-conseil-municipal-mercredi-juin-proces-verbal.html",
     ["Une prochaine réunion aura lieu le mercredi 1er juillet.",
      "Le 19 juin prochain aura lieu la fête de la musique et le dimanche 21 juin la kermesse "
      "de l’école."]),
]


@pytest.mark.parametrize("lang, source, sentences", GERMAN_FRENCH_REAL,
                         ids=[f"{lang}-real-{i}" for i, (lang, _, _) in
                              enumerate(GERMAN_FRENCH_REAL)])
def test_german_french_real_text_is_cut_where_a_reader_pauses(lang, source, sentences) -> None:
    assert cut(" ".join(sentences), lang) == sentences


# The shapes the brief names for which no real sentence turned up in the stored pages.
@pytest.mark.parametrize("lang, sentences", [
    ("de", ["Geladen sind u. a. Vertreter der Vereine.", "Der Eintritt ist frei."]),
    ("de", ["Siehe S. 12 des Berichts.", "Dort steht mehr."]),
    ("de", ["Das Haus Nr. 5 brennt.", "Die Feuerwehr ist da."]),
    ("fr", ["M. Dupont est arrivé.", "Il est reparti."]),
    ("fr", ["Fondée vers 600 av. J.-C. par des Grecs.", "La ville grandit."]),
], ids=lambda v: v[0][:30] if isinstance(v, list) else v)
def test_german_french_abbreviations_go_on(lang, sentences) -> None:
    assert cut(" ".join(sentences), lang) == sentences
