"""The "rules" extractor: gazetteer and cue patterns, no model.

Actors come from the gazetteer (``toolkit/data/gazetteer.yaml``: states and their metonyms,
ministries, international organisations, news outlets, armed/political groups) and from
person patterns (a title before a name, an apposition "X Y, the minister of ...", a capitalised
name right before a reporting verb, later surname-only mentions). Spans exclude titles, articles
and possessive 's, as the annotation guidelines ask.

Claims come from attribution cues (reporting verbs, "according to", quotation marks followed by
"X said"); the span is the statement content, the speaker is the actor the cue attaches to.
Target and stance come from the keyword and cue lexicons in ``toolkit/data/rules.yaml``, and the
document stance per target follows the guidelines' procedure. Offsets are Python string offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import ExtractorError
from ..export import Document
from ..records import Record
from ..schema import Schema, load_schema

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_NORM = str.maketrans("’‘“”", "''\"\"")  # same length: offsets do not move
_POSS = re.compile(r"'s?(?!\w)")
_CAP = r"(?:(?:al|el|as|ash|ad|ar|at|an|abu|bin|ibn)-)?[A-ZÀ-ÖØ-Þ][\w'-]*"


def _norm(text: str) -> str:
    return text.translate(_NORM)


def _listify(value) -> list[str]:
    """A YAML scalar or list as a list of strings; YAML's unquoted on/no/yes are refused."""
    values = [] if value is None else [value] if isinstance(value, str) else list(value)
    bad = [v for v in values if not isinstance(v, (str, int, float)) or isinstance(v, bool)]
    if bad:
        raise ExtractorError(f"rules lexicon: {bad[0]!r} is not a phrase (quote it in the YAML file)")
    return [str(v) for v in values]


def _alt(phrases) -> str:
    """A regex alternation of literal phrases, longest first; a space matches any blank run."""
    items = sorted({p for p in phrases if p}, key=len, reverse=True)
    return "|".join(re.escape(p).replace("\\ ", r"\s+") for p in items) or r"(?!x)x"


def _words(phrases, flags=re.IGNORECASE) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{_alt(phrases)})(?![\w-])", flags)


@dataclass
class Span:
    start: int
    end: int
    label: str
    rank: int = 0  # lower wins when spans of equal length overlap


@dataclass
class ClaimSpan:
    start: int
    end: int
    speaker: int | None  # index into the actor list
    cue_start: int  # start of the reporting cue (the stance context runs from here)
    context: str = ""  # cue + content, normalised: what target and stance are read from
    target: str = "other"
    stance: str = "none"


@dataclass
class Analysis:
    """What :meth:`RulesExtractor.analyse` finds in one document (claims point into ``actors``)."""

    actors: list[Span] = field(default_factory=list)
    claims: list[ClaimSpan] = field(default_factory=list)


class Lexicon:
    """The compiled gazetteer and lexicons (see the two YAML files for what each list means)."""

    def __init__(self, rules: dict, gaz: dict):
        get = lambda key: _listify(rules.get(key))  # noqa: E731
        self.label: dict[str, str] = {}
        states, capitals, adjs = [], [], []
        self.nationality: dict[str, set[str]] = {}  # adjective -> names of its state(s)
        for name, info in (gaz.get("states") or {}).items():
            info = info or {}
            states += [name, *_listify(info.get("aliases"))]
            capitals += _listify(info.get("capital"))
            adjs += _listify(info.get("adj"))
            for adj in _listify(info.get("adj")):
                self.nationality.setdefault(adj, {adj}).update([name, *_listify(info.get("capital"))])
        self.adjectives = set(adjs)
        self.adj_rx = re.compile(rf"(?<![\w-])(?:{_alt(adjs)})(?!\w)")
        for form in states + _listify(gaz.get("metonyms")) + capitals:
            self.label[form] = "STATE"
        for org in _listify(gaz.get("org_capitals")):
            self.label[org] = "ORGANIZATION"
        for group in gaz.get("organizations") or []:
            self.label.update({form: "ORGANIZATION" for form in _listify(group)})
        self.agencies = set(_listify(gaz.get("news_agencies")))
        self.label.update({form: "ORGANIZATION" for form in self.agencies})
        self.label.update({form: "GROUP" for form in _listify(gaz.get("groups"))})
        self.conditional = set(capitals) | set(_listify(gaz.get("org_capitals")))
        plain = [f for f in self.label if f not in self.conditional]
        cues, agent = get("reporting_cues"), get("agent_verbs")
        self.gaz_rx = re.compile(rf"(?<![\w-])(?:{_alt(_norm(f) for f in plain)})(?!\w)")
        acts = rf"(?='s?(?!\w)|\s+(?:{_alt(cues + agent)})\b)"  # a possessive or a verb follows
        self.capital_rx = re.compile(rf"(?<![\w-])(?:{_alt(self.conditional)}){acts}")
        self.locative = re.compile(rf"(?i:\b(?:{_alt(get('location_preps'))}))\s+(?:the\s+)?$")
        prefix = rf"(?:(?:{_alt(adjs + states)})\s+)?"
        of_state = rf"(?:\s+of\s+(?:the\s+)?(?:{_alt(states)}))?"
        self.ministry_rx = re.compile(rf"{prefix}(?:(?:{_alt(get('ministry_kinds'))})\s+Ministry|"
                                      rf"Ministry\s+of\s+(?:{_alt(get('ministry_of'))}){of_state})(?!\w)")
        self.gov_rx = re.compile(rf"(?<![\w-])(?:{_alt(adjs)})\s+(?:{_alt(get('government_words'))})(?!\w)")
        name = rf"{_CAP}(?:[ \t]+(?:(?:{_alt(get('name_particles'))})[ \t]+)*{_CAP}){{0,4}}"
        keep = rf"(?:(?:{_alt(get('name_prefixes'))})[ \t]+)?"
        orgs = [f for f, label in self.label.items() if label == "ORGANIZATION"]
        of_gaz = rf"(?:\s+(?:of|to|for|at)\s+(?:the\s+)?(?:{_alt(states + orgs)}))?"  # "Ambassador to the UN, X"
        self.title_words = {w.lower() for t in get("titles") + get("role_nouns") for w in t.replace("-", " ").split()}
        self.title_rx = re.compile(rf"(?<![\w-])(?i:{_alt(get('titles'))}){of_gaz},?[ \t]+(?P<name>{keep}{name})")
        roles = _alt(get("role_nouns") + get("titles"))
        self.appos_rx = re.compile(rf"(?<![\w'-])(?P<name>{name}),[ \t]+(?:(?:the|a|an|[A-Z][\w']*)[ \t]+)?"
                                   rf"(?:[\w'-]+[ \t]+){{0,4}}?(?i:{roles})(?!\w)")
        self.tag_name_rx = re.compile(rf"[\"”],?[ \t]+(?:{_alt(cues)})[ \t]+(?:the[ \t]+)?(?P<name>{name})")
        self.name_before_rx = re.compile(rf"(?<![\w'-])(?P<name>{name})$")
        self.not_names = set(get("not_names")) | self.adjectives | set(self.label)
        self.org_words, self.particles = set(get("org_words")), set(get("name_particles"))
        self.surname_first, self.prefixes = set(get("surname_first")), set(get("name_prefixes"))
        self.cue_rx = re.compile(rf"(?<![\w-])(?:{_alt(cues)})(?![\w-])")
        self.according_rx = _words(get("according_to"))
        self.object_cues = set(get("object_cues"))
        fillers = _alt(get("subject_fillers"))
        self.fill_tail = re.compile(rf"(?:[ \t]+(?:{fillers})(?![\w-]))*[ \t]*$")
        self.pron_tail = re.compile(rf"(?<![\w-])(?i:{_alt(get('pronouns'))})$")
        self.desc_tail = re.compile(rf"(?<![\w-])(?i:the|his|her)\s+(?:[\w'-]+\s+){{0,3}}?"
                                    rf"(?i:{_alt(get('role_nouns'))})$")
        adverbials = _alt(get("cue_adverbials"))
        self.adverbial_rx = re.compile(rf"[ \t]*,?[ \t]*(?i:{adverbials})\b[^.,;:\"\n]{{0,60}}?"
                                       rf"(?:[ \t]+that\b|[ \t]*:)")
        self.abbrevs = set(get("abbreviations"))
        self.tail_cut = re.compile(rf",\s+(?i:{_alt(get('claim_tail_cuts'))})(?![\w-])")
        self.cues = {}
        for polarity in ("favor", "against", "neutral"):
            self.cues.update({p.lower(): polarity for p in _listify((rules.get("stance_cues") or {}).get(polarity))})
        self.cues.update({p.lower(): "invert" for p in get("invert_cues")})
        self.cue_stance_rx = _words(self.cues)
        self.targets = {}
        for target, spec in (rules.get("targets") or {}).items():
            fixed = [(s, _words(v)) for s, v in (spec.get("stance_keywords") or {}).items()]
            self.targets[target] = (_words(spec.get("keywords") or []), fixed, bool(spec.get("positive")),
                                    spec.get("default"), _words(spec["requires"], 0) if spec.get("requires") else None)
        evaluative = (rules.get("outlet_evaluative") or {}).items()
        self.evaluative = [(t, s, _words(v)) for t, d in evaluative for s, v in d.items()]
        self.reporter_stance = str(rules.get("reporter_stance", "none"))

    @classmethod
    def load(cls, folder: str | Path | None = None) -> "Lexicon":
        folder = Path(folder) if folder else DATA_DIR
        try:
            raw = [yaml.safe_load((folder / f).read_text(encoding="utf-8")) for f in ("rules.yaml", "gazetteer.yaml")]
        except (OSError, yaml.YAMLError) as exc:
            raise ExtractorError(f"rules extractor: cannot read its lexicons in {folder} ({exc.__class__.__name__})") \
                from None
        return cls(*raw)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon.load()


def quote_pairs(text: str) -> list[tuple[int, int]]:
    """(opening, closing) indices of quotation marks “…” and "..." paired within a paragraph."""
    pairs, offset = [], 0
    for para in text.split("\n"):
        stack: int | None = None
        straight = [m.start() for m in re.finditer('"', para)]
        pairs += [(offset + a, offset + b) for a, b in zip(straight[::2], straight[1::2])]
        for i, ch in enumerate(para):
            if ch == "“":
                stack = i
            elif ch == "”" and stack is not None:
                pairs.append((offset + stack, offset + i))
                stack = None
        offset += len(para) + 1
    return sorted(pairs)


class RulesExtractor:
    """Extractor "rules": see the module docstring. ``analyse`` exposes spans for other extractors."""

    name = "rules"
    version = "1.0"

    def __init__(self, schema: Schema | None = None, lexicon: Lexicon | None = None):
        self.schema = schema or load_schema()
        self.lex = lexicon or default_lexicon()

    def extract(self, docs: list[Document]) -> list[Record]:
        """One record per document, in input order."""
        return [self.to_record(doc, self.analyse(doc)) for doc in docs]

    # ------------------------------------------------------------------ actors
    def find_actors(self, text: str) -> list[Span]:
        """Actor spans, non-overlapping, sorted; longer candidates win, then lower rank."""
        lex, t = self.lex, _norm(text)
        cands: list[Span] = []
        for rx, rank in ((lex.ministry_rx, 0), (lex.gov_rx, 0), (lex.gaz_rx, 1), (lex.capital_rx, 1)):
            for m in rx.finditer(t):
                label = lex.label.get(re.sub(r"\s+", " ", m.group()), "STATE")
                if not t[m.end():m.end() + 1] == "'" and lex.locative.search(t[max(0, m.start() - 30):m.start()]):
                    continue  # a place used as a location
                cands.append(Span(m.start(), m.end(), label, rank))
        for m in lex.title_rx.finditer(t):
            self._person(cands, t, m.start("name"), m.end("name"), 2)
        for m in lex.appos_rx.finditer(t):
            self._person(cands, t, m.start("name"), m.end("name"), 3, min_tokens=2)
        for m in lex.cue_rx.finditer(t):  # a capitalised name right before a reporting cue
            lo = max(0, m.start() - 160)
            head = lex.fill_tail.sub("", t[lo:m.start()])
            if head.endswith(","):  # "Name, the minister of ..., said"
                head = lex.fill_tail.sub("", re.sub(r",[^,\n]{1,150},$", "", head))
            found = lex.name_before_rx.search(head)
            if found:
                self._person(cands, t, lo + found.start(), lo + found.end(), 4, from_right=True)
        for m in lex.tag_name_rx.finditer(t):  # “…,” said Name
            self._person(cands, t, m.start("name"), m.end("name"), 4)
        chosen = _select(cands)
        keys = {self._key(t[s.start:s.end]) for s in chosen if s.label == "PERSON"}
        keys.discard("")
        if keys:
            for m in re.finditer(rf"(?<![\w-])(?:{_alt(keys)})(?!\w)", t):
                cands.append(Span(m.start(), m.end(), "PERSON", 5))
            chosen = _select(cands)
        return chosen

    def _person(self, cands, t, start, end, rank, min_tokens=1, from_right=False):
        """Add a PERSON candidate for the name tokens in t[start:end] that survive the stop lists."""
        lex = self.lex
        toks = [(m.start(), m.end(), _POSS.sub("", m.group())) for m in re.compile(r"\S+").finditer(t, start, end)]
        if any(w in lex.org_words for _, _, w in toks):
            return

        def ok(w: str, first: bool) -> bool:
            if first and w in lex.prefixes:
                return True
            acronym = len(w) > 1 and w.isupper() and not re.fullmatch(r"[IVX]+", w)
            nationals = w.endswith("s") and w[:-1] in lex.adjectives  # "Egyptians"
            stop = acronym or nationals or w in lex.not_names or w.lower() in lex.title_words
            return w in lex.particles or not stop

        keep: list[tuple[int, int, str]] = []
        for i, tok in enumerate(reversed(toks) if from_right else toks):
            if not ok(tok[2], i == len(toks) - 1 if from_right else i == 0):
                break
            keep.insert(0, tok) if from_right else keep.append(tok)
            if not from_right and t[tok[0]:tok[1]] != tok[2]:
                break  # a possessive ends the name
        while keep and (keep[-1][2] in lex.particles or keep[-1][2] in lex.prefixes):
            keep.pop()
        while keep and keep[0][2] in lex.particles:
            keep.pop(0)
        if len(keep) >= min_tokens:
            s, e = keep[0][0], keep[-1][1]
            poss = _POSS.search(t, s, e)
            cands.append(Span(s, poss.start() if poss and poss.end() == e else e, "PERSON", rank))

    def _key(self, name: str) -> str:
        """The token a person is later referred to by ("Sergey Lavrov" -> "Lavrov", "Wang Yi" -> "Wang")."""
        toks = [t for t in name.split() if t not in self.lex.particles and t not in self.lex.prefixes
                and not re.fullmatch(r"[IVX]+|Jr\.?|Sr\.?", t)]
        if not toks:
            return ""
        return toks[0] if toks[0] in self.lex.surname_first else toks[-1]

    # ------------------------------------------------------------------ claims
    def sentences(self, text: str) -> list[tuple[int, int]]:
        """Sentence bounds; no break inside a quotation or after an abbreviation or initial."""
        pairs, bounds, start = quote_pairs(text), [], 0
        for m in re.finditer(r"\n|[.!?]+[\"”’)\]]*(?=\s|$)", text):
            if m.group() != "\n":
                word = re.search(r"[\w.]*$", text[max(0, m.start() - 20):m.start()]).group()
                if m.group().startswith(".") and (word in self.lex.abbrevs or re.fullmatch(r"[A-Z]", word)):
                    continue
                if any(a < m.start() and m.end() <= b for a, b in pairs):
                    continue
                nxt = re.match(r"\s*(.)", text[m.end():m.end() + 20])
                if nxt and nxt.group(1).islower():
                    continue
            end = m.start() if m.group() == "\n" else m.end()
            if text[start:end].strip():
                bounds.append((start + len(text[start:end]) - len(text[start:end].lstrip()), end))
            start = m.end()
        if text[start:].strip():
            bounds.append((start + len(text[start:]) - len(text[start:].lstrip()), len(text)))
        return bounds

    def find_claims(self, text: str, actors: list[Span]) -> list[ClaimSpan]:
        """Attributed statements with the index of their speaker in ``actors``."""
        lex, t = self.lex, _norm(text)
        by_start = {a.start: i for i, a in enumerate(actors)}
        by_end = {a.end: i for i, a in enumerate(actors)}
        inside = lambda p: any(a.start <= p < a.end for a in actors)
        cues = {m.start(): m for m in lex.cue_rx.finditer(t) if not inside(m.start())}
        claims, used, quoted = [], set(), []
        for qs, qe in quote_pairs(text):  # “…,” X said / “…,” said X
            p = qe + 1 + len(re.match(r"[ \t]*,?[ \t]*", t[qe + 1:qe + 20]).group())
            q = next((q for q in sorted(cues) if p <= q <= p + 120), None)
            if q is None or re.search(r"[.!?\n\"]", t[p:q]):
                continue
            cue, speaker = cues[q], None
            if q == p:  # "said X" / "said he"
                after = re.match(r"[ \t]+(?:the[ \t]+)?", t[cue.end():cue.end() + 20])
                speaker = by_start.get(cue.end() + len(after.group())) if after else None
                if speaker is None and re.match(r"[ \t]+(?:he|she)\b", t[cue.end():cue.end() + 20]):
                    speaker = self._recent_person(t, actors, qs)
            else:
                found = self._subject(t, p, q, actors, by_end)
                speaker = found[0] if found else None
            if speaker is not None:
                s, e = _trim(text, qs + 1, qe)
                if e - s > 1:
                    claims.append(ClaimSpan(s, e, speaker, qs))
                    used.add(cue.start())
                    quoted.append((qs, qe))
        for ss, se in self.sentences(text):
            items = []  # (cue, speaker, clause_start)
            for p in sorted(cues):
                if not ss <= p < se or p in used or any(a <= p <= b for a, b in quoted):
                    continue
                cue, seg = cues[p], items[-1][0].end() if items else ss
                ing = cue.group().endswith("ing")
                subj = None if ing else self._subject(t, seg, p, actors, by_end)
                if subj is None and (ing or re.search(r"\b(?:and|but)$", t[seg:p].strip())):
                    # a participle or coordinated cue continues the sentence's speaker
                    sp = items[-1][1] if items else self._main_subject(t, ss, p, actors)
                    clause = ss + len(re.sub(r"(?:,?\s+(?:and|but)|,)?\s*$", "", t[ss:p]))
                    subj = (sp, clause) if sp is not None else None
                if subj is None and re.search(r",[ \t]*(?:[\w'-]+[ \t]+){1,4}$", t[seg:p]):
                    subj = (None, seg + t[seg:p].rfind(","))  # "..., officials said": ends a claim, makes none
                if subj is not None:
                    items.append((cue, *subj))
            if not items:
                claims += self._according(text, t, ss, se, by_start)
                continue
            for i, (cue, speaker, _) in enumerate(items):
                end = items[i + 1][2] if i + 1 < len(items) else se
                start = self._content_start(t, cue)
                end = min([end] + [qs for qs, _ in quoted if start <= qs < end])  # a quote with its own speaker
                cut = lex.tail_cut.search(t, start, end)
                s, e = _trim(text, start, cut.start() if cut else end)
                # a statement has a lower-case word; "X said that Minister Y affirmed" is Y's claim only
                if speaker is not None and e - s > 2 and re.search(r"(?<![\w'-])[a-z]", t[s:e]):
                    claims.append(ClaimSpan(s, e, speaker, cue.start()))
        for c in claims:
            c.context = t[c.cue_start:c.end] if c.cue_start < c.start else t[c.start:c.end]
        return sorted(claims, key=lambda c: c.start)

    def _subject(self, t, seg, p, actors, by_end):
        """(speaker, subject start) for a cue at p: an actor, pronoun or description right before it."""
        head = self.lex.fill_tail.sub("", t[seg:p])
        trimmed = head[:-1] if head.endswith(",") else head  # "..., Name, said": an apposition
        # "Name, speaking in X, said"
        no_parenthesis = self.lex.fill_tail.sub("", re.sub(r",[^,\n]{1,150},$", "", head))
        for h, label in ((head, None), (trimmed, "PERSON"), (no_parenthesis, None), (trimmed, None)):
            i = by_end.get(seg + len(h)) if h else None
            if i is not None and label in (None, actors[i].label):
                lo = max(0, actors[i].start - 12)  # "King X of Jordan said": the person speaks
                of = re.search(r"[ \t]+of[ \t]+(?:the[ \t]+)?$", t[lo:actors[i].start])
                owner = by_end.get(lo + of.start()) if of and actors[i].label != "PERSON" else None
                i = owner if owner is not None and actors[owner].label == "PERSON" else i
                return i, actors[i].start
        rel = re.search(r",?[ \t]+who$", head)  # "Name, who ... said" was handled above; "Name, who said"
        if rel and seg + rel.start() in by_end:
            i = by_end[seg + rel.start()]
            return i, actors[i].start
        m = self.lex.pron_tail.search(head) or self.lex.desc_tail.search(head)
        if m:
            i = self._recent_person(t, actors, seg + m.start(), hint=m.group())
            return (i, seg + m.start()) if i is not None else None
        return None

    def _main_subject(self, t, ss, p, actors):
        """The sentence-initial actor (not a possessive modifier), for "..., stressing" / "and said"."""
        for i, a in enumerate(actors):
            if ss <= a.start < p and not t.startswith("'", a.end):
                words = t[ss:a.start].split()
                return i if all(w in ("the", "of") or not w[0].islower() for w in words) else None
        return None

    def _recent_person(self, t, actors, before, hint=""):
        """The most recent PERSON before ``before``; for a description with a nationality ("the
        Russian official") the most recent one introduced near that nationality or its state."""
        people = [i for i, a in enumerate(actors) if a.label == "PERSON" and a.end <= before]
        forms = {f for adj in self.lex.adj_rx.findall(hint) for f in self.lex.nationality[adj]}
        if forms:
            intro: dict[str, str] = {}  # first mention: the title before the name and an apposition after it
            for a in actors:
                after = re.match(r",([^,.;\n]*),", t[a.end:a.end + 80])
                title = re.split(r"[.,;:\n\"]", t[max(0, a.start - 80):a.start])[-1]
                intro.setdefault(self._key(t[a.start:a.end]), title + (after.group(1) if after else ""))
            named = re.compile(rf"(?<!\w)(?:{_alt(forms)})(?!\w)")
            for i in reversed(people):
                if named.search(intro[self._key(t[actors[i].start:actors[i].end])]):
                    return i
        return people[-1] if people else None

    def _content_start(self, t, cue) -> int:
        p = cue.end()
        if cue.group() in self.lex.object_cues:
            m = re.match(r"[ \t]+(?:[\w'.-]+[ \t]+){0,6}?(?:that\b|:)", t[p:p + 200])
            p += len(m.group()) if m else 0
        m = self.lex.adverbial_rx.match(t, p)
        p = m.end() if m else p
        return p + len(re.match(r"[ \t]*(?:that\b)?[ \t]*[:,]?[ \t]*", t[p:p + 40]).group())

    def _according(self, text, t, ss, se, by_start) -> list[ClaimSpan]:
        """A claim attributed with "according to X" (the sentence's only attribution)."""
        m = self.lex.according_rx.search(t, ss, se)
        if not m:
            return []
        who = re.match(r"\s+(?:the\s+)?", t[m.end():m.end() + 20])
        speaker = by_start.get(m.end() + len(who.group())) if who else None
        if speaker is None:
            return []
        if t[ss:m.start()].strip():
            s, e = _trim(text, ss, m.start())
        else:
            comma = t.find(",", m.end(), se)
            s, e = _trim(text, comma + 1, se) if comma > 0 else (0, 0)
        return [ClaimSpan(s, e, speaker, m.start())] if e - s > 2 else []

    # ------------------------------------------------------------------ stance
    def classify(self, context: str, requires_context: str = "", anchor: str | None = None) -> tuple[str, str]:
        """(target, stance) of one claim from its cue + content text; ``anchor`` is a target the
        claim's opening pronoun refers to ("..., stating that it violates ...")."""
        lex, c = self.lex, _norm(context)
        hits = [(0, 0, anchor, None)] if anchor in lex.targets else []
        for target, (rx, fixed, positive, default, requires) in lex.targets.items():
            if target not in self.schema.targets or (requires and not requires.search(c + " " + requires_context)):
                continue
            hits += [(m.start(), m.end(), target, None) for m in rx.finditer(c)]
            hits += [(m.start(), m.end(), target, st) for st, frx in fixed for m in frx.finditer(c)]
        cues = [(m.start(), m.end(), lex.cues[" ".join(m.group().lower().split())])
                for m in lex.cue_stance_rx.finditer(c)]
        cues = [q for q in cues if not any(h[0] <= q[0] < h[1] or q[0] <= h[0] < q[1] for h in hits)]
        results = []
        for start, end, target, fixed in sorted(hits):
            _, _, positive, default, _ = lex.targets[target]
            before = [q for q in cues if q[1] <= start and ";" not in c[q[1]:start]]
            after = [q for q in cues if q[0] >= end and q[0] - end < 50 and q[2] != "neutral"]
            cue = before[-1] if before else after[-1] if after else None
            stance = fixed or (cue[2] if cue else default or "none")
            if stance == "invert":
                stance = "favor" if positive else "against"
            if not fixed and not default and any(q[2] == "neutral" for q in before) and stance != "none":
                stance = "neutral"
            results.append((target, stance))
        for target, stance in results:
            if stance != "none":
                return target, stance
        if results:
            return results[0]
        return self.schema.other_target, "neutral" if any(q[2] == "neutral" for q in cues) else "none"

    def doc_stances(self, text: str, actors: list[Span], claims: list[ClaimSpan]) -> dict[str, str]:
        """Document stance per target, from the claims' stances and the outlet's evaluative wording."""
        keys = [self._key(text[a.start:a.end]) if a.label == "PERSON" else text[a.start:a.end] for a in actors]
        positions: dict[str, list[tuple[str, str | None]]] = {t: [] for t in self.schema.targets}
        for c in claims:
            if c.target in positions and c.stance != "none":
                positions[c.target].append((c.stance, keys[c.speaker] if c.speaker is not None else None))
        t = _norm(text)
        for target, stance, rx in self.lex.evaluative:
            for m in rx.finditer(t):
                if target in positions and not any(c.start <= m.start() < c.end for c in claims):
                    positions[target].append((stance, None))
        principal = next((keys[c.speaker] for c in claims if c.speaker is not None), None)
        out = {}
        for target, found in positions.items():
            stances = {s for s, _ in found}
            if {"favor", "against"} <= stances:  # conflicting: the principal speaker's position, else neutral
                own = [s for s, k in found if k == principal]
                balance = own.count("favor") - own.count("against")
                out[target] = "favor" if balance > 0 else "against" if balance < 0 else "neutral"
            else:
                out[target] = next((s for s in ("favor", "against", "neutral") if s in stances), "none")
        return out

    # ------------------------------------------------------------------ records
    def analyse(self, doc: Document) -> Analysis:
        """Actor and claim spans of one document, with claim target and stance."""
        actors = self.find_actors(doc.text)
        claims = self.find_claims(doc.text, actors)
        first = {}
        for a in actors:
            first.setdefault(self._key(doc.text[a.start:a.end]), a.start)
        bounds = self.sentences(doc.text)
        sentence_of = lambda p: next((doc.text[s:e] for s, e in bounds if s <= p < e), "")
        for c in claims:
            spk = actors[c.speaker] if c.speaker is not None else None
            extra = sentence_of(c.cue_start)
            if spk is not None:
                extra += " " + sentence_of(first.get(self._key(doc.text[spk.start:spk.end]), spk.start))
            c.target, c.stance = self.classify(c.context, _norm(extra))
            prev = next((p for p in reversed(claims) if p.end <= c.start), None)
            if (c.target == self.schema.other_target and prev and c.cue_start - prev.end < 40
                    and re.match(r"(?:it|this|they|these|such)\b", doc.text[c.start:c.end], re.I)):
                c.target, c.stance = self.classify(doc.text[c.start:c.end], anchor=prev.target)
            if spk is not None and doc.text[spk.start:spk.end] in self.lex.agencies:
                c.stance = self.lex.reporter_stance
        return Analysis(actors, claims)

    def to_record(self, doc: Document, analysis: Analysis) -> Record:
        """The output record for ``doc``; document stances are aggregated from the claims."""
        text, actors = doc.text, analysis.actors
        return {
            "doc_id": doc.doc_id,
            "text": text,
            "actors": [{"id": f"a{i + 1}", "start": a.start, "end": a.end, "text": text[a.start:a.end],
                        "label": a.label} for i, a in enumerate(actors)],
            "claims": [{"id": f"c{i + 1}", "start": c.start, "end": c.end, "text": text[c.start:c.end],
                        "speaker": f"a{c.speaker + 1}" if c.speaker is not None else None,
                        "target": c.target, "stance": c.stance} for i, c in enumerate(analysis.claims)],
            "doc_stances": self.doc_stances(text, actors, analysis.claims),
        }


def _select(cands: list[Span]) -> list[Span]:
    """Non-overlapping spans: longest first, then lowest rank, then leftmost."""
    chosen: list[Span] = []
    for s in sorted(cands, key=lambda s: (s.start - s.end, s.rank, s.start)):
        if s.end > s.start and all(s.end <= c.start or s.start >= c.end for c in chosen):
            chosen.append(s)
    return sorted(chosen, key=lambda s: s.start)


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Claim bounds without surrounding blanks, final punctuation, the closing quote at the end,
    or an opening quote when it is the only quotation mark left in the span."""
    while s < e and text[s] in " \t\n":
        s += 1
    while e > s and text[e - 1] in " \t\n.,;:!?\"”":
        e -= 1
    if s < e and text[s] in "“\"" and sum(text[s:e].count(q) for q in "“”\"") == 1:
        s += 1
    return s, e
