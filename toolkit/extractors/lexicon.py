"""The compiled lexicons of the "rules" extractor: general English data plus one schema's own.

The general data is ``toolkit/data/rules.yaml`` (attribution and stance cues, titles, name
particles, stop words) and ``toolkit/data/gazetteer.yaml`` (countries, capitals and nationality
adjectives, international organisations, news outlets). Every gazetteer name carries a general
entity kind (:data:`toolkit.schema.ENTITY_KINDS`); names from the schema's ``extractor_data``
carry one of the schema's own actor types instead (see :class:`Entry`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import ExtractorError
from ..schema import Schema
from .schema_data import (
    POLARITIES,
    Bounded,
    PhraseSets,
    SchemaData,
    alternation,
    bounded_alternation,
    by_first_character,
    listify,
    words,
    words_rx,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
NORM = str.maketrans("’‘“”", "''\"\"")  # same length: offsets do not move
NAME_PREFIXES = ("al", "el", "as", "ash", "ad", "ar", "at", "an", "abu", "bin", "ibn")  # "al-Sabah"
UPPER = "[A-ZÀ-ÖØ-Þ]"
CAP = rf"(?:(?:{'|'.join(NAME_PREFIXES)})-)?{UPPER}[\w'-]*"
_HYPHEN_UPPER = re.compile(rf"-{UPPER}")


def norm(text: str) -> str:
    """Typographic quotes as straight ones (the offsets do not move)."""
    if text.isascii():  # most texts and claims: nothing to replace
        return text
    # four replace() calls scan in C; translate() with a table is slow on non-ASCII text
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def run_start(text: str, end: int, run: re.Pattern, chunk: int = 64) -> int:
    """Where the run of characters ``run`` matches (a pattern "[...]*") that ends at ``end`` starts,
    reading backwards a chunk at a time (not the whole text before ``end``)."""
    while end > 0:
        lo = max(0, end - chunk)
        found = run.match(text[lo:end][::-1])
        assert found is not None  # a "[...]*" pattern matches, if only the empty string
        n = found.end()
        if n < end - lo:
            return end - n
        end, chunk = lo, chunk * 4
    return 0


class Runs:
    r"""``pattern.finditer(text)``, searching only where a match can be: each match contains a
    match of ``trigger`` and consists of word characters, ``blanks`` and the other characters of
    ``phrases`` (and "'", ".", "-"). A match therefore lies inside one maximal run of such
    characters, and only the runs around a trigger are searched (with pos and endpos: the
    character after a run is none of those, so a lookahead like (?!\w) reads the same there).
    For patterns that are costly to try at every position of a long text."""

    def __init__(self, pattern: re.Pattern, trigger: re.Pattern, phrases, blanks: str):
        others = {c for p in phrases for c in p if not (c.isalnum() or c == "_")} | set("'.-")
        if any(c.isspace() for c in others) and blanks != r"\s":
            blanks = r"\s"  # a phrase with a blank: \s+ in the pattern
        self.pattern, self.trigger = pattern, trigger
        punctuation = "".join(map(re.escape, sorted(others - {" ", "\t"})))
        self.run = re.compile(rf"[\w{blanks}{punctuation}]*")

    def finditer(self, text: str):
        found = self.trigger.search(text)
        while found:
            k = found.start()
            run = self.run.match(text, k)
            assert run is not None  # a "[...]*" pattern matches, if only the empty string
            start, end = run_start(text, k, self.run), run.end()
            yield from self.pattern.finditer(text, start, end)
            found = self.trigger.search(text, end)


class Capitalised:
    r"""``pattern.finditer(text)`` for a pattern that starts with ``(?<![\w'-])`` and a name, whose
    first word is :data:`CAP` (an optional lower-case prefix as in "al-Sabah", then a capital).

    ``re`` would try such a pattern at every position. ``upper`` is the pattern for names that
    start with a capital, written to start with that capital (so ``re`` skips ahead to capitals);
    a match with a prefix starts two or three letters before a hyphen followed by a capital, and
    ``pattern`` is tried there. A name cannot start both ways at one position, so the matches of
    the two kinds, merged left to right without overlaps, are those of ``pattern``.
    """

    def __init__(self, pattern: re.Pattern, upper: re.Pattern):
        self.pattern, self.upper = pattern, upper
        self.lengths = sorted({len(p) for p in NAME_PREFIXES}, reverse=True)  # positions before the hyphen

    def search(self, text: str, pos: int = 0) -> re.Match | None:
        """``pattern.search(text, pos)``."""
        return next(self.finditer(text, pos), None)

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match]:
        """``pattern.finditer(text, pos)``."""
        a, b = self.upper.search(text, pos), self._prefixed(text, pos)
        while a or b:
            m = a if b is None or (a is not None and a.start() <= b.start()) else b
            assert m is not None  # one of them is
            yield m
            if a is not None and a.start() < m.end():
                a = self.upper.search(text, m.end())
            if b is not None and b.start() < m.end():
                b = self._prefixed(text, m.end())

    def _prefixed(self, text: str, pos: int) -> re.Match | None:
        """A match at or after ``pos`` no later than the first one with a prefix (possibly one without
        a prefix: both kinds are matches of ``pattern``)."""
        for hyphen in _HYPHEN_UPPER.finditer(text, pos):
            for n in self.lengths:  # the earlier start first
                p = hyphen.start() - n
                found = self.pattern.match(text, p) if p >= pos else None
                if found:
                    return found
        return None


@dataclass(frozen=True)
class Entry:
    """What a gazetteer name is: a general entity kind (PERSON, GPE, ORG), and for a name from the
    schema's ``extractor_data`` the schema's own actor type (its kind is the first kind that type
    covers, or None)."""

    kind: str | None
    label: str | None = None


@lru_cache(maxsize=4)
def general_data(folder: str | None = None) -> tuple[dict, dict]:
    """The parsed ``rules.yaml`` and ``gazetteer.yaml`` of ``folder`` (default: ``toolkit/data``)."""
    path = Path(folder) if folder else DATA_DIR
    try:
        rules, gazetteer = (
            yaml.safe_load((path / f).read_text(encoding="utf-8")) or {} for f in ("rules.yaml", "gazetteer.yaml")
        )
    except (OSError, yaml.YAMLError) as exc:
        raise ExtractorError(
            f"rules extractor: cannot read its lexicons in {path} ({exc.__class__.__name__})"
        ) from None
    return rules, gazetteer


class Lexicon:
    """The compiled gazetteer and lexicons (see the two YAML files for what each list means)."""

    def __init__(self, rules: dict, gaz: dict, schema: Schema):
        def get(key: str) -> list[str]:
            return listify(rules.get(key))

        cue_words = {w.lower() for ws in (rules.get("stance_cues") or {}).values() for w in listify(ws)}
        self.data = SchemaData.for_schema(
            schema,
            stop_words={w.lower() for w in get("stop_words")},
            cue_words=cue_words | {w.lower() for w in get("invert_cues")},
        )
        states, capitals, adjs = self._states(gaz)
        self.entries = self._entries(gaz, states, capitals, schema)
        self.agencies = set(listify(gaz.get("news_agencies"))) | set(self.data.outlets)
        self.conditional = set(capitals) | set(listify(gaz.get("org_capitals")))
        plain = [f for f in self.entries if f not in self.conditional]
        cues, agent = get("reporting_cues"), get("agent_verbs")
        self.gaz_rx = re.compile(rf"{bounded_alternation(norm(f) for f in plain)}(?!\w)")
        # the names starting with a capital: re skips ahead to capitals, not to every "a" of a text
        # for "al-Qaeda"; a text where no other name may start has only their matches
        self.gaz_capitalised = re.compile(rf"{bounded_alternation(norm(f) for f in plain if f[:1].isupper())}(?!\w)")
        self.gaz_other = [norm(f) for f in plain if not f[:1].isupper()]
        acts = rf"(?='s?(?!\w)|\s+(?:{alternation(cues + agent)})\b)"  # a possessive or a verb follows
        self.capital_rx = re.compile(rf"{bounded_alternation(self.conditional)}{acts}")
        preps = get("location_preps")
        self.locative = re.compile(rf"(?i:\b(?:{alternation(preps, ignorecase=True)}))\s+(?:the\s+)?$")
        # locative read backwards: locative.search(s) finds a match iff this matches s[::-1] at its
        # start ($ is the very end here: the blanks before it can take a final newline)
        backwards = alternation([p[::-1] for p in preps], ignorecase=True)
        self.locative_reversed = re.compile(rf"\s+(?:eht\s+)?(?i:(?:{backwards})\b)")
        self._ministries(get, adjs, states)
        self.gov_rx = re.compile(rf"{bounded_alternation(adjs)}\s+(?:{alternation(get('government_words'))})(?!\w)")
        self._persons(get, states, cues)
        self.not_names = set(get("not_names")) | set(self.data.not_names) | self.adjectives | set(self.entries)
        self.org_head_rx = self._org_heads(get("org_heads"), get("name_particles"))
        # its matches contain a head word and consist of words, "&", "." and [ \t] blanks
        self.org_names = Runs(
            self.org_head_rx,
            re.compile(alternation(get("org_heads"))),
            get("org_heads") + get("name_particles") + ["&"],
            blanks=r" \t",
        )
        self.stop_words, self.calendar = {w.lower() for w in get("stop_words")}, set(get("calendar_words"))
        self._attribution(get, cues)
        self._stance(rules)
        self.phrase_sets = self._phrase_sets(cues)

    def _phrase_sets(self, cues: list[str]) -> PhraseSets | None:
        """Where titles, reporting cues, the outlet's evaluative wording and the gazetteer names that
        do not start with a capital may start in a document, found with one scan of it (see
        :class:`PhraseSets`); None if the phrases cannot be folded."""
        # whole words: a title is followed by a blank or a comma, the cues and the evaluative
        # wording are matched with (?![\w-]), gazetteer names with (?!\w)
        whole = r"(?![\w-])"
        evaluative = [p for ev in self.data.evaluative for p in ev.pattern.phrases]
        try:
            return PhraseSets(
                {
                    "titles": (self.titles, whole),
                    "cues": (cues, whole),
                    "evaluative": (evaluative, whole),
                    "gazetteer": (self.gaz_other, r"(?!\w)"),
                }
            )
        except ValueError:  # pragma: no cover - a character folding onto two ASCII ones
            return None

    def _ministries(self, get, adjs: list[str], states: list[str]) -> None:
        """ "(<Adjective or state>) Foreign Ministry", "Ministry of Foreign Affairs (of <state>)"."""
        prefix = rf"(?:(?:{alternation(adjs + states)})\s+)?"
        of_state = rf"(?:\s+of\s+(?:the\s+)?(?:{alternation(states)}))?"
        ministry_of = rf"Ministry\s+of\s+(?:{alternation(get('ministry_of'))}){of_state}"
        self.ministry_rx = re.compile(
            rf"{prefix}(?:(?:{alternation(get('ministry_kinds'))})\s+Ministry|{ministry_of})(?!\w)"
        )
        self.ministries = _by_first_character(adjs + states, get("ministry_kinds"), ministry_of) or self.ministry_rx

    def _states(self, gaz: dict) -> tuple[list[str], list[str], list[str]]:
        """State names (with aliases), capitals and nationality adjectives; fills the nationality index."""
        states, capitals, adjs = [], [], []
        self.nationality: dict[str, set[str]] = {}  # adjective -> names of its state(s)
        for name, given in (gaz.get("states") or {}).items():
            info = given or {}
            states += [name, *listify(info.get("aliases"))]
            capitals += listify(info.get("capital"))
            adjs += listify(info.get("adj"))
            for adj in listify(info.get("adj")):
                self.nationality.setdefault(adj, {adj}).update([name, *listify(info.get("capital"))])
        self.adjectives = set(adjs)
        self.adj_rx = re.compile(rf"{bounded_alternation(adjs)}(?!\w)")
        return states, capitals, adjs

    def _entries(self, gaz: dict, states, capitals, schema: Schema) -> dict[str, Entry]:
        """Every gazetteer name: general ones by kind, then the schema's own (which win)."""
        entries = {form: Entry("GPE") for form in states + listify(gaz.get("metonyms")) + capitals}
        entries.update({form: Entry("ORG") for form in listify(gaz.get("org_capitals"))})
        for group in gaz.get("organizations") or []:
            entries.update({form: Entry("ORG") for form in listify(group)})
        entries.update({form: Entry("ORG") for form in listify(gaz.get("news_agencies"))})
        for form, label in {**self.data.gazetteer, **self.data.outlets}.items():
            kinds = schema.actor_covers.get(label) or (None,)
            entries[form] = Entry(kinds[0], label)
        return entries

    def _persons(self, get, states: list[str], cues: list[str]) -> None:
        """Patterns that find persons: a title before a name, an apposition, a name by a quote."""
        name = rf"{CAP}(?:[ \t]+(?:(?:{alternation(get('name_particles'))})[ \t]+)*{CAP}){{0,4}}"
        # a name starting with a capital, written to start with it: "X(?<![\w'-]X)" tests the
        # character before X as "(?<![\w'-])" before the name does (see Capitalised)
        upper = rf"{UPPER}(?<![\w'-]{UPPER})[\w'-]*" + name.removeprefix(CAP)
        keep = rf"(?:(?:{alternation(get('name_prefixes'))})[ \t]+)?"
        orgs = [f for f, e in self.entries.items() if e.kind == "ORG"]
        of_gaz = rf"(?:\s+(?:of|to|for|at)\s+(?:the\s+)?(?:{alternation(states + orgs)}))?"  # "Ambassador to the UN, X"
        self.title_words = {w.lower() for t in get("titles") + get("role_nouns") for w in t.replace("-", " ").split()}
        self.title_rx = re.compile(
            rf"(?<![\w-])(?i:{alternation(get('titles'), ignorecase=True)}){of_gaz},?[ \t]+(?P<name>{keep}{name})"
        )
        self.titles = get("titles")  # a title_rx match starts with one, followed by a blank or a comma
        roles = alternation(get("role_nouns") + get("titles"), ignorecase=True)
        appos = rf",[ \t]+(?:(?:the|a|an|[A-Z][\w']*)[ \t]+)?(?:[\w'-]+[ \t]+){{0,4}}?(?i:{roles})(?!\w)"
        self.appos_rx = re.compile(rf"(?<![\w'-])(?P<name>{name}){appos}")
        # a name consists of word characters, "'", "-", [ \t] blanks and its particles' characters, so
        # the first character after such a run must be the comma: checked first, in one pass
        others = {c for p in get("name_particles") for c in p if not (c.isalnum() or c == "_")} - set("' \t-")
        blanks = r"\s" if any(c.isspace() for c in others) else r" \t"
        run = rf"[\w'{blanks}{''.join(map(re.escape, sorted(c for c in others if not c.isspace())))}-]*"
        first = rf"{UPPER}(?<![\w'-]{UPPER})"
        self.appositions = Capitalised(
            self.appos_rx, re.compile(rf"(?P<name>{first}(?={run},){upper.removeprefix(first)}){appos}")
        )
        self.tag_name_rx = re.compile(rf"[\"”],?[ \t]+(?:{alternation(cues)})[ \t]+(?:the[ \t]+)?(?P<name>{name})")
        self.name_before_rx = re.compile(rf"(?<![\w'-])(?P<name>{name})$")
        self.names_before = Capitalised(self.name_before_rx, re.compile(rf"(?P<name>{upper})$"))
        self.org_words = set(get("org_words")) | set(get("org_heads"))  # a name with one is no person
        self.particles = set(get("name_particles"))
        self.surname_first, self.prefixes = set(get("surname_first")), set(get("name_prefixes"))

    def _org_heads(self, heads: list[str], particles: list[str]) -> re.Pattern:
        """Capitalised words ending in an organisation head word, with an optional "of the X Y" tail,
        or a head word with such a tail."""
        word = r"(?:[A-Z][\w'&.-]*|&)"
        links = alternation(["of", "for", "and", "on", "the", *particles])
        tail = rf"(?:[ \t]+(?:of|for|on)[ \t]+(?:the[ \t]+)?{word}(?:[ \t]+(?:(?:{links})[ \t]+)*{word}){{0,5}})?"
        head = rf"(?:{alternation(heads)})(?![\w-])"
        named = rf"(?:{word}[ \t]+){{1,5}}{head}{tail}"  # "Northern Ski Federation (of ...)"
        head_first = rf"{head}(?=[ \t]+(?:of|for|on)[ \t]){tail}"  # "Committee of Ministers"
        return re.compile(rf"(?<![\w'-])(?:{named}|{head_first})")

    def _attribution(self, get, cues: list[str]) -> None:
        """Reporting cues and what may stand between a subject, its cue and the claim."""
        self.cues_found = Bounded(cues)  # cue_rx, found faster
        self.cue_rx = self.cues_found.pattern
        self.according_rx = words_rx(get("according_to"))
        self.object_cues = set(get("object_cues"))
        fillers = alternation(get("subject_fillers"))
        self.fill_tail = re.compile(rf"(?:[ \t]+(?:{fillers})(?![\w-]))*[ \t]*$")
        # its matches that are not empty, written to start with their first blank (see strip_fillers)
        filler = rf"(?:{fillers})(?![\w-])"
        self.blank_fill_tail = re.compile(rf"[ \t][ \t]*(?:{filler}(?:[ \t]+{filler})*[ \t]*)?$")
        # what a fill_tail match consists of: blanks and the fillers' characters (see strip_fillers)
        chars = {c for f in get("subject_fillers") for c in f if not c.isspace()}
        plain_ends = all(f == f.rstrip() for f in get("subject_fillers"))
        self.filler_run = re.compile(rf"[\s{''.join(map(re.escape, sorted(chars)))}]*") if plain_ends else None
        self.pron_tail = re.compile(rf"(?<![\w-])(?i:{alternation(get('pronouns'), ignorecase=True)})$")
        self.desc_tail = re.compile(
            rf"(?<![\w-])(?i:the|his|her)\s+(?:[\w'-]+\s+){{0,3}}?"
            rf"(?i:{alternation(get('role_nouns'), ignorecase=True)})$"
        )
        adverbials = alternation(get("cue_adverbials"), ignorecase=True)
        self.adverbial_rx = re.compile(
            rf"[ \t]*,?[ \t]*(?i:{adverbials})\b[^.,;:\"\n]{{0,60}}?"
            rf"(?:[ \t]+that\b|[ \t]*:)"
        )
        self.abbrevs = set(get("abbreviations"))
        self.tail_cut = re.compile(rf",\s+(?i:{alternation(get('claim_tail_cuts'), ignorecase=True)})(?![\w-])")

    def strip_fillers(self, head: str) -> str:
        """``head`` without the fillers and blanks that end it ("Lavrov also has" -> "Lavrov"):
        ``fill_tail.sub("", head)``, faster.

        ``fill_tail`` can only match at the end ($: the end or before a final newline), so ``sub``
        removes its leftmost match and nothing else. That match consists of blanks and the
        fillers' characters, so it starts inside the run of such characters that ends the text:
        the search starts there instead of trying every position of the head. A match that is not
        empty starts with a blank, and ``blank_fill_tail`` finds those only (``re`` skips ahead to
        blanks); an empty one removes nothing.
        """
        end = len(head) - 1 if head.endswith("\n") else len(head)
        m = self.blank_fill_tail.search(head, run_start(head, end, self.filler_run) if self.filler_run else 0)
        return head if m is None else head[: m.start()] + head[m.end() :]

    def _stance(self, rules: dict) -> None:
        """Stance cue phrases by polarity (general, then the schema's), and the inverting cues."""
        self.cues: dict[str, str] = {}
        general = rules.get("stance_cues") or {}
        for polarity in POLARITIES[:3]:
            phrases = listify(general.get(polarity)) + self.data.stance_cues.get(polarity, [])
            self.cues.update({p.lower(): polarity for p in phrases})
        self.cues.update({p.lower(): "invert" for p in listify(rules.get("invert_cues"))})
        self.cue_stance_rx = words(self.cues)  # Words: finditer only


def _by_first_character(prefixes: list[str], kinds: list[str], ministry_of: str) -> re.Pattern | None:
    r"""``ministry_rx``, "(?:(?:prefixes)\s+)?(?:(?:kinds)\s+Ministry|Ministry of ...)(?!\w)", written as
    one alternative per first character, each starting with that character, so that ``re`` skips
    ahead to those characters instead of trying every position. "(?:X\s+)?Y" is "X\s+Y|Y"; at a
    position only the alternative of the character there can match, and inside it the prefixed
    forms come first, then the kinds, then "Ministry of", in the order the original tries them.
    None if a phrase starts with a blank (it has no one first character).
    """
    first_prefix, first_kind = by_first_character(prefixes), by_first_character(kinds)
    if first_prefix is None or first_kind is None:
        return None
    rest = rf"(?:(?:{alternation(kinds)})\s+Ministry|{ministry_of})"
    branches = []
    for c in dict.fromkeys([*first_prefix, *first_kind, "M"]):
        parts = [rf"(?:{first_prefix[c]})\s+{rest}"] if c in first_prefix else []
        parts += [rf"(?:{first_kind[c]})\s+Ministry"] if c in first_kind else []
        parts += [ministry_of.removeprefix("M")] if c == "M" else []
        branches.append(re.escape(c) + "(?:" + "|".join(parts) + ")")
    return re.compile("(?:" + "|".join(branches) + r")(?!\w)")


def lexicon_for(schema: Schema, folder: str | Path | None = None) -> Lexicon:
    """The lexicon for ``schema``: the general data of ``folder`` (default ``toolkit/data``) plus
    the schema's ``extractor_data``."""
    rules, gaz = general_data(str(folder) if folder else None)
    return Lexicon(rules, gaz, schema)
