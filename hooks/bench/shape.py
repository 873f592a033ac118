"""The shape of the real data, and the words the synthetic data is made of.

Counts come from the real data (109 entities when measured): the share of each kind, and per kind the
observed numbers of facts, relations and aliases per entity. Tuples of values are histograms: the generator
draws from each as from a bag (see `Generator.draw`), so every size has the observed frequencies.

Every kind in `KINDS` is generated, with its fields from its declaration: a kind these tables do not name (a new
one) gets `DEFAULT_SHARE`, one fact per entity, no relations or aliases, and its required fields.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from microsite.schema import MONTHS

SHARE = {"source": 34, "organization": 21, "actor": 18, "assessment": 15, "event": 14, "weapon": 6, "software": 1}
DEFAULT_SHARE = 1  # a kind the real data does not have yet
FACTS = {
    "actor": (1,) * 10 + (2, 3, 4, 4, 4, 5, 8, 9),
    "organization": (1,) * 16 + (2, 2, 3, 3, 3, 7, 15),
    "weapon": (2, 2, 2, 3, 5, 6, 11),
    "event": (0,) * 8 + (1, 1, 1, 2, 4, 8),
    "source": (0,) * 35 + (3,),
    "assessment": (0,),
}
RELATIONS = {"actor": (0, 0, 0, 1, 1, 2, 2, 3, 5), "organization": (0, 0, 0, 0, 1, 1, 1, 2, 3), "weapon": (0,) * 6 + (1,)}
ALIASES = {"actor": (0,) * 6 + (1, 2, 3), "organization": (0, 0, 0, 1, 1, 2, 2, 3, 4), "weapon": (0, 0, 1, 1, 2, 2)}
CITES = (1,) * 15 + (2,) * 4 + (3,)
FACT_STATUS = ("reported",) * 83 + ("assessed",) * 7 + ("disputed",) * 6 + ("alleged",) * 4
RELATION_WEIGHTS = {"part-of": 9, "linked-to": 7, "works-for": 5, "published": 4, "developed": 4, "compromised": 3,
                    "discovered": 3, "leads": 2, "verified": 2, "reported-on": 2}
VARIANTS = {
    "actor": {"person": 12, "hacking-group": 5, "group": 1},
    "organization": {"news-organization": 4, "company": 4, "state": 4, "state-body": 4, "intelligence-agency": 3,
                     "security-company": 2, "international-body": 2},
    "weapon": {"programme": 3, "missile": 2, "warship": 1},
    "software": {"malware": 1},
}
# How often the real data fills an optional field of a kind (1.0: always); a field not listed stays empty.
FILLED = {("actor", "role"): 0.8, ("actor", "country"): 0.7, ("organization", "country"): 1.0,
          ("organization", "location"): 0.5, ("weapon", "country"): 1.0}
# Which kinds the synthetic text names, and which a reference to any kind names in the real data.
NAMED_IN_TEXT = ("organization", "actor", "weapon", "software")  # in archived texts and quotes
STATEMENTS_NAME = ("organization", "actor")  # in facts' statements
REFERRED = {("event", "involves"): ("actor", "organization", "weapon"),
            ("assessment", "about"): ("actor", "organization", "weapon", "event")}
TOPICS = {"attribution": 6, "significance": 3, "value-of-stolen-plans": 3, "authenticity": 3}
LANGUAGES = {"en": 31, "de": 4, "id": 1}
ARCHIVED_SHARE = 1 / 34  # one archived text per 34 sources
ARCHIVE_CITE = (True, False, False)  # a third of all citations quote an archived text
LOCATOR_SHARE = 0.07

FIRST = ("Ivan", "Olga", "Min-jun", "Anna", "Markus", "Tom", "Lena", "Sergei", "Ji-woo", "Yuri", "Sofia", "Daniel",
         "Hana", "Pavel", "Mira", "James", "Nikolai", "Eva", "Aleksandar", "Christopher")
LAST = ("Sokolov", "Petrova", "Lee", "Schiller", "Hegel", "Choi", "Weber", "Novak", "Kuznetsov", "Han", "Bauer",
        "Morozov", "Jung", "Tait", "Frolov", "Seo", "Klein", "Volkova", "Yoon", "O'Brien")
ADJ = ("Crimson", "Silent", "Iron", "Velvet", "Golden", "Hidden", "Northern", "Copper", "Frozen", "Onyx", "Eastern",
       "Pacific", "Baltic", "Allied", "Federal", "Central")
ANIMALS = ("Kitten", "Chollima", "Falcon", "Typhoon", "Lantern", "Harbor", "Spider", "Comet", "Sparrow", "Wolf")
FIELDS = ("Aerospace", "Machine-Building", "Rocket", "Signals", "Research", "Defence", "Design", "R&D", "Space")
PLACES = ("Karelia", "Norland", "Ostmark", "Varnia", "Kosaria", "Pelagia", "Trovia", "Halden")
MISSILES = ("Hwasong", "Zircon", "Kinzhal", "Sarmat", "Pukguksong", "Onyx", "Bulava", "Taepodong")
MALWARE = (("Open", "Dark", "Silent", "Blue", "Red", "Night"), ("Carrot", "Loader", "Shell", "Door", "Pipe", "Rat"))
THINGS = ("missile designs", "satellite technology", "email servers", "internal networks", "hypersonic research",
          "supply chains", "a Linux backdoor", "leaked emails", "ballistic armaments", "test launches")
ROLES = ("missile expert", "security researcher", "threat analyst", "journalist", "state official",
         "IT employee", "hacking team", "defence contractor staff", "professor of astronautics")
COUNTRIES = ("North Korea", "Russia", "United States", "China", "Germany", "South Korea", "Japan", "Ukraine")
CITIES = ("Reutov", "Pyongyang", "Moscow", "Washington", "Seoul", "Berlin", "London", "Beijing")
WORDS = {"role": ROLES, "country": COUNTRIES, "location": CITIES}  # the words of a text field, by its name
PUBLISHERS = ("Reuters", "SentinelLabs (SentinelOne)", "Daily Maverick", "KBS World", "Bild (bild.de)", "Xinhua",
              "TASS", "The Record", "Cyber Daily (cyberdaily.au)", "GZERO Media", "Ahram Online", "Kontan")
ALIAS_FORMS = (("ru", "«{name}»"), ("ko", "{name} 그룹"), ("en", "the {name} team"), ("de", "die {name}"))

SENTENCES = (
    "{a} reportedly gained access to the networks of {b} for at least {n} months.",
    "According to {a}, the company’s internal data was viewed in {month} {year}.",
    "“We have seen {n} intrusions like this,” said an analyst at {a}.",
    "It is unclear whether {b} was aware of the activity until {month} {year}.",
    "{a} is based in {city}, a small town on the outskirts of {city2}.",
    "The analysis attributes the compromise to {a} with a high level of confidence.",
    "Neither {a} nor {b} has commented on the report so far, {n} days after it appeared.",
    "Experts say the incident shows that {a} targets even its allies to acquire {thing}.",
    "{a} and {b} are said to have shared {thing} since {year}.",
    "Only in {month} had {a} personally overseen the testing of {b}.",
    "The data gave insights into {n} projects of {b}, including {thing}.",
    "Two other independent professionals reviewed the disclosed information about {a} and confirmed it.",
)
QUOTES = (
    "{a} was able to read email traffic of {b} and extract {thing}",
    "the intrusion by {a} roughly began in {year} and continued for {n} months",
    "{a} has acted as a pioneer developer of {thing}",
    "we attribute this activity to {a} with moderate confidence",
    "{b} did not respond to {n} requests for comment",
)
FOREIGN = {
    "de": (("{a} hat seinen Sitz in {city} und ist ein staatseigener Betrieb.",
            "{a} is based in {city} and is a state-owned enterprise."),
           ("Die Hacker hatten {n} Monate lang Zugriff auf das Netz von {b}.",
            "The hackers had access to the network of {b} for {n} months.")),
    "id": (("Peretas dari {a} membobol jaringan {b} selama {n} bulan.",
            "Hackers from {a} broke into the network of {b} for {n} months."),),
}
STATEMENTS = (
    "{name} is reported to have worked with {other} on {thing} from {year}.",
    "{name} is said to have had access to {thing} of {other}.",
    "According to {other}, {name} was active in {city} for {n} months.",
    "{name} was named in {n} reports on {thing} by {year}.",
    "{name} denied any link to {other}.",
    "{name} oversaw *{thing}* in {city} in {month} {year}.",
)
NOTES = ("according to the technical evidence", "as described by the seed article", "dates are approximate",
         "the source hedges this", "for at least {n} months")


@dataclass(frozen=True)
class ArchiveText:
    """A synthetic archived text: its full text, its quotable sentences and passages left uncited."""

    text: str
    sentences: list[str]
    uncited: list[dict[str, str]]


def choose(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def date(rng: random.Random, first: int, last: int, precision: str = "") -> str:
    """A date as YYYY, YYYY-MM or YYYY-MM-DD, with the real data's mix of precisions."""
    precision = precision or rng.choices(("day", "month", "year"), (43, 43, 14))[0]
    year, month, day = rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28)
    return {"day": f"{year}-{month:02d}-{day:02d}", "month": f"{year}-{month:02d}", "year": f"{year}"}[precision]


def name(kind: str, rng: random.Random) -> tuple[str, str]:
    """A name for an entity of `kind`, and its variant (actor type, organisation type, weapon category)."""
    variant = choose(rng, VARIANTS[kind]) if kind in VARIANTS else ""
    a, f, p = rng.choice(ADJ), rng.choice(FIELDS), rng.choice(PLACES)
    names = {
        "person": person(rng), "hacking-group": f"{a} {rng.choice(ANIMALS)}", "group": f"{a} {f} experts",
        "company": f"{a} {f} Corporation", "state": f"Republic of {p}", "state-body": f"{p} Ministry of {f}",
        "intelligence-agency": f"{a} Intelligence Bureau of {p}", "news-organization": f"{a} News Agency",
        "security-company": f"{a} {f} Labs", "international-body": f"Panel of Experts on {p}",
        "missile": f"{rng.choice(MISSILES)}-{rng.randint(2, 30)}", "programme": f"{p} missile programme",
        "malware": "".join(rng.choice(part) for part in MALWARE), "warship": f"Admiral {rng.choice(LAST)}",
    }
    if variant:
        return names[variant], variant
    return ({kind: f"{a} {f} {kind}"} | {
        "event": f"{a} {f} intrusion {rng.choice(('discovered', 'begins', 'disclosed', 'reported', 'ends'))}",
        "assessment": f"{rng.choice(LAST)}: {rng.choice(THINGS)} {rng.choice(('at risk', 'authentic', 'valuable'))}",
        "source": f"{rng.choice(PUBLISHERS)}, {rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2019, 2024)}",
    })[kind], ""


def _fill(rng: random.Random, template: str, names: list[str], **extra: str) -> str:
    a, b = rng.sample(names, 2) if len(names) > 1 else (names * 2)[:2]
    values = {"a": a, "b": b, "n": str(rng.randint(2, 90)), "month": rng.choice(MONTHS), "year": str(rng.randint(2019, 2023)),
              "city": rng.choice(CITIES), "city2": rng.choice(CITIES), "thing": rng.choice(THINGS), **extra}
    return template.format(**values)


def archive_text(rng: random.Random, names: list[str]) -> ArchiveText:
    """An archived article: header line, photo caption, paragraphs and subheadings, ~40 sentences."""
    header = f"date {date(rng, 2021, 2024, 'day')} Home page politics"
    credit = f"© {rng.choice(PUBLISHERS)}/afp"
    sentences: list[str] = []
    paragraphs = [header, f"{_fill(rng, SENTENCES[0], names)} (Archive photo) {credit}"]
    for index in range(rng.randint(10, 14)):
        if index % 4 == 3:
            paragraphs.append(f"{rng.choice(ADJ)} {rng.choice(THINGS)}")
        block = [_fill(rng, rng.choice(SENTENCES), names) for _ in range(rng.randint(2, 4))]
        sentences.extend(block)
        paragraphs.append(" ".join(block))
    uncited = [{"passage": header, "reason": "header line"}, {"passage": credit, "reason": "photo credit"}]
    return ArchiveText("\n\n".join(paragraphs) + "\n", sentences, uncited)


def fragment(rng: random.Random, sentence: str) -> str:
    """A quote from a sentence: the whole sentence, or a run of at least five of its words."""
    words = sentence.split()
    if rng.random() < 0.7 or len(words) < 8:
        return sentence
    start = rng.randint(0, len(words) - 6)
    return " ".join(words[start:rng.randint(start + 5, len(words))])


def quote(rng: random.Random, names: list[str], language: str) -> tuple[str, str | None]:
    """A quote from a source that is not archived here, with its translation if not in English."""
    if language in FOREIGN:
        original, translation = rng.choice(FOREIGN[language])
        values = {"a": rng.choice(names), "b": rng.choice(names), "n": str(rng.randint(2, 12)), "city": rng.choice(CITIES)}
        return original.format(**values), translation.format(**values)
    return _fill(rng, rng.choice(QUOTES), names), None


def statement(rng: random.Random, subject: str, other: str, other_id: str) -> str:
    """A fact's statement; one in ten links the other entity by id ([[id|name]])."""
    link = f"[[{other_id}|{other}]]" if rng.random() < 0.1 else other
    return _fill(rng, rng.choice(STATEMENTS), [subject], name=subject, other=link)


def summary(rng: random.Random, subject: str) -> str:
    return f"{subject}, which the sources connect with {rng.choice(THINGS)} in {rng.choice(CITIES)}."


def note(rng: random.Random) -> str:
    return _fill(rng, rng.choice(NOTES), ["x"])


def alias(rng: random.Random, subject: str, index: int) -> dict[str, str]:
    lang, form = ALIAS_FORMS[index % len(ALIAS_FORMS)]
    found = {"name": form.format(name=subject), "lang": lang}
    if rng.random() < 0.3:
        found["used_by"] = rng.choice(PUBLISHERS)
    return found


def title(rng: random.Random) -> str:
    return f"{rng.choice(ADJ)} hackers breached {rng.choice(THINGS)} of a {rng.choice(FIELDS)} maker"
