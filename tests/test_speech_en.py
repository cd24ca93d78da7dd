"""English text normalisation for speech: what the engine is given for what is written."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accesspub.speech.normalize import normalize, rules_for

CASES = [
    # --- grouped numbers and decimals
    ("26 000", "twenty-six thousand"),
    ("26\u00a0000", "twenty-six thousand"),
    ("26\u2009000", "twenty-six thousand"),
    ("26\u202f000", "twenty-six thousand"),
    ("250.000", "two hundred and fifty thousand"),
    ("1,500", "one thousand five hundred"),
    ("1,500,000", "one million five hundred thousand"),
    ("1.500.000 people", "one million five hundred thousand people"),
    ("100,000 people", "one hundred thousand people"),
    ("1,234.56", "one thousand two hundred and thirty-four point five six"),
    ("3.5", "three point five"),
    ("0.25", "zero point two five"),
    ("3.50", "three point five zero"),
    ("0.500", "zero point five zero zero"),
    ("-4", "minus four"),
    ("−4", "minus four"),
    ("it fell by -2.5", "it fell by minus two point five"),
    ("42", "forty-two"),
    ("0", "zero"),
    ("7 people", "seven people"),
    ("130 civilians", "one hundred and thirty civilians"),
    ("Version 2.0.1", "Version two point zero point one"),
    # --- ordinals
    ("30th", "thirtieth"),
    ("1st", "first"),
    ("2nd", "second"),
    ("3rd", "third"),
    ("22nd", "twenty-second"),
    ("101st", "one hundred and first"),
    ("30TH ANNIVERSARY", "thirtieth anniversary"),
    ("the 5th-10th of May", "the fifth to tenth of May"),
    # --- years and ranges
    ("in 1990", "in nineteen ninety"),
    ("in 2020", "in twenty twenty"),
    ("in 2005", "in two thousand and five"),
    ("in 1905", "in nineteen oh-five"),
    ("in 2000", "in two thousand"),
    ("more than 2000 people", "more than two thousand people"),
    ("1988-1989", "nineteen eighty-eight to nineteen eighty-nine"),
    ("1988–89", "nineteen eighty-eight to nineteen eighty-nine"),
    ("1988 – 1989", "nineteen eighty-eight to nineteen eighty-nine"),
    ("2019/20", "twenty nineteen to twenty twenty"),
    ("5-10", "five to ten"),
    ("5–10 people", "five to ten people"),
    ("the 1990s", "the nineteen nineties"),
    ("the '80s", "the eighties"),
    # --- dates
    ("20.01.2020", "the twentieth of January, twenty twenty"),
    ("20/01/2020", "the twentieth of January, twenty twenty"),
    ("1.2.2020", "the first of February, twenty twenty"),
    ("01/20/2020", "January twentieth, twenty twenty"),
    ("2020-01-20", "the twentieth of January, twenty twenty"),
    ("January 20, 1990", "January twentieth, nineteen ninety"),
    ("January 20 1990", "January twentieth, nineteen ninety"),
    ("January 20th, 1990", "January twentieth, nineteen ninety"),
    ("Jan. 20, 1990", "January twentieth, nineteen ninety"),
    ("20 January 2020", "the twentieth of January, twenty twenty"),
    ("on the 20th of January", "on the twentieth of January"),
    ("the tragedy of January 20 went unpunished",
     "the tragedy of January twentieth went unpunished"),
    ("in January 1990", "in January nineteen ninety"),
    ("32.01.2020", "thirty-two point one point two thousand and twenty"),  # not a date
    # --- times
    ("9:30", "nine thirty"),
    ("14:05", "fourteen oh five"),
    ("9:30 am", "nine thirty a m"),
    ("9:30 p.m.", "nine thirty p m."),
    ("at 9:00", "at nine o'clock"),
    ("at 14:00", "at fourteen hundred"),
    ("at 9am", "at nine a m"),
    ("at 10 a.m. sharp", "at ten a m sharp"),
    # --- money
    ("$5", "five dollars"),
    ("$6M", "six million dollars"),
    ("$2.5B", "two point five billion dollars"),
    ("$5 Million", "five million dollars"),
    ("$1", "one dollar"),
    ("$5.50", "five dollars and fifty cents"),
    ("$0.99", "ninety-nine cents"),
    ("€1.5 million", "one point five million euros"),
    ("€2bn", "two billion euros"),
    ("$3m", "three million dollars"),
    ("£20", "twenty pounds"),
    ("5 EUR", "five euros"),
    ("5€", "five euros"),
    ("USD 10", "ten U S dollars"),
    ("1,000 AZN", "one thousand manat"),
    # --- percentages
    ("12%", "twelve percent"),
    ("12.5 %", "twelve point five percent"),
    ("5-10%", "five to ten percent"),
    ("-3%", "minus three percent"),
    # --- units
    ("5 km", "five kilometres"),
    ("1 km", "one kilometre"),
    ("0.5 km", "zero point five kilometres"),
    ("10 kg", "ten kilograms"),
    ("3 m", "three metres"),
    ("20 °C", "twenty degrees Celsius"),
    ("20°C", "twenty degrees Celsius"),
    ("-1 °C", "minus one degree Celsius"),
    ("100 km/h", "one hundred kilometres per hour"),
    ("5 km2", "five square kilometres"),
    ("5 km²", "five square kilometres"),
    ("a 45° angle", "a forty-five degrees angle"),
    ("5km", "five kilometres"),
    # --- phone numbers
    ("TEL: (+387 33) 695 802/803/804",
     "telephone: plus three eight seven, three three, six nine five, eight zero two, "
     "eight zero three or eight zero four"),
    ("FAX: (+387 33) 695 801",
     "fax: plus three eight seven, three three, six nine five, eight zero one"),
    ("Phone: 033 695 801", "Phone: zero three three, six nine five, eight zero one"),
    ("Tel. 033/695-801", "telephone zero three three, six nine five, eight zero one"),
    ("call 555-123-4567 now", "call five five five, one two three, four five six seven now"),
    ("Call +1 (555) 123-4567.", "Call plus one, five five five, one two three, four five six seven."),
    ("Mob: +387 61 123 456", "Mob: plus three eight seven, six one, one two three, four five six"),
    # --- postcodes and house numbers
    ("Dzemala Bijedica 305, 71210, Ilidza, Sarajevo",
     "Dzemala Bijedica three hundred and five, seven one two one zero, Ilidza, Sarajevo"),
    ("Main Street, 10115 Berlin", "Main Street, one zero one one five Berlin"),
    ("In Baku, 130 people", "In Baku, one hundred and thirty people"),
    # --- e-mail and web
    ("sarajevo@mission.mfa.gov.az", "sarajevo at mission dot mfa dot gov dot az"),
    ("write to info2020@example.com.", "write to info two zero two zero at example dot com."),
    ("first_last@mail.example.org", "first underscore last at mail dot example dot org"),
    ("http://sarajevo.mfa.gov.az", "sarajevo dot mfa dot gov dot az"),
    ("https://sarajevo.mfa.gov.az/", "sarajevo dot mfa dot gov dot az"),
    ("sarajevo.mfa.gov.az", "sarajevo dot mfa dot gov dot az"),
    ("www.example.org/path", "w w w dot example dot org slash path"),
    ("see https://example.com/a-b?x=1#top.", "see example dot com slash a dash b."),
    ("example.com/2020/report", "example dot com slash two zero two zero slash report"),
    # --- capitals and acronyms
    ("the USSR", "the U S S R"),
    ("the EU", "the E U"),
    ("the BBC", "the B B C"),
    ("the UN", "the U N"),
    ("NATO", "Nato"),
    ("UNESCO", "Unesco"),
    ("NASA", "Nasa"),
    ("PRESS RELEASE", "press release"),
    ("TEL:", "telephone:"),
    ("FAX:", "fax:"),
    ("E-MAIL:", "e-mail:"),
    ("WEBSITE:", "website:"),
    ("WHO WE ARE", "who we are"),
    ("the WHO said", "the W H O said"),
    ("NGOs", "N G O's"),
    ("the U.S. and the U.N.", "the U S and the U N."),
    ("G20 summit", "G twenty summit"),
    ("COVID-19", "Covid-nineteen"),
    ("The AT&T deal", "The A T and T deal"),
    # --- abbreviations
    ("No. 5", "number five"),
    ("No, thanks.", "No, thanks."),
    ("#1", "number one"),
    ("Dr. Smith", "doctor Smith"),
    ("Mr. and Mrs. Smith", "mister and missus Smith"),
    ("St. Petersburg", "Saint Petersburg"),
    ("Main St.", "Main Street."),
    ("12 Baker St. London", "twelve Baker Street London"),
    ("e.g. this", "for example this"),
    ("i.e. that", "that is that"),
    ("apples, pears etc.", "apples, pears et cetera."),
    ("etc. and more", "et cetera and more"),
    ("approx. 5 km", "approximately five kilometres"),
    ("p. 5 and pp. 10-12", "page five and pages ten to twelve"),
    ("ACME Ltd.", "acme limited."),
    # --- symbols
    ("Tom & Jerry", "Tom and Jerry"),
    ("his/her", "his or her"),
    ("and/or", "and or"),
    ("a – b", "a, b"),
    ("a—b", "a, b"),
    ("a - b", "a, b"),
    ("wait... what", "wait... what"),
    ("wait… what", "wait... what"),
    ("1/2", "one half"),
    ("3/4", "three quarters"),
    ("2/3", "two thirds"),
    ("24/7", "twenty-four seven"),
    ("a 1:2 ratio", "a one to two ratio"),
    ("2 + 2 = 4", "two plus two equals four"),
    ("Nagorno-Karabakh", "Nagorno-Karabakh"),
    ("Martyr's Alley", "Martyr's Alley"),
    # --- whitespace
    ("  spaced \n out\ttext ", "spaced out text"),
    ("", ""),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_english(written: str, spoken: str) -> None:
    assert normalize(written, "en") == spoken


def test_there_are_at_least_a_hundred_cases() -> None:
    assert len(CASES) >= 100


@pytest.mark.parametrize("written", [c[0] for c in CASES])
def test_no_digits_in_english_output(written: str) -> None:
    assert not re.search(r"\d", normalize(written, "en"))


# --- number_format overrides the guess ----------------------------------------------------

@pytest.mark.parametrize(("written", "fmt", "spoken"), [
    ("1.500", "de", "one thousand five hundred"),
    ("1,5", "de", "one point five"),
    ("1.500,25", "de", "one thousand five hundred point two five"),
    ("1.500", "en", "one point five zero zero"),
    ("1,500", "en", "one thousand five hundred"),
    ("250.000", "", "two hundred and fifty thousand"),
    ("26 000,5", "fr", "twenty-six thousand point five"),
    ("01/02/2020", "en-US", "January second, twenty twenty"),
    ("01/02/2020", "", "the first of February, twenty twenty"),
    ("20.01.2020", "en-US", "the twentieth of January, twenty twenty"),
])
def test_number_format(written: str, fmt: str, spoken: str) -> None:
    assert normalize(written, "en", number_format=fmt) == spoken


def test_us_english_writes_dates_month_first_and_meters() -> None:
    assert normalize("01/02/2020", "en-US") == "January second, twenty twenty"
    assert normalize("5 km", "en-US") == "five kilometers"


# --- every oddity of the sample release (seeds/black-january-2020.md) -------------------------

SAMPLE = [
    ("Dzemala Bijedica 305, 71210, Ilidza, Sarajevo",
     "Dzemala Bijedica three hundred and five, seven one two one zero, Ilidza, Sarajevo"),
    ("TEL: (+387 33) 695 802/803/804",
     "telephone: plus three eight seven, three three, six nine five, eight zero two, "
     "eight zero three or eight zero four"),
    ("FAX: (+387 33) 695 801",
     "fax: plus three eight seven, three three, six nine five, eight zero one"),
    ("E-MAIL: sarajevo@mission.mfa.gov.az", "e-mail: sarajevo at mission dot mfa dot gov dot az"),
    ("WEBSITE: sarajevo.mfa.gov.az", "website: sarajevo dot mfa dot gov dot az"),
    ("20.01.2020", "the twentieth of January, twenty twenty"),
    ("PRESS RELEASE", "press release"),
    ("30th Anniversary of the Black January", "thirtieth Anniversary of the Black January"),
    ("Thirty years have passed since January 20, 1990 events, which went down the history",
     "Thirty years have passed since January twentieth, nineteen ninety events, which went "
     "down the history"),
    ("Acting upon the orders of the USSR Communist Party leadership, 26 000 Soviet troops, "
     "heavily armed",
     "Acting upon the orders of the U S S R Communist Party leadership, twenty-six thousand "
     "Soviet troops, heavily armed"),
    ("more than 130 civilians were killed and 700 wounded",
     "more than one hundred and thirty civilians were killed and seven hundred wounded"),
    ("to forcibly expel more than 250.000 Azerbaijanis from Armenia in 1988-1989.",
     "to forcibly expel more than two hundred and fifty thousand Azerbaijanis from Armenia in "
     "nineteen eighty-eight to nineteen eighty-nine."),
    ("The next day, on January 21, 1990, Heydar Aliyev",
     "The next day, on January twenty-first, nineteen ninety, Heydar Aliyev"),
    ("His statement became the first political assessment of Black January of 1990.",
     "His statement became the first political assessment of Black January of nineteen ninety."),
    ("On October 18, 1991 Azerbaijan regained its independence.",
     "On October eighteenth, nineteen ninety-one Azerbaijan regained its independence."),
    ("the perpetrators of the tragedy of January 20 went unpunished.",
     "the perpetrators of the tragedy of January twentieth went unpunished."),
    ("in Tbilisi, Georgia in 1989 and Vilnius, Lithuania in 1991",
     "in Tbilisi, Georgia in nineteen eighty-nine and Vilnius, Lithuania in nineteen ninety-one"),
    ("Diplomatic Mission of the Republic of Azerbaijan in Bosnia and Herzegovina",
     "Diplomatic Mission of the Republic of Azerbaijan in Bosnia and Herzegovina"),
]


@pytest.mark.parametrize(("written", "spoken"), SAMPLE)
def test_sample_release(written: str, spoken: str) -> None:
    assert normalize(written, "en") == spoken


def test_sample_superscript_ordinal_arrives_as_plain_text() -> None:
    # 30<sup>th</sup> is two runs, "30" and "th", joined before normalisation.
    assert normalize("30" + "th", "en") == "thirtieth"


# --- other languages --------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["az", "xx", "zh-Hant", "", "tlh"])
def test_languages_without_rules_only_clean_whitespace(lang: str) -> None:
    assert normalize("  Allah rəhmət  eləsin!\n26 000 ", lang) == "Allah rəhmət eləsin! 26 000"


def test_lexicon_phonemes_pass_through_untouched() -> None:
    assert normalize("[[bɑːˈkuː]] in 1990", "en") == "[[bɑːˈkuː]] in nineteen ninety"


# --- properties -----------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["en", "en-US", "de", "az", "xx", ""]),
       st.sampled_from(["", "de", "en", "fr", "en-US", "nonsense"]))
def test_never_raises(text: str, lang: str, fmt: str) -> None:
    # The English rules themselves, not only normalize()'s safety net, must not raise.
    if lang.startswith("en"):
        rules_for(lang).speak(text, number_format=fmt)
    assert isinstance(normalize(text, lang, number_format=fmt), str)


SAMPLE_TOKENS = [
    "26 000", "250.000", "20.01.2020", "(+387 33) 695 802/803/804", "(+387 33) 695 801",
    "sarajevo@mission.mfa.gov.az", "sarajevo.mfa.gov.az", "http://sarajevo.mfa.gov.az",
    "30th", "1988-1989", "January 20, 1990", "October 18, 1991", "71210", "305,",
    "Dzemala Bijedica 305, 71210,", "USSR", "PRESS RELEASE", "TEL:", "FAX:", "E-MAIL:",
    "WEBSITE:", "Baku", "the", "more than", "in", "and", ",", ".", "!", "-", "–", "/",
    "(", ")", "%", "$", "€", "km", "°C", "No.", "St.", "e.g.", "&", "…",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SAMPLE_TOKENS),
                          st.integers(-10**7, 10**7).map(str),
                          st.from_regex(r"\d{1,5}([.,: /-]\d{1,4}){0,3}", fullmatch=True)),
                max_size=12),
       st.sampled_from([" ", "", "\u00a0"]))
def test_english_never_outputs_digits(tokens: list[str], glue: str) -> None:
    spoken = rules_for("en").speak(glue.join(tokens))
    assert not re.search(r"\d", spoken), spoken


def test_english_runs_in_the_framework_of_every_language() -> None:
    """Issue 14: one framework. English is a LocaleRules like German, French and Spanish:
    the same entry point and the same passes in the same order, its own readings in hooks."""
    from accesspub.speech.locale_rules import LocaleRules
    from accesspub.speech.normalize import rules_for
    assert all(isinstance(rules_for(lang), LocaleRules) for lang in ("en", "de", "fr", "es"))
    for lang in ("en", "en-US"):
        assert type(rules_for(lang)).speak is LocaleRules.speak
        assert type(rules_for(lang)).passes is LocaleRules.passes
    shared = ("say_emails", "say_hashtags", "say_percentages", "say_ranges", "say_numbers",
              "say_leftover_digits", "split_letters_digits")
    assert all(getattr(type(rules_for("en")), name) is getattr(LocaleRules, name)
               for name in shared)
