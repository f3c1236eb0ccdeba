"""What the built-in extractors know about one schema.

- :class:`StanceMap`: the general cue polarities (favor, against, neutral, none) as the schema's
  own stance labels, and back;
- :class:`TargetRule`: how a claim is found to be about one target, from the schema's
  ``extractor_data: rules: targets:`` keywords or, when it has none, from the content words of
  the target's name and definition;
- :class:`SchemaData`: the whole ``extractor_data: rules:`` section, checked against the schema
  (its format is described in :mod:`toolkit.extractors.rules`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from ..errors import ExtractorError
from ..schema import Schema

try:  # the case folding ``re`` applies under IGNORECASE (CPython 3.11 and later)
    from _sre import unicode_tolower as _tolower
    from re._casefix import _EXTRA_CASES
except ImportError:  # pragma: no cover
    _tolower, _EXTRA_CASES = None, {}

#: The polarities of the general stance cues, in the order they map onto a schema.
POLARITIES = ("favor", "against", "neutral", "none")
_RULES_KEYS = {"gazetteer", "news_outlets", "not_names", "stance_cues", "targets", "outlet_evaluative"}
_TARGET_KEYS = {"keywords", "stance_keywords", "positive", "default", "requires"}
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*")


def listify(value, where: str = "rules lexicon") -> list[str]:
    """A YAML scalar or list as a list of strings; YAML's unquoted on/no/yes are refused."""
    values = [] if value is None else [value] if isinstance(value, str) else list(value)
    bad = [v for v in values if not isinstance(v, (str, int, float)) or isinstance(v, bool)]
    if bad:
        raise ExtractorError(f"{where}: {bad[0]!r} is not a phrase (quote it in the YAML file)")
    return [str(v) for v in values]


def alternation(phrases, ignorecase: bool = False) -> str:
    """A regex alternation of literal phrases, longest first; a space matches any blank run.

    It is written as a prefix tree ("Sa(?:udi Arabia|udi|...)|Sw(?:eden|...)") that matches
    exactly what the flat list "Saudi Arabia|Sweden|Saudi|..." matches, with the same preference:
    ``re`` tries the alternatives of a flat list one by one at every position, a tree only those
    that share the text's next character (see :func:`_tree`). Pass ``ignorecase`` when the
    pattern is used case-insensitively: the phrases are then lower-cased the way ``re`` itself
    does, so that "President" and "press secretary" share a branch.
    """
    items = _longest_first(phrases, ignorecase)
    return _tree(items) if items else r"(?!x)x"


def bounded_alternation(phrases, before: str = r"[\w-]") -> str:
    r"""``(?<!before)(?:alternation)`` for a case-sensitive pattern, written so that ``re`` can skip
    ahead to the phrases' first characters: each first character comes before the lookbehind
    ("S(?<![\w-]S)(?:audi|weden)"). A pattern that starts with a lookbehind is tried at every
    position of the text; one that starts with a set of literal characters is only tried where
    one of them occurs (the "charset prefix" of ``re``'s compiler)."""
    groups = by_first_character(phrases)
    if not groups:
        return rf"(?<!{before})(?:{alternation(phrases)})"
    # A phrase starting with character c matches at p only if text[p] == c, so "c(?<!Xc)" tests
    # text[p - 1] exactly as "(?<!X)" did at p.
    return (
        "(?:" + "|".join(f"{re.escape(c)}(?<!{before}{re.escape(c)})(?:{rests})" for c, rests in groups.items()) + ")"
    )


def by_first_character(phrases) -> dict[str, str] | None:
    """Case-sensitive phrases by first character: {character: alternation of the rests}, each
    alternation preferring what ``alternation(phrases)`` prefers among the phrases starting with
    that character (at a position of a text only those can match). None if a phrase starts with
    a blank (it has no one first character)."""
    groups: dict[str, list[str]] = {}
    for item in _longest_first(phrases, False):
        groups.setdefault(item[0], []).append(item[1:])
    if any(c.isspace() for c in groups):
        return None
    return {c: _tree(rests) for c, rests in groups.items()}


def words_rx(phrases, flags=re.IGNORECASE) -> re.Pattern:
    """A pattern matching any of ``phrases`` as whole words."""
    if not flags & re.IGNORECASE:
        return re.compile(rf"{bounded_alternation(phrases)}(?![\w-])", flags)
    return re.compile(rf"(?<![\w-])(?:{alternation(phrases, ignorecase=True)})(?![\w-])", flags)


class Bounded:
    r"""The matches of ``pattern``, a case-sensitive alternation of phrases as whole words
    (``bounded_alternation(phrases) + r"(?![\w-])"``), found faster.

    ``re`` skips ahead to the characters a pattern may start with, but for phrases in lower case
    these are most letters of a text, and the pattern is tried at each. A match not at the very
    start of the text follows a character that is no word character or hyphen, which is rarer; so
    ``scan``, that character followed by the alternation, finds where the next match is, and
    ``pattern`` itself, tried there, gives the match.
    """

    def __init__(self, phrases):
        phrases = list(phrases)
        self.pattern = re.compile(rf"{bounded_alternation(phrases)}(?![\w-])")
        self.scan = re.compile(rf"[^\w-](?:{alternation(phrases)})(?![\w-])")

    def search(self, text: str, pos: int = 0) -> re.Match | None:
        """``pattern.search(text, pos)``: a match at pos, else the one after the first scan match
        from pos (a match at p > pos has the character at p - 1 >= pos before it)."""
        found = self.pattern.match(text, pos)
        if found is None:
            before = self.scan.search(text, pos)
            found = self.pattern.match(text, before.start() + 1) if before else None
        return found

    def finditer(self, text: str) -> Iterator[re.Match]:
        """``pattern.finditer(text)`` (its matches are never empty)."""
        found = self.search(text)
        while found:
            yield found
            found = self.search(text, found.end())


@dataclass(frozen=True)
class Words:
    """Phrases found as whole words, case-insensitively: the matches of ``words_rx(phrases)``.

    A case-insensitive pattern is slow in ``re``: it cannot skip to the characters a phrase may
    start with. So on ASCII text (most claims) ``finditer`` runs ``ascii``, a case-sensitive
    pattern, over the lower-cased text: the same positions, but ``group()`` is lower-cased.
    """

    phrases: tuple[str, ...]
    pattern: re.Pattern  # words_rx(phrases): any text
    ascii: Bounded | None  # for text.lower() when text is ASCII (None: not available)

    def finditer(self, text: str) -> Iterator[re.Match]:
        if self.ascii is not None and text.isascii():
            return self.ascii.finditer(text.lower())
        return self.pattern.finditer(text)

    def search(self, text: str) -> re.Match | None:
        if self.ascii is not None and text.isascii():
            return self.ascii.search(text.lower())
        return self.pattern.search(text)

    def starts(self, text: str) -> Starts | None:
        """Every position where one of the phrases matches ``text`` (overlapping matches too), to
        find the matches of several subsets of the phrases with one scan (see :meth:`finditer_at`);
        None for text that is not ASCII or if ``ascii`` is not available."""
        if self.ascii is None or not text.isascii():
            return None
        lowered, found, search = text.lower(), [], self.ascii.search
        m = search(lowered, 0)
        while m:
            found.append(m.start())
            m = search(lowered, m.start() + 1)
        return Starts(lowered, found)

    def finditer_at(self, starts: Starts) -> list[re.Match]:
        """``finditer(text)`` for the text ``starts`` was made from, when these phrases are a subset of
        the phrases that made it: a match of a subset is a match of the whole set at the same
        position, so only those positions are tried."""
        assert self.ascii is not None  # a Words whose superset has an ascii pattern has one too
        return finditer_at(self.ascii.pattern, starts.lowered, starts.positions)


def finditer_at(pattern: re.Pattern, text: str, positions: list[int]) -> list[re.Match]:
    """``list(pattern.finditer(text))`` for a pattern whose matches (never empty) start only at some
    of ``positions`` (sorted): the pattern is tried there, left to right, without overlaps."""
    found: list[re.Match] = []
    last, match = 0, pattern.match
    for p in positions:
        if p >= last:
            m = match(text, p)
            if m:
                found.append(m)
                last = m.end()
    return found


class PhraseSets:
    r"""Where the phrases of several sets may match a lower-cased ASCII text, with one scan of it.

    Each set is found as whole words: no word character or hyphen before a match, and the set's
    ``after`` (a lookahead such as ``(?![\w-])``) after it. Phrases are folded the way
    :class:`Words` folds them, so a set's positions include every position where one of its
    phrases matches the original text, with or without IGNORECASE. ``scan`` matches the character
    before such a position (as :class:`Bounded` does) and, in one named group per set, which sets
    match there; a position at the start of the text has no character before it and is tried
    apart. Raises ValueError for a character that folds onto two ASCII ones.
    """

    def __init__(self, sets: dict[str, tuple[list[str], str]]):
        alternatives = {}
        for name, (phrases, after) in sets.items():
            folded = ["".join(map(_ascii_fold, p)) for p in _longest_first(phrases, ignorecase=True)]
            alternatives[name] = rf"(?:{alternation(folded)}){after}"
        union = "|".join(alternatives.values())
        groups = "".join(rf"(?:(?=(?P<{name}>{alt}))|)" for name, alt in alternatives.items())
        self.scan = re.compile(rf"[^\w-](?=(?:{union})){groups}")
        self.at_start = {name: re.compile(alt) for name, alt in alternatives.items()}

    def positions(self, lowered: str) -> dict[str, list[int]]:
        """For each set, the positions of ``lowered`` where one of its phrases may match, sorted."""
        found = {name: [0] if rx.match(lowered) else [] for name, rx in self.at_start.items()}
        names = list(found)
        for m in self.scan.finditer(lowered):
            for name in names:
                if m.start(name) >= 0:
                    found[name].append(m.end())
        return found


@dataclass(frozen=True)
class Starts:
    """A lower-cased ASCII text and the positions where some phrase of a :class:`Words` matches it."""

    lowered: str
    positions: list[int]


def words(phrases) -> Words:
    """:class:`Words` for ``phrases``."""
    phrases = tuple(phrases)
    try:
        folded = ["".join(map(_ascii_fold, p)) for p in _longest_first(phrases, ignorecase=True)]
    except ValueError:  # pragma: no cover - a character folding onto two ASCII ones
        return Words(phrases, words_rx(phrases), None)
    return Words(phrases, words_rx(phrases), Bounded(folded))


@cache
def _ascii_fold(char: str) -> str:
    """The lower-case ASCII character ``char`` matches under IGNORECASE (asking ``re`` itself), or
    ``char`` itself if it matches none (then it cannot match ASCII text either way)."""
    if char == " ":
        return char  # a blank run, as in any phrase
    found = {chr(i).lower() for i in range(128) if re.fullmatch(re.escape(char), chr(i), re.IGNORECASE)}
    if len(found) > 1:
        raise ValueError(char)
    return found.pop() if found else char


def _longest_first(phrases, ignorecase: bool) -> list[str]:
    items = {p for p in phrases if p}
    if ignorecase and _tolower:
        items = {"".join(chr(_tolower(ord(c))) for c in p) for p in items}
    return sorted(items, key=len, reverse=True)


def _token(char: str) -> str:
    return r"\s+" if char == " " else re.escape(char)


def _flat(items: list[str]) -> str:
    return "|".join("".join(map(_token, item)) for item in items)


def _tree(items: list[str]) -> str:
    """``items`` (longest first) as a prefix tree that prefers the same alternative as ``_flat``.

    At any position at most one branch can match: the branches start with characters no text
    character matches two of (compared the way ``re`` folds case, so the tree is right with and
    without IGNORECASE), or with a blank run next to non-blank characters. Inside a branch the
    phrases keep their order, and the phrase that ends here (the empty rest) comes last as it
    did. A branch whose first characters differ only in case is left flat.
    """
    if len(items) == 1:
        return _flat(items)
    if "" in items[:-1] or any(c.isspace() and c != " " for item in items for c in item):
        return _flat(items)  # not longest first, or a tab a blank run would also match
    groups: dict[object, list[str]] = {}
    for item in items:
        if item:
            groups.setdefault(_fold(item[0]), []).append(item)
    parts = []
    for members in groups.values():
        firsts = {m[0] for m in members}
        if len(firsts) > 1:
            parts.append(_flat(members))
            continue
        rests = [m[1:] for m in members]
        tail = _tree(rests)
        parts.append(_token(members[0][0]) + (tail if len(rests) == 1 else f"(?:{tail})"))
    return "|".join(parts + ([""] if items[-1] == "" else []))


def _fold(char: str):
    """A key two characters share if one text character can match both (``re``'s own case folding)."""
    if char == " ":
        return " "
    if _tolower is None:
        return None  # unknown folding: one flat group
    lower = _tolower(ord(char))
    return min((lower, *_EXTRA_CASES.get(lower, ())))


@dataclass(frozen=True)
class StanceMap:
    """The schema's stance label for each cue polarity: favor and against are the polar pair,
    neutral the first other label that is not ``no_stance`` (``no_stance`` if there is none)."""

    favor: str
    against: str
    neutral: str
    none: str

    @classmethod
    def for_schema(cls, schema: Schema) -> StanceMap:
        """The mapping for ``schema`` (see :attr:`Schema.polar_stances` and :attr:`Schema.no_stance`)."""
        favor, against = schema.polar_stances
        others = [s for s in schema.stance_labels if s not in (favor, against, schema.no_stance)]
        return cls(favor, against, others[0] if others else schema.no_stance, schema.no_stance)

    def label(self, polarity: str) -> str:
        """The schema label of a polarity (one of :data:`POLARITIES`)."""
        return getattr(self, polarity)

    def polarity(self, label: str) -> str | None:
        """The polarity a schema label stands for; None for a label no cue polarity maps to."""
        if label == self.none:
            return "none"
        return next((p for p in POLARITIES if getattr(self, p) == label), None)

    def polarity_of(self, label, where: str) -> str:
        """:meth:`polarity` for a label written in ``extractor_data``; raise if it maps to none."""
        found = self.polarity(str(label))
        if found is None:
            usable = ", ".join(dict.fromkeys(self.label(p) for p in POLARITIES))
            raise ExtractorError(
                f"schema extractor_data: {where}: stance '{label}' is not one the rules "
                f"extractor gives (it gives {usable})"
            )
        return found


@dataclass(frozen=True)
class Hit:
    """One mention of a target in a claim's text; ``polarity`` is set for stance keywords."""

    start: int
    end: int
    target: str
    polarity: str | None = None


@dataclass(frozen=True)
class StanceKeywords:
    """Phrases that name a target and carry their own stance polarity (``stance_keywords``)."""

    polarity: str
    words: Words


@dataclass
class TargetRule:
    """How a claim is recognised as being about one target, and its stance defaults."""

    keywords: Words | None = None  # phrases from the schema's extractor_data
    stems: frozenset[str] = frozenset()  # or: stems of the target's own content words
    fixed: list[StanceKeywords] = field(default_factory=list)  # phrases with their own stance
    positive: bool = False  # obstruction cues defend the target
    default: str | None = None  # polarity when no cue is near
    requires: re.Pattern | None = None  # a word that must be in the claim's context

    def keyword_sets(self) -> list[Words]:
        """The keywords and the stance keywords."""
        return ([self.keywords] if self.keywords else []) + [f.words for f in self.fixed]

    def hits(self, target: str, text: str, starts: Starts | None = None) -> list[Hit]:
        """Where ``text`` mentions the target (keywords, stance keywords, or stemmed content words).
        ``starts``: where the keywords of all targets match ``text`` (see :meth:`Words.starts`), so
        that the keywords are matched there only instead of searched for in the whole text."""
        sets: list[tuple[str | None, Words]] = [(None, self.keywords)] if self.keywords else []
        sets += [(f.polarity, f.words) for f in self.fixed]
        if starts is None:
            found = [Hit(m.start(), m.end(), target, pol) for pol, w in sets for m in w.finditer(text)]
        else:
            found = [Hit(m.start(), m.end(), target, pol) for pol, w in sets for m in w.finditer_at(starts)]
        if self.stems:
            stem = _stemmer()
            found += [
                Hit(m.start(), m.end(), target)
                for m in _TOKEN.finditer(text)
                if stem(m.group().lower().replace("’", "'")) in self.stems
            ]
        return found


@dataclass(frozen=True)
class Evaluative:
    """The outlet's own evaluative wording about a target (counts for the document stance)."""

    target: str
    polarity: str
    pattern: Words


@dataclass
class SchemaData:
    """The ``extractor_data: rules:`` section of a schema, checked, with every target's rule."""

    stances: StanceMap
    gazetteer: dict[str, str] = field(default_factory=dict)  # name -> actor type
    outlets: dict[str, str] = field(default_factory=dict)  # news outlet name -> actor type
    not_names: list[str] = field(default_factory=list)
    stance_cues: dict[str, list[str]] = field(default_factory=dict)  # polarity -> extra cue phrases
    targets: dict[str, TargetRule] = field(default_factory=dict)
    evaluative: list[Evaluative] = field(default_factory=list)
    # Every target's keywords and stance keywords: where none matches, no rule's keywords do
    # (a match of one is a match of the union at the same position).
    any_keyword: Words | None = None

    @classmethod
    def for_schema(cls, schema: Schema, stop_words=(), cue_words=()) -> SchemaData:
        """Read ``schema.extractor_data['rules']``; a target it gives no keywords gets keywords derived
        from its name and definition (``stop_words`` and ``cue_words`` are never keywords)."""
        raw = (schema.extractor_data or {}).get("rules") or {}
        if not isinstance(raw, dict):
            raise ExtractorError("schema extractor_data: 'rules' must be a mapping")
        _unknown(raw, _RULES_KEYS, "rules")
        data = cls(StanceMap.for_schema(schema))
        data.gazetteer = _names_by_type(raw.get("gazetteer"), schema, "rules.gazetteer")
        data.outlets = _names_by_type(raw.get("news_outlets"), schema, "rules.news_outlets")
        data.not_names = listify(raw.get("not_names"), "schema extractor_data: rules.not_names")
        for label, phrases in _mapping(raw.get("stance_cues"), "rules.stance_cues").items():
            polarity = data.stances.polarity_of(label, "rules.stance_cues")
            data.stance_cues.setdefault(polarity, []).extend(listify(phrases, "rules.stance_cues"))
        given = _mapping(raw.get("targets"), "rules.targets")
        for target in given:
            if target not in schema.targets:
                raise ExtractorError(f"schema extractor_data: rules.targets: '{target}' is not a target of the schema")
        data.targets = {
            target: data._target_rule(target, given[target]) for target in schema.targets if target in given
        }
        if set(schema.targets) - set(given):
            derived = derive_stems(schema.targets, set(stop_words), set(cue_words))
            data.targets = {t: data.targets.get(t) or TargetRule(stems=derived[t]) for t in schema.targets}
        data.any_keyword = words(p for rule in data.targets.values() for w in rule.keyword_sets() for p in w.phrases)
        for target, by_stance in _mapping(raw.get("outlet_evaluative"), "rules.outlet_evaluative").items():
            if target not in schema.targets:
                raise ExtractorError(f"schema extractor_data: rules.outlet_evaluative: '{target}' is not a target")
            for label, phrases in _mapping(by_stance, f"rules.outlet_evaluative.{target}").items():
                polarity = data.stances.polarity_of(label, f"rules.outlet_evaluative.{target}")
                data.evaluative.append(Evaluative(target, polarity, words(listify(phrases))))
        return data

    def _target_rule(self, target: str, spec) -> TargetRule:
        where = f"rules.targets.{target}"
        spec = _mapping(spec, where)
        _unknown(spec, _TARGET_KEYS, where)
        fixed = [
            StanceKeywords(self.stances.polarity_of(label, f"{where}.stance_keywords"), words(listify(phrases)))
            for label, phrases in _mapping(spec.get("stance_keywords"), f"{where}.stance_keywords").items()
        ]
        default = spec.get("default")
        requires = listify(spec.get("requires"), where)
        return TargetRule(
            keywords=words(listify(spec.get("keywords"), where)),
            fixed=fixed,
            positive=bool(spec.get("positive")),
            default=self.stances.polarity_of(default, f"{where}.default") if default else None,
            requires=words_rx(requires, 0) if requires else None,
        )


def derive_stems(targets: dict[str, str], stop_words: set[str], cue_words: set[str]) -> dict[str, frozenset[str]]:
    """Per target, the stems of the content words of its name and definition.

    Stop words and stance cue words are left out, and so is a stem that more than one target
    has (it does not tell them apart), unless that leaves a target with nothing: then the stems
    of its own name are kept.
    """
    stem = _stemmer()

    def content(text: str) -> set[str]:
        words = (w.lower().replace("’", "'") for w in _TOKEN.findall(text.replace("_", " ")))
        return {stem(w) for w in words if len(w) > 2 and w not in stop_words and w not in cue_words}

    names = {t: content(t) for t in targets}
    own = {t: names[t] | content(definition) for t, definition in targets.items()}
    counts: dict[str, int] = {}
    for stems in own.values():
        for s in stems:
            counts[s] = counts.get(s, 0) + 1
    out = {}
    for t, stems in own.items():
        distinct = {s for s in stems if counts[s] == 1}
        out[t] = frozenset(distinct or names[t] or stems)
    return out


@lru_cache(maxsize=1)
def _stemmer():
    """The Snowball English stemmer (nltk, a toolkit dependency; pure Python, no data files)."""
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english").stem


def _mapping(value, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ExtractorError(f"schema extractor_data: {where}: expected a mapping")
    return value


def _unknown(value: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ExtractorError(
            f"schema extractor_data: unknown key '{where}.{unknown[0]}' (known: {', '.join(sorted(allowed))})"
        )


def _names_by_type(value, schema: Schema, where: str) -> dict[str, str]:
    """``{ACTOR_TYPE: [name, ...]}`` as ``{name: ACTOR_TYPE}``, checking the types."""
    out: dict[str, str] = {}
    for label, names in _mapping(value, where).items():
        if label not in schema.actor_types:
            raise ExtractorError(f"schema extractor_data: {where}: '{label}' is not an actor type of the schema")
        out.update({name: str(label) for name in listify(names, f"schema extractor_data: {where}.{label}")})
    return out
