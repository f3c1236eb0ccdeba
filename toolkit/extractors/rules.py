"""The "rules" extractor: gazetteer and cue patterns, no model; works with any schema.

**Actors** come from a general English entity layer that finds three kinds of mention
(:data:`toolkit.schema.ENTITY_KINDS`): PERSON (a title before a name, an apposition "X Y, the
minister of ...", a capitalised name right before a reporting verb, later surname-only mentions),
GPE (countries, capitals that act, government metonyms and ministries, from
``toolkit/data/gazetteer.yaml``) and ORG (international organisations and news outlets from the
gazetteer, and capitalised names ending in an organisation head word such as "Federation"). Each
mention is labelled with the schema's actor type that covers its kind
(:meth:`~toolkit.schema.Schema.actor_type_for`); a kind no type covers is dropped. Names listed in
the schema's ``extractor_data`` carry their own actor type and win over the general layer. Spans
exclude titles, articles and possessive 's.

**Claims** come from general English attribution cues (reporting verbs, "according to", quotation
marks followed by "X said"); the span is the statement content, the speaker is the actor the cue
attaches to. A claim's **target** is the schema target its text mentions (by the keywords the
schema gives, or else by the stemmed content words of the target's name and definition; none:
the schema's ``other_target``) and its **stance** is the polarity of the nearest general stance
cue (``toolkit/data/rules.yaml``), as the schema's own label: favor is the first stance label,
against the second, neutral the first other label that is not ``no_stance``, none is
``no_stance``. The document stance per target follows the guidelines' procedure in the same
labels. Offsets are Python string offsets.

**Schema data.** A schema may attach corpus-specific lexicons in its ``extractor_data`` (nothing
else reads it; every key is optional; stances are the schema's labels, actor types its types)::

    extractor_data:
      rules:
        gazetteer: {GROUP: [Hamas, ...], STATE: [...]}     # names -> that actor type, always
        news_outlets: {ORGANIZATION: [WAFA, ...]}           # outlets: their claims take no_stance
        not_names: [Gaza, ...]                              # never part of a person's name
        stance_cues: {against: [release], neutral: [...]}  # extra cue phrases by stance
        targets:
          gaza_ceasefire:
            keywords: [ceasefire, truce, ...]              # phrases naming the target
            stance_keywords: {against: [...]}               # phrases carrying their own stance
            positive: true                                  # "blocking X" defends X
            default: favor                                  # stance when no cue is near
            requires: [Russia, Moscow]                      # a word the context must contain
        outlet_evaluative: {hamas: {against: [...]}}        # the outlet's own wording, for doc stance

The bundled Gaza example's ``schema.yaml`` keeps its gazetteer of armed groups, its targets'
keywords and its evaluative wording there.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from ..records import Record
from ..schema import Schema, load_schema
from ..tasks import Document
from .lexicon import Entry, Lexicon, lexicon_for, run_start
from .lexicon import norm as _norm
from .schema_data import Hit, Starts, bounded_alternation, finditer_at

_POSS = re.compile(r"'s?(?!\w)")
_GPE = Entry("GPE")
# Small patterns used per cue or per token, compiled once (re's own cache costs a lookup a call).
_BLANKS = re.compile(r"\s+")
_NON_BLANK = re.compile(r"\S+")
_ROMAN = re.compile(r"[IVX]+")
_NOT_A_KEY = re.compile(r"[IVX]+|Jr\.?|Sr\.?")
_QUOTE_OR_BREAK = re.compile('["“”\n]')
_PARENTHESIS = re.compile(r",[^,\n]{1,150},$")  # "Name, the minister of ..., said"
# sentences
# \n|[.!?]+["”’)\]]*(?=\s|$), with each alternative starting with one character (so re skips ahead to them)
_BREAK = re.compile(r"\n|\.[.!?]*[\"”’)\]]*(?=\s|$)|![.!?]*[\"”’)\]]*(?=\s|$)|\?[.!?]*[\"”’)\]]*(?=\s|$)")
_ASCII_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # an initial: one letter [A-Z]
# claims
_QUOTE_TAIL = re.compile(r"[ \t]*,?[ \t]*")
_STOP = re.compile(r"[.!?\n\"]")
_THE = re.compile(r"[ \t]+(?:the[ \t]+)?")
_HE_SHE = re.compile(r"[ \t]+(?:he|she)\b")
_AND_BUT = re.compile(r"\b(?:and|but)$")
_CLAUSE_END = re.compile(r"(?:,?\s+(?:and|but)|,)?\s*$")
_UNNAMED = re.compile(r",[ \t]*(?:[\w'-]+[ \t]+){1,4}$")
_LOWER_WORD = re.compile(r"(?<![\w'-])[a-z]")
_OF_THE = re.compile(r"[ \t]+of[ \t]+(?:the[ \t]+)?$")
_WHO = re.compile(r",?[ \t]+who$")
# What the matches of the end-anchored patterns consist of (see _search_end).
_NAME_RUN = re.compile(r"[\w' \t-]*")  # name_before_rx
_WORD_RUN = re.compile(r"\w*")  # pron_tail, _AND_BUT
_WORD_DOT_RUN = re.compile(r"[\w.]*")  # the word before a period
_DESCRIPTION_RUN = re.compile(r"[\w'\s-]*")  # desc_tail
_WHO_RUN = re.compile(r"[\w, \t]*")  # _WHO
_UNNAMED_RUN = re.compile(r"[\w', \t-]*")  # _UNNAMED
_APPOSITION = re.compile(r",([^,.;\n]*),")
_CLAUSE_MARK = re.compile(r"[.,;:\n\"]")
_OBJECT = re.compile(r"[ \t]+(?:[\w'.-]+[ \t]+){0,6}?(?:that\b|:)")
_THAT = re.compile(r"[ \t]*(?:that\b)?[ \t]*[:,]?[ \t]*")
_BLANK_THE = re.compile(r"\s+(?:the\s+)?")
_ANAPHOR = re.compile(r"(?:it|this|they|these|such)\b", re.IGNORECASE)
_CAPITAL_NEXT = re.compile(r"[ \t]+[A-Z]")
_WORD = re.compile(r"\w")
_WORD_OR_HYPHEN = re.compile(r"[\w-]")
_NON_BLANK_CHAR = re.compile(r"\S")
_LONG_WORD = re.compile(r"[^\W\d_][\w'-]{3,}")


@dataclass(slots=True)  # slots: tens of thousands per corpus, read in every step
class Span:
    """An actor mention: its general ``kind`` (PERSON, GPE, ORG or None) and the schema ``label``."""

    start: int
    end: int
    kind: str | None
    label: str | None = None
    rank: int = 0  # lower wins when spans of equal length overlap


@dataclass(slots=True)
class ClaimSpan:
    """A claim: its content span, its speaker and the reporting cue it was found by."""

    start: int
    end: int
    speaker: int | None  # index into the actor list
    cue_start: int  # start of the reporting cue (the stance context runs from here)
    context: str = ""  # cue + content, normalised: what target and stance are read from
    target: str = ""  # set by the analysis: a schema target or its other_target
    stance: str = ""  # set by the analysis: a schema stance label


@dataclass
class _ClaimScan:
    """One document as :meth:`RulesExtractor.find_claims` reads it. The quotation pass records the
    cues it took and the quotations it attributed; the sentence pass skips them."""

    text: str
    t: str  # the normalised text
    actors: list[Span]
    by_start: dict[int, int]  # actor start -> index
    by_end: dict[int, int]  # actor end -> index
    cues: dict[int, re.Match[str]]  # start -> a reporting cue outside the actors
    starts: list[int]  # the cues' starts, sorted
    used: set[int] = field(default_factory=set)  # cues a quotation took
    quoted: list[tuple[int, int]] = field(default_factory=list)  # quotations with a speaker


@dataclass(slots=True)
class _Attribution:
    """A reporting cue of a sentence with its subject: the speaker (None: "..., officials said" ends
    a claim and makes none) and where the subject starts (where the claim before it ends)."""

    cue: re.Match[str]
    speaker: int | None
    subject_start: int


@dataclass
class Analysis:
    """What :meth:`RulesExtractor.analyse` finds in one document (claims point into ``actors``)."""

    actors: list[Span] = field(default_factory=list)
    claims: list[ClaimSpan] = field(default_factory=list)


@dataclass(frozen=True)
class Cue:
    """A stance cue in a claim's text: favor, against, neutral, or invert (obstruction words)."""

    start: int
    end: int
    polarity: str


@dataclass(frozen=True)
class Reading:
    """One target mention in a claim, with the stance polarity read around it."""

    target: str
    polarity: str


def quote_pairs(text: str) -> list[tuple[int, int]]:
    """(opening, closing) indices of quotation marks “…” and "..." paired within a paragraph."""
    return list(_quote_pairs(text))


def _quote_test(text: str):
    """A function: (start, end) -> whether some quotation pair (a, b) of ``text`` has a < start and
    end <= b (binary search over the pairs and the running maximum of their ends)."""
    pairs = _quote_pairs(text)  # sorted
    starts, reach, furthest = [a for a, _ in pairs], [], -1
    for _, b in pairs:
        furthest = max(furthest, b)
        reach.append(furthest)

    def inside(start: int, end: int) -> bool:
        i = bisect_left(starts, start)  # the pairs with a < start
        return i > 0 and reach[i - 1] >= end

    return inside


@lru_cache(maxsize=16)  # asked for three times per document
def _quote_pairs(text: str) -> tuple[tuple[int, int], ...]:
    """Read in one pass over the quotation marks and line breaks: straight quotes pair up in turn
    within a paragraph (an odd last one stays unpaired), a ” closes the last unclosed “."""
    pairs: list[tuple[int, int]] = []
    straight: list[int] = []
    opening: int | None = None  # the last unclosed “
    for m in _QUOTE_OR_BREAK.finditer(text):
        mark, p = m.group(), m.start()
        if mark == "\n":  # a paragraph ends
            pairs += zip(straight[::2], straight[1::2], strict=False)
            straight, opening = [], None
        elif mark == '"':
            straight.append(p)
        elif mark == "“":
            opening = p
        elif opening is not None:
            pairs.append((opening, p))
            opening = None
    pairs += zip(straight[::2], straight[1::2], strict=False)
    return tuple(sorted(pairs))


class RulesExtractor:
    """Extractor "rules": see the module docstring. ``analyse`` exposes spans for other extractors."""

    name = "rules"
    version = "1.1"

    def __init__(self, schema: Schema | None = None, lexicon: Lexicon | None = None):
        self.schema = schema or load_schema()
        self.lex = lexicon or lexicon_for(self.schema)
        self.stances = self.lex.data.stances
        self._stems = any(rule.stems for rule in self.lex.data.targets.values())  # targets found by stems
        self._keys: dict[str, str] = {}  # name -> the token it is later referred to by
        self._names: dict[tuple, tuple[int, int] | None] = {}  # see _person
        self._cue_polarity: dict[str, str] = {}  # a stance cue as matched -> its polarity
        self._type_of: dict[str, str | None] = {}  # entity kind -> the schema's actor type (see _labelled)
        self._entries: dict[str, Entry] = {}  # a gazetteer match -> its entry (see _gazetteer_spans)
        # one document's derived values, replaced as a whole (safe if threads share the extractor)
        self._memo: tuple[str | None, dict[str, object]] = (None, {})
        self._intro: tuple[tuple | None, Callable[[str], str]] = (None, str)

    def _once(self, text: str, what: str, compute):
        """``compute(text)``, computed once per document: one document's normalised text and
        sentences are asked for several times (actors, claims, stances)."""
        memo = self._memo
        if text != memo[0]:
            memo = self._memo = (text, {})
        if what not in memo[1]:
            memo[1][what] = compute(text)
        return memo[1][what]

    def _normalised(self, text: str) -> str:
        return self._once(text, "norm", _norm)

    def _cue_matches(self, text: str, t: str) -> list[re.Match]:
        """The reporting cues in ``t``, the normalised ``text`` (for actors, then for claims)."""
        return self._once(text, "cues", lambda _: self._phrase_matches(text, t, "cues", self.lex.cue_rx))

    def _phrase_matches(self, text: str, t: str, name: str, pattern: re.Pattern) -> list[re.Match]:
        """``pattern.finditer(t)`` for titles or cues, tried where that set's phrases may start."""
        found = self._phrase_positions(text, t)
        if found is None:  # not ASCII
            return list(pattern.finditer(t) if name == "titles" else self.lex.cues_found.finditer(t))
        return finditer_at(pattern, t, found[1][name])

    def _phrase_positions(self, text: str, t: str) -> tuple[str, dict[str, list[int]]] | None:
        """``t`` lower-cased and where the lexicon's phrase sets may start in it (one scan per
        document, see :class:`~toolkit.extractors.schema_data.PhraseSets`); None if ``t`` is not ASCII."""
        sets = self.lex.phrase_sets
        if sets is None or not t.isascii():
            return None
        return self._once(text, "phrases", lambda _: (t.lower(), sets.positions(t.lower())))

    def extract(self, docs: list[Document]) -> list[Record]:
        """One record per document, in input order."""
        return [self.to_record(doc, self.analyse(doc)) for doc in docs]

    # ------------------------------------------------------------------ actors
    def find_actors(self, text: str) -> list[Span]:
        """Actor spans labelled with the schema's actor types, non-overlapping, sorted; longer
        candidates win, then lower rank. A mention of a kind no actor type covers is dropped."""
        lex, t = self.lex, self._normalised(text)
        cands = self._gazetteer_spans(t, self._phrase_positions(text, t))
        for m in self._phrase_matches(text, t, "titles", lex.title_rx):
            self._person(cands, t, m.start("name"), m.end("name"), 2)
        for m in lex.appositions.finditer(t):  # appos_rx
            self._person(cands, t, m.start("name"), m.end("name"), 3, min_tokens=2)
        for m in self._cue_matches(text, t):  # a capitalised name right before a reporting cue
            lo = max(0, m.start() - 160)
            head = lex.strip_fillers(t[lo : m.start()])
            if head.endswith(","):  # "Name, the minister of ..., said"
                head = lex.strip_fillers(_PARENTHESIS.sub("", head))
            found = lex.names_before.search(head, run_start(head, _end(head), _NAME_RUN))  # name_before_rx
            if found:
                self._person(cands, t, lo + found.start(), lo + found.end(), 4, from_right=True)
        for m in lex.tag_name_rx.finditer(t):  # “…,” said Name
            self._person(cands, t, m.start("name"), m.end("name"), 4)
        chosen = _select(cands)
        keys = {self._key(t[s.start : s.end]) for s in chosen if s.kind == "PERSON"}
        keys.discard("")
        if keys:
            for start, end in _mentions(t, keys):
                cands.append(Span(start, end, "PERSON", rank=5))
            chosen = _select(cands)
        orgs = self._org_head_spans(t, chosen)  # disjoint from each other and from the chosen spans
        if orgs:
            chosen = sorted(chosen + orgs, key=lambda s: s.start)  # what _select keeps of disjoint spans
        return [s for s in chosen if self._labelled(s)]

    def _gazetteer_spans(self, t: str, phrases: tuple[str, dict[str, list[int]]] | None) -> list[Span]:
        """Candidates from the gazetteer, ministries and "<Adjective> government" (GPE by default);
        ``phrases``: see :meth:`_phrase_positions`."""
        lex, cands, entries = self.lex, [], self._entries
        # where no name without a capital may start, the names with one are all gaz_rx finds
        gazetteer = lex.gaz_capitalised if phrases and not phrases[1]["gazetteer"] else lex.gaz_rx
        for rx, rank in ((lex.ministries, 0), (lex.gov_rx, 0), (gazetteer, 1), (lex.capital_rx, 1)):
            for m in rx.finditer(t):
                start, end = m.span()
                if self._locative(t, start, end):
                    continue  # a place used as a location
                name = m.group()
                entry = entries.get(name)
                if entry is None:  # the same names recur: each looked up once
                    if len(entries) > 50_000:
                        entries.clear()
                    entry = entries[name] = lex.entries.get(_BLANKS.sub(" ", name), _GPE)
                cands.append(Span(start, end, entry.kind, entry.label, rank))
        return cands

    def _locative(self, t: str, start: int, end: int) -> bool:
        """True if the name at ``t[start:end]`` follows a locative preposition ("talks in Riyadh"):
        ``locative.search(t[max(0, start - 30) : start])``, read backwards from the name."""
        return t[end : end + 1] != "'" and bool(self.lex.locative_reversed.match(t[max(0, start - 30) : start][::-1]))

    def _org_head_spans(self, t: str, chosen: list[Span]) -> list[Span]:
        """ORG candidates ending in an organisation head word ("Northern Ski Federation") where no
        other actor was found; leading function words and months are not part of the name, and a
        line in title case (a headline, a list of links) has too many capitals to tell."""
        out = []
        for m in self.lex.org_names.finditer(t):  # org_head_rx, only around head words
            start = m.start()
            for word in _NON_BLANK.finditer(m.group()):
                if not self._leading_stop(word.group()):
                    break
                start = m.start() + word.end() + 1
            name = t[start : m.end()]
            if (
                len(name.split()) < 2
                or self._locative(t, start, m.end())
                or _headline(t, start, m.end(), self.lex.stop_words)
            ):
                continue
            if all(m.end() <= c.start or start >= c.end for c in chosen):
                out.append(Span(start, m.end(), "ORG", rank=6))
        return out

    def _leading_stop(self, word: str) -> bool:
        """A capitalised word that starts a sentence rather than a name ("The", "On", "Monday")."""
        return word.lower() in self.lex.stop_words or word in self.lex.calendar

    def _labelled(self, span: Span) -> bool:
        """Give ``span`` the schema's actor type covering its kind; False if no type covers it."""
        if span.label is None and span.kind is not None:
            try:
                span.label = self._type_of[span.kind]
            except KeyError:
                span.label = self._type_of[span.kind] = self.schema.actor_type_for(span.kind)
        return span.label is not None

    def _person(self, cands, t, start, end, rank, *, min_tokens=1, from_right=False):
        """Add a PERSON candidate for the name tokens in t[start:end] that survive the stop lists."""
        key = (t[start:end], min_tokens, from_right)
        try:
            span = self._names[key]
        except KeyError:  # computed once: the same names recur in a document and across a corpus
            if len(self._names) > 50_000:
                self._names.clear()
            span = self._names[key] = self._name_span(*key)
        if span is not None:
            cands.append(Span(start + span[0], start + span[1], "PERSON", rank=rank))

    def _name_span(self, t: str, min_tokens: int, from_right: bool) -> tuple[int, int] | None:
        """(start, end) in ``t`` of its name tokens that survive the stop lists, or None."""
        lex = self.lex
        toks = [
            (m.start(), m.end(), _POSS.sub("", w) if "'" in w else w)
            for m in _NON_BLANK.finditer(t)
            for w in (m.group(),)
        ]
        if any(w in lex.org_words for _, _, w in toks):
            return None

        def ok(w: str, first: bool) -> bool:
            if first and w in lex.prefixes:
                return True
            acronym = len(w) > 1 and w.isupper() and not _ROMAN.fullmatch(w)
            nationals = w.endswith("s") and w[:-1] in lex.adjectives  # "Egyptians"
            stop = acronym or nationals or w in lex.not_names or w.lower() in lex.title_words
            return w in lex.particles or not stop

        keep: list[tuple[int, int, str]] = []
        for i, tok in enumerate(reversed(toks) if from_right else toks):
            if not ok(tok[2], i == len(toks) - 1 if from_right else i == 0):
                break
            keep.insert(0, tok) if from_right else keep.append(tok)
            if not from_right and t[tok[0] : tok[1]] != tok[2]:
                break  # a possessive ends the name
        while keep and (keep[-1][2] in lex.particles or keep[-1][2] in lex.prefixes):
            keep.pop()
        while keep and keep[0][2] in lex.particles:
            keep.pop(0)
        if len(keep) < min_tokens:
            return None
        s, e = keep[0][0], keep[-1][1]
        poss = _POSS.search(t, s, e)
        return s, poss.start() if poss and poss.end() == e else e

    def _key(self, name: str) -> str:
        """The token a person is later referred to by ("Sergey Lavrov" -> "Lavrov", "Wang Yi" -> "Wang")."""
        key = self._keys.get(name)
        if key is None:
            if len(self._keys) > 50_000:  # names seen across a corpus: keep the cache bounded
                self._keys.clear()
            key = self._keys[name] = self._name_key(name)
        return key

    def _name_key(self, name: str) -> str:
        toks = [
            t
            for t in name.split()
            if t not in self.lex.particles and t not in self.lex.prefixes and not _NOT_A_KEY.fullmatch(t)
        ]
        if not toks:
            return ""
        return toks[0] if toks[0] in self.lex.surname_first else toks[-1]

    # ------------------------------------------------------------------ claims
    def sentences(self, text: str) -> list[tuple[int, int]]:
        """Sentence bounds; no break inside a quotation or after an abbreviation or initial."""
        return list(self._once(text, "sentences", self._sentences))

    def _sentences(self, text: str) -> tuple[tuple[int, int], ...]:
        inside_quotes, bounds, start = _quote_test(text), [], 0
        for m in _BREAK.finditer(text):
            s, e = m.span()
            if text[s] != "\n":
                if text[s] == "." and self._abbreviation(text, s):
                    continue
                if inside_quotes(s, e):
                    continue
                nxt = _NON_BLANK_CHAR.search(text, e, e + 20)  # the next character, if lower case
                if nxt and nxt.group().islower():
                    continue
            end = s if text[s] == "\n" else e
            first = _NON_BLANK_CHAR.search(text, start, end)  # \s is what str.strip() strips
            if first:
                bounds.append((first.start(), end))
            start = e
        first = _NON_BLANK_CHAR.search(text, start)
        if first:
            bounds.append((first.start(), len(text)))
        return tuple(bounds)

    def _abbreviation(self, text: str, s: int) -> bool:
        """True if the word of at most 20 characters before the period at ``s`` (letters, digits and
        periods, up to a line end right before it) is an abbreviation or an initial ("Dr", "U.S", "J")."""
        k = s - 1 if s and text[s - 1] == "\n" else s  # "$" of [\w.]*$ matches before a final newline
        word = text[max(s - 20, run_start(text, k, _WORD_DOT_RUN), 0) : k]
        return word in self.lex.abbrevs or (len(word) == 1 and word in _ASCII_UPPER)

    def find_claims(self, text: str, actors: list[Span]) -> list[ClaimSpan]:
        """Attributed statements with the index of their speaker in ``actors``: quotations with a
        reporting tag first, then the cues of each sentence that no quotation took."""
        scan = self._claim_scan(text, actors)
        claims = self._quotation_claims(scan)
        for ss, se in self._once(text, "sentences", self._sentences):
            claims += self._sentence_claims(scan, ss, se)
        t = scan.t
        for c in claims:
            c.context = t[c.cue_start : c.end] if c.cue_start < c.start else t[c.start : c.end]
        return sorted(claims, key=lambda c: c.start)

    def _claim_scan(self, text: str, actors: list[Span]) -> _ClaimScan:
        """What the claim passes read: the actors by start and end, the reporting cues outside them."""
        t = self._normalised(text)
        inside = {p for a in actors for p in range(a.start, a.end)}  # a set, not a scan of the actors
        cues = {m.start(): m for m in self._cue_matches(text, t) if m.start() not in inside}
        by_start = {a.start: i for i, a in enumerate(actors)}
        by_end = {a.end: i for i, a in enumerate(actors)}
        return _ClaimScan(text, t, actors, by_start, by_end, cues, sorted(cues))

    def _quotation_claims(self, scan: _ClaimScan) -> list[ClaimSpan]:
        """Quotations followed by a reporting tag: “…,” X said / “…,” said X. Each one records its
        cue and its span in ``scan`` (the sentence pass leaves them alone)."""
        claims = []
        for qs, qe in _quote_pairs(scan.text):
            tag = self._quotation_tag(scan, qs, qe)
            if tag is None:
                continue
            s, e = _trim(scan.text, qs + 1, qe)
            if e - s > 1:
                claims.append(ClaimSpan(s, e, tag[1], qs))
                scan.used.add(tag[0].start())
                scan.quoted.append((qs, qe))
        return claims

    def _quotation_tag(self, scan: _ClaimScan, qs: int, qe: int) -> tuple[re.Match[str], int] | None:
        """(cue, speaker) of the tag after the quotation ``[qs, qe]``, if it has one with a speaker."""
        t, starts = scan.t, scan.starts
        p = qe + 1 + _match_length(_QUOTE_TAIL, t[qe + 1 : qe + 20])
        i = bisect_left(starts, p)  # the first cue at or after p
        q = starts[i] if i < len(starts) and starts[i] <= p + 120 else None
        if q is None or _STOP.search(t[p:q]):
            return None
        cue = scan.cues[q]
        if q == p:  # "said X" / "said he"
            after = _THE.match(t[cue.end() : cue.end() + 20])
            speaker = scan.by_start.get(cue.end() + len(after.group())) if after else None
            if speaker is None and _HE_SHE.match(t[cue.end() : cue.end() + 20]):
                speaker = self._recent_person(t, scan.actors, qs)
        else:
            found = self._subject(t, p, q, scan.actors, scan.by_end)
            speaker = found[0] if found else None
        return (cue, speaker) if speaker is not None else None

    def _sentence_claims(self, scan: _ClaimScan, ss: int, se: int) -> list[ClaimSpan]:
        """The claims of the sentence ``[ss, se)``: one per attributed cue, up to the next cue's
        subject; with none, an "according to" attribution."""
        items = self._attributions(scan, ss, se)
        if not items:
            return self._according(scan.text, scan.t, ss, se, scan.by_start)
        claims = []
        for i, item in enumerate(items):
            claim = self._cue_claim(scan, item, items[i + 1].subject_start if i + 1 < len(items) else se)
            if claim is not None:
                claims.append(claim)
        return claims

    def _attributions(self, scan: _ClaimScan, ss: int, se: int) -> list[_Attribution]:
        """The cues of the sentence ``[ss, se)`` that have a subject, with their speaker."""
        t, starts = scan.t, scan.starts
        items: list[_Attribution] = []
        for p in starts[bisect_left(starts, ss) : bisect_left(starts, se)]:  # the cues in [ss, se)
            if p in scan.used or (scan.quoted and any(a <= p <= b for a, b in scan.quoted)):
                continue
            cue, seg = scan.cues[p], items[-1].cue.end() if items else ss
            ing = cue.group().endswith("ing")
            subj = None if ing else self._subject(t, seg, p, scan.actors, scan.by_end)
            if subj is None and (ing or _search_end(_AND_BUT, t[seg:p].strip(), _WORD_RUN)):
                # a participle or coordinated cue continues the sentence's speaker
                sp = items[-1].speaker if items else self._main_subject(t, ss, p, scan.actors)
                clause = ss + len(_CLAUSE_END.sub("", t[ss:p]))
                subj = (sp, clause) if sp is not None else None
            if subj is None and _search_end(_UNNAMED, t[seg:p], _UNNAMED_RUN):
                subj = (None, seg + t[seg:p].rfind(","))
            if subj is not None:
                items.append(_Attribution(cue, *subj))
        return items

    def _cue_claim(self, scan: _ClaimScan, item: _Attribution, end: int) -> ClaimSpan | None:
        """The claim a cue introduces, from its content to ``end`` (the next subject or the sentence
        end), cut before a quotation with its own speaker and before a tail such as ", he added"."""
        t, cue, speaker = scan.t, item.cue, item.speaker
        start = self._content_start(t, cue)
        if scan.quoted:
            end = min([end] + [qs for qs, _ in scan.quoted if start <= qs < end])
        cut = self.lex.tail_cut.search(t, start, end)
        s, e = _trim(scan.text, start, cut.start() if cut else end)
        # a statement has a lower-case word; "X said that Minister Y affirmed" is Y's claim only
        if speaker is not None and e - s > 2 and _LOWER_WORD.search(t[s:e]):
            return ClaimSpan(s, e, speaker, cue.start())
        return None

    def _subject(self, t, seg, p, actors, by_end):
        """(speaker, subject start) for a cue at p: an actor, pronoun or description right before it."""
        head = self.lex.strip_fillers(t[seg:p])
        trimmed = head.removesuffix(",")  # "..., Name, said": an apposition
        # "Name, speaking in X, said"
        cut = _PARENTHESIS.sub("", head) if head.endswith((",", ",\n")) else head  # the pattern ends in ",$"
        no_parenthesis = self.lex.strip_fillers(cut) if cut != head else head  # stripped already
        for h, kind in ((head, None), (trimmed, "PERSON"), (no_parenthesis, None), (trimmed, None)):
            i = by_end.get(seg + len(h)) if h else None
            if i is not None and kind in (None, actors[i].kind):
                lo = max(0, actors[i].start - 12)  # "King X of Jordan said": the person speaks
                of = _OF_THE.search(t[lo : actors[i].start])
                owner = by_end.get(lo + of.start()) if of and actors[i].kind != "PERSON" else None
                i = owner if owner is not None and actors[owner].kind == "PERSON" else i
                return i, actors[i].start
        rel = _search_end(_WHO, head, _WHO_RUN)  # "Name, who ... said" was handled above; "Name, who said"
        if rel and seg + rel.start() in by_end:
            i = by_end[seg + rel.start()]
            return i, actors[i].start
        m = _search_end(self.lex.pron_tail, head, _WORD_RUN) or _search_end(self.lex.desc_tail, head, _DESCRIPTION_RUN)
        if m:
            i = self._recent_person(t, actors, seg + m.start(), hint=m.group())
            return (i, seg + m.start()) if i is not None else None
        return None

    def _main_subject(self, t, ss, p, actors):
        """The sentence-initial actor (not a possessive modifier), for "..., stressing" / "and said"."""
        for i, a in enumerate(actors):
            if ss <= a.start < p and not t.startswith("'", a.end):
                words = t[ss : a.start].split()
                return i if all(w in ("the", "of") or not w[0].islower() for w in words) else None
        return None

    def _recent_person(self, t, actors, before, hint=""):
        """The most recent PERSON before ``before``; for a description with a nationality ("the
        Russian official") the most recent one introduced near that nationality or its state."""
        people = [i for i, a in enumerate(actors) if a.kind == "PERSON" and a.end <= before]
        forms = {
            f for adj in self.lex.adj_rx.findall(hint) for f in self.lex.nationality.get(" ".join(adj.split()), ())
        }
        if forms:
            intro = self._introductions(t, actors)
            named = _forms_rx(frozenset(forms))
            for i in reversed(people):
                if named.search(intro(self._key(t[actors[i].start : actors[i].end]))):
                    return i
        return people[-1] if people else None

    def _introductions(self, t, actors):
        """A function: person key -> the words around the first mention with that key, the title
        before the name and an apposition after it (each computed once per document and actor list,
        when first asked for)."""
        key = (t, [(a.start, a.end) for a in actors])
        cached = self._intro
        if cached[0] == key:
            return cached[1]
        first: dict[str, Span] = {}
        for a in actors:
            first.setdefault(self._key(t[a.start : a.end]), a)
        memo: dict[str, str] = {}

        def intro(name_key: str) -> str:
            if name_key not in memo:
                a = first[name_key]
                after = _APPOSITION.match(t[a.end : a.end + 80])
                title = _CLAUSE_MARK.split(t[max(0, a.start - 80) : a.start])[-1]
                memo[name_key] = title + (after.group(1) if after else "")
            return memo[name_key]

        self._intro = (key, intro)
        return intro

    def _content_start(self, t, cue) -> int:
        p = cue.end()
        if cue.group() in self.lex.object_cues:
            m = _OBJECT.match(t[p : p + 200])
            p += len(m.group()) if m else 0
        m = self.lex.adverbial_rx.match(t, p)
        p = m.end() if m else p
        return p + _match_length(_THAT, t[p : p + 40])

    def _according(self, text, t, ss, se, by_start) -> list[ClaimSpan]:
        """A claim attributed with "according to X" (the sentence's only attribution)."""
        m = self.lex.according_rx.search(t, ss, se)
        if not m:
            return []
        who = _BLANK_THE.match(t[m.end() : m.end() + 20])
        speaker = by_start.get(m.end() + len(who.group())) if who else None
        if speaker is None:
            return []
        if t[ss : m.start()].strip():
            s, e = _trim(text, ss, m.start())
        else:
            comma = t.find(",", m.end(), se)
            s, e = _trim(text, comma + 1, se) if comma > 0 else (0, 0)
        return [ClaimSpan(s, e, speaker, m.start())] if e - s > 2 else []

    # ------------------------------------------------------------------ stance
    def classify(self, context: str, requires_context: str = "", anchor: str | None = None) -> tuple[str, str]:
        """(target, stance label) of one claim from its cue + content text; ``anchor`` is a target the
        claim's opening pronoun refers to ("..., stating that it violates ..."). The first target
        mention read with a position wins; with none, the first mention; with no mention, the
        schema's ``other_target``."""
        c = _norm(context)
        hits = sorted(
            self._target_hits(c, requires_context, anchor), key=lambda h: (h.start, h.end, h.target, h.polarity or "")
        )
        if not hits:  # no target: neutral if a neutral cue is there
            neutral = any(self._polarity(m.group()) == "neutral" for m in self.lex.cue_stance_rx.finditer(c))
            return self.schema.other_target, self.stances.label("neutral" if neutral else "none")
        # a cue overlapping a target mention is part of it ("aid blockade")
        cues = [
            q for q in self._cues(c) if not any(h.start <= q.start < h.end or q.start <= h.start < q.end for h in hits)
        ]
        readings = [self._read(c, hit, cues) for hit in hits]
        chosen = next((r for r in readings if r.polarity != "none"), readings[0])
        return chosen.target, self.stances.label(chosen.polarity)

    def _target_hits(self, c: str, requires_context: str, anchor: str | None) -> list[Hit]:
        """Mentions of the schema's targets in ``c`` (a target whose required word is absent is skipped)."""
        targets = self.lex.data.targets
        hits = [Hit(0, 0, anchor)] if anchor in targets else []
        # one scan for all targets' keywords first: most claims mention none of them
        any_keyword = self.lex.data.any_keyword
        assert any_keyword is not None  # SchemaData.for_schema sets it
        # where they match, found once for all targets (None: not ASCII, each target searches)
        starts = any_keyword.starts(c)
        keywords = bool(starts.positions) if starts is not None else any_keyword.search(c) is not None
        if not keywords and not self._stems:
            return hits  # no target can be found
        for target, rule in targets.items():
            if not (keywords or rule.stems) or (rule.requires and not rule.requires.search(c + " " + requires_context)):
                continue  # nothing to find, or a required word is absent
            hits += rule.hits(target, c, starts)
        return hits

    def _cues(self, c: str) -> list[Cue]:
        """The stance cues in ``c`` with their polarity (favor, against, neutral or invert)."""
        return [Cue(m.start(), m.end(), self._polarity(m.group())) for m in self.lex.cue_stance_rx.finditer(c)]

    def _polarity(self, cue: str) -> str:
        """The polarity of a stance cue as matched (any case, any blanks)."""
        try:
            return self._cue_polarity[cue]
        except KeyError:
            if len(self._cue_polarity) > 50_000:
                self._cue_polarity.clear()
            found = self._cue_polarity[cue] = self.lex.cues[" ".join(cue.lower().split())]
            return found

    def _read(self, c: str, hit: Hit, cues: list[Cue]) -> Reading:
        """The polarity of one target mention: its own (a stance keyword), else the nearest cue before
        it in the same clause, else a close one after it, else the target's default."""
        rule = self.lex.data.targets[hit.target]
        before = [q for q in cues if q.end <= hit.start and ";" not in c[q.end : hit.start]]
        after = [q for q in cues if q.start >= hit.end and q.start - hit.end < 50 and q.polarity != "neutral"]
        cue = before[-1] if before else after[-1] if after else None
        polarity = hit.polarity or (cue.polarity if cue else rule.default or "none")
        if polarity == "invert":
            polarity = "favor" if rule.positive else "against"
        if (
            not hit.polarity
            and not rule.default
            and any(q.polarity == "neutral" for q in before)
            and polarity != "none"
        ):
            polarity = "neutral"
        return Reading(hit.target, polarity)

    def doc_stances(self, text: str, actors: list[Span], claims: list[ClaimSpan]) -> dict[str, str]:
        """Document stance per target (schema labels), from the claims' stances and the outlet's
        evaluative wording: the position taken; with both polar positions, the principal (first)
        speaker's balance, else the neutral label; with none, ``no_stance``."""
        st = self.stances
        keys = [self._key(text[a.start : a.end]) if a.kind == "PERSON" else text[a.start : a.end] for a in actors]
        positions: dict[str, list[tuple[str, str | None]]] = {t: [] for t in self.schema.targets}
        for c in claims:
            if c.target in positions and c.stance != st.none:
                positions[c.target].append((c.stance, keys[c.speaker] if c.speaker is not None else None))
        t = self._normalised(text)
        phrases = self._phrase_positions(text, t)
        starts = Starts(phrases[0], phrases[1]["evaluative"]) if phrases else None  # where the wording may start
        for ev in self.lex.data.evaluative:
            for m in ev.pattern.finditer(t) if starts is None else ev.pattern.finditer_at(starts):
                if ev.target in positions and not any(c.start <= m.start() < c.end for c in claims):
                    positions[ev.target].append((st.label(ev.polarity), None))
        principal = next((keys[c.speaker] for c in claims if c.speaker is not None), None)
        out = {}
        for target, found in positions.items():
            stances = [s for s, _ in found]
            if st.favor in stances and st.against in stances:  # conflicting: the principal speaker decides
                own = [s for s, k in found if k == principal]
                balance = own.count(st.favor) - own.count(st.against)
                out[target] = st.favor if balance > 0 else st.against if balance < 0 else st.neutral
            else:
                ranked = [s for s in (st.favor, st.against, st.neutral) if s in stances] + stances
                out[target] = ranked[0] if ranked else st.none
        return out

    # ------------------------------------------------------------------ records
    def analyse(self, doc: Document) -> Analysis:
        """Actor and claim spans of one document, with claim target and stance."""
        actors = self.find_actors(doc.text)
        claims = self.find_claims(doc.text, actors)
        first: dict[str, int] = {}
        for a in actors:
            first.setdefault(self._key(doc.text[a.start : a.end]), a.start)
        t = self._normalised(doc.text)  # slices of it are the normalised slices of the text
        sentence_of = self._sentence_finder(doc.text, t)
        for i, c in enumerate(claims):
            spk = actors[c.speaker] if c.speaker is not None else None
            extra = sentence_of(c.cue_start)
            if spk is not None:
                extra += " " + sentence_of(first.get(self._key(doc.text[spk.start : spk.end]), spk.start))
            c.target, c.stance = self.classify(c.context, extra)
            if c.target == self.schema.other_target and _ANAPHOR.match(doc.text, c.start, c.end):
                # the claim before it: claims are sorted by start, so none after this one ends before it
                prev = next((p for p in reversed(claims[:i]) if p.end <= c.start), None)
                if prev and c.cue_start - prev.end < 40:
                    c.target, c.stance = self.classify(doc.text[c.start : c.end], anchor=prev.target)
            if spk is not None and doc.text[spk.start : spk.end] in self.lex.agencies:
                c.stance = self.stances.none  # an outlet reports, it takes no position
        return Analysis(actors, claims)

    def _sentence_finder(self, text: str, t: str):
        """A function: position -> the sentence of ``t`` containing it ("" if none)."""
        bounds = self._once(text, "sentences", self._sentences)  # sorted and disjoint
        starts = [s for s, _ in bounds]

        def sentence_of(p: int) -> str:
            i = bisect_right(starts, p) - 1  # the last sentence starting at or before p
            return t[bounds[i][0] : bounds[i][1]] if i >= 0 and p < bounds[i][1] else ""

        return sentence_of

    def to_record(self, doc: Document, analysis: Analysis) -> Record:
        """The output record for ``doc``; document stances are aggregated from the claims."""
        text, actors = doc.text, analysis.actors
        return {
            "doc_id": doc.doc_id,
            "text": text,
            "actors": [
                {
                    "id": f"a{i + 1}",
                    "start": a.start,
                    "end": a.end,
                    "text": text[a.start : a.end],
                    "label": _label_of(a),
                }
                for i, a in enumerate(actors)
            ],
            "claims": [
                {
                    "id": f"c{i + 1}",
                    "start": c.start,
                    "end": c.end,
                    "text": text[c.start : c.end],
                    "speaker": f"a{c.speaker + 1}" if c.speaker is not None else None,
                    "target": c.target,
                    "stance": c.stance,
                }
                for i, c in enumerate(analysis.claims)
            ],
            "doc_stances": self.doc_stances(text, actors, analysis.claims),
        }


def _select(cands: list[Span]) -> list[Span]:
    """Non-overlapping spans: longest first, then lowest rank, then leftmost."""
    chosen: list[Span] = []  # sorted by start; disjoint, so sorted by end too
    starts: list[int] = []
    for s in sorted(cands, key=lambda s: (s.start - s.end, s.rank, s.start)):
        # only the chosen span starting last before s.end can overlap s (binary search, not a scan)
        i = bisect_left(starts, s.end)
        if s.end > s.start and (i == 0 or chosen[i - 1].end <= s.start):
            chosen.insert(i, s)
            starts.insert(i, s.start)
    return chosen


def _mentions(t: str, keys: set[str]) -> list[tuple[int, int]]:
    r"""Later mentions of the people found in a document, by the token each is referred to by:
    the matches of "(?<![\w-])(?:key|...)(?!\w)" with the keys longest first, found with
    ``str.find`` rather than a pattern compiled for every document. Keys have no blanks."""
    longest: dict[int, int] = {}  # start -> end of the longest key that fits there
    for key in keys:
        p = t.find(key)
        while p >= 0:
            end = p + len(key)
            if end > longest.get(p, -1) and not (p and _WORD_OR_HYPHEN.match(t, p - 1)) and not _WORD.match(t, end):
                longest[p] = end
            p = t.find(key, p + 1)
    found, last = [], 0
    for p in sorted(longest):  # left to right, without overlaps, as finditer reads
        if p >= last:
            found.append((p, longest[p]))
            last = longest[p]
    return found


@lru_cache(maxsize=256)
def _forms_rx(forms: frozenset[str]) -> re.Pattern:
    """A nationality adjective or the names of its state."""
    return re.compile(bounded_alternation(forms, before=r"\w") + r"(?!\w)")


def _match_length(rx: re.Pattern, text: str) -> int:
    """The length of ``rx.match(text)``, for a pattern that matches the empty string (always a match)."""
    found = rx.match(text)
    assert found is not None
    return found.end()


def _label_of(span: Span) -> str:
    """The actor type of a span :meth:`RulesExtractor.find_actors` returned (it keeps labelled spans only)."""
    assert span.label is not None
    return span.label


def _search_end(rx: re.Pattern, text: str, run: re.Pattern) -> re.Match | None:
    """``rx.search(text)`` for a pattern anchored at the end ($) whose matches consist only of
    characters ``run`` matches and do not end with a newline. Such a match lies inside the run of
    those characters that ends the text (before a final newline, where $ also matches), so the
    search starts there instead of trying every position of a long text; lookbehinds still see
    the character before the start."""
    return rx.search(text, run_start(text, _end(text), run))


def _end(text: str) -> int:
    """Where ``$`` matches first in ``text``: before a final newline, else at the end."""
    return len(text) - 1 if text.endswith("\n") else len(text)


def _headline(t: str, start: int, end: int, stop_words: set[str]) -> bool:
    """True if the name ``t[start:end]`` runs on into more capitalised words in title case (a
    headline or a list of links, where capitals do not mark names): among the six longer words
    (four letters or more) on either side, hardly any is a lower-case content word."""
    if not _CAPITAL_NEXT.match(t[end : end + 3]):
        return False
    around = _LONG_WORD.findall(t[max(0, start - 80) : start])[-6:] + _LONG_WORD.findall(t[end : end + 120])[:6]
    content = [w for w in around if w[0].islower() and w.lower() not in stop_words]
    return len(content) <= 0.15 * len(around)


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Claim bounds without surrounding blanks, final punctuation, the closing quote at the end,
    or an opening quote when it is the only quotation mark left in the span."""
    while s < e and text[s] in " \t\n":
        s += 1
    while e > s and text[e - 1] in ' \t\n.,;:!?"”':
        e -= 1
    if s < e and text[s] in '“"' and sum(text[s:e].count(q) for q in '“”"') == 1:
        s += 1
    return s, e
