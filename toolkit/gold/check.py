"""Records checked as if Label Studio had exported them: predictions, reading passes, records JSONL.

:func:`check_record` gives what :func:`~toolkit.gold.parse.parse_annotation` gives for
:func:`~toolkit.gold.results.record_to_results` of a record (with ``given_text``, ``complete``
off): the same record, problems in the same order, the same counts (the tests compare the two),
without building the Label Studio results. A record in which nothing is wrong is checked in one
pass (:func:`_fast_check`); at the first thing that would be a problem it gives up
(:class:`~toolkit.gold.fast._NotFast`) and :func:`_check_spans` reads the record in the order
``record_to_results`` lists it, saying what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from ..errors import GoldError
from ..files import shown
from ..records import Actor, Claim, Record
from ..schema import ACTOR_TAG, CLAIM_STANCE_TAG, CLAIM_TAG, CLAIM_TARGET_TAG, DOC_STANCE_PREFIX, Schema
from .fast import _BY_POSITION, _fast_schema, _FastSchema, _NotFast
from .parse import (
    _assemble,
    _bad_region_id,
    _checked_span,
    _Doc,
    _join_choices,
    _keep_span,
    _link_speakers,
    _open_document,
    _Span,
)
from .values import Imported, Problem, _region_id, _same_text, short, valid_string


def _shape_problems(record: Mapping[str, object], source: str, task_id: object) -> list[Problem]:
    """Problems with a record's containers: lists of objects and a mapping of stances."""
    problems = []
    for key in ("actors", "claims"):
        spans = record.get(key)
        if spans is not None and not isinstance(spans, list):
            problems.append(Problem(source, task_id, None, f"'{key}' is {type(spans).__name__}, not a list; dropped"))
        for i, span in enumerate(spans if isinstance(spans, list) else []):
            if not isinstance(span, dict):
                problems.append(
                    Problem(source, task_id, None, f"{key} #{i + 1} {short(span)} is not an object; skipped")
                )
    stances = record.get("doc_stances")
    if stances is not None and not isinstance(stances, dict):
        problems.append(
            Problem(source, task_id, None, f"'doc_stances' is {type(stances).__name__}, not a mapping; dropped")
        )
    return problems


def check_record(record: Mapping[str, object], schema: Schema, source: str, out: Imported) -> Record | None:
    """A record (a prediction, a reading pass) checked as if Label Studio had exported it: the
    record with bad regions left out, problems appended to ``out``. Null speaker, target and
    stance are allowed, and so are unanswered document stances; a span's own ``text``, when
    given, must fit the document at its offsets. Keys other than the record's are kept as they
    are (provenance, for one).

    The problems, their order and counts are those of :func:`~toolkit.gold.parse.parse_annotation`
    reading :func:`~toolkit.gold.results.record_to_results` of the record (with ``given_text``),
    without building the Label Studio results (the tests compare the two).
    """
    task_id = record.get("doc_id")
    shape = _shape_problems(record, source, task_id)
    out.problems += shape
    out.count("regions_skipped", sum("#" in p.message for p in shape))
    try:
        parsed: Record | None = _fast_check(record, _fast_schema(schema))
    except _NotFast:
        parsed = _check_spans(record, schema, source, out, task_id if valid_string(task_id) else short(task_id))
    if parsed is None:
        return None
    kept = {k: v for k, v in record.items() if k not in ("actors", "claims", "doc_stances", "text")}
    return cast("Record", {**kept, **parsed})  # a Record: its own keys come from ``parsed``


def validate_record(record: object, schema: Schema, source: str = "record") -> None:
    """Check a record (e.g. a reading pass or an extractor's output) as if Label Studio had
    exported it (see :func:`check_record`). Raises :class:`GoldError` naming the first problem."""
    if not isinstance(record, dict):
        raise GoldError(f"{shown(source)}: a record must be a JSON object")
    out = Imported()
    check_record(record, schema, source, out)
    if out.problems:
        raise GoldError(str(out.problems[0]))


# --- One pass over a record in which nothing is wrong -------------------------------------


def _ok_id(raw: object) -> str | None:
    """:func:`~toolkit.gold.values._region_id` (a string that is valid Unicode, or an int as
    one), or None."""
    if type(raw) is str:
        return raw if raw and (raw.isascii() or valid_string(raw)) else None
    return str(raw) if type(raw) is int else None


def _fast_actors(given: object, text: str, fast: _FastSchema) -> dict[str, Actor]:
    """Region id -> actor, of a record's ``actors``."""
    n = len(text)
    actors: dict[str, Actor] = {}
    for actor in given if isinstance(given, list) else ():
        if not isinstance(actor, dict):
            continue
        rid, start, end, label = actor.get("id"), actor.get("start"), actor.get("end"), actor.get("label")
        if type(rid) is not str or not rid or not rid.isascii():
            rid = _ok_id(rid)
        if (
            rid is None
            or rid in actors
            or type(label) is not str
            or label not in fast.actor
            or type(start) is not int
            or type(end) is not int
            or not 0 <= start < end <= n
        ):
            raise _NotFast
        part, own = text[start:end], actor.get("text")
        if own is not None and own != part and not _same_text(own, part):
            raise _NotFast
        actors[rid] = {"id": rid, "start": start, "end": end, "text": part, "label": label}
    return actors


def _fast_claims(given: object, text: str, actors: dict[str, Actor], fast: _FastSchema) -> dict[str, Claim]:
    """Region id -> claim, of a record's ``claims``; every speaker must be one of ``actors``."""
    n = len(text)
    claims: dict[str, Claim] = {}
    for claim in given if isinstance(given, list) else ():
        if not isinstance(claim, dict):
            continue
        rid, start, end = claim.get("id"), claim.get("start"), claim.get("end")
        if type(rid) is not str or not rid or not rid.isascii():
            rid = _ok_id(rid)
        if (
            rid is None
            or rid in claims
            or rid in actors
            or type(start) is not int
            or type(end) is not int
            or not 0 <= start < end <= n
        ):
            raise _NotFast
        target, stance, speaker = claim.get("target"), claim.get("stance"), claim.get("speaker")
        if (target is not None and (type(target) is not str or target not in fast.claim_target)) or (
            stance is not None and (type(stance) is not str or stance not in fast.stance)
        ):
            raise _NotFast
        if speaker is not None and (speaker := _ok_id(speaker)) is None:
            raise _NotFast
        part, own = text[start:end], claim.get("text")
        if own is not None and own != part and not _same_text(own, part):
            raise _NotFast
        claims[rid] = {
            "id": rid,
            "start": start,
            "end": end,
            "text": part,
            "speaker": speaker,
            "target": target,
            "stance": stance,
        }
    for claim in claims.values():  # every speaker is an actor, and no actor is also a claim
        if claim["speaker"] is not None and claim["speaker"] not in actors:
            raise _NotFast
    return claims


def _fast_stances(given: object, fast: _FastSchema) -> dict[str, str]:
    """A record's ``doc_stances``, sorted by target, if every one is in the schema."""
    if not isinstance(given, dict):
        return {}
    for target, stance in given.items():
        if (
            type(target) is not str
            or target not in fast.doc_target
            or type(stance) is not str
            or stance not in fast.stance
        ):
            raise _NotFast
    return dict(sorted(given.items()))


def _fast_check(record: Mapping[str, object], fast: _FastSchema) -> Record:
    """What :func:`_check_spans` gives for a record in which it would find no problem, built
    directly; :class:`~toolkit.gold.fast._NotFast` at the first thing it would report."""
    text, doc_id = record.get("text"), record.get("doc_id")
    if type(text) is not str or not valid_string(text):
        raise _NotFast
    if type(doc_id) is int:
        doc_id = str(doc_id)
    elif type(doc_id) is not str or not doc_id or not (doc_id.isascii() or valid_string(doc_id)):
        raise _NotFast
    actors = _fast_actors(record.get("actors"), text, fast)
    claims = _fast_claims(record.get("claims"), text, actors, fast)
    return {
        "doc_id": doc_id,
        "text": text,
        "actors": sorted(actors.values(), key=_BY_POSITION),
        "claims": sorted(claims.values(), key=_BY_POSITION),
        "doc_stances": _fast_stances(record.get("doc_stances"), fast),
    }


# --- The reference check, which says what is wrong --------------------------------------------


def _check_span(tag: str, span: Mapping[str, object], label: object, rid: str, doc: _Doc) -> None:
    """:func:`~toolkit.gold.parse._read_span` of the ``labels`` result
    :func:`~toolkit.gold.results.record_to_results` makes for ``span``."""
    schema = doc.schema
    if not (
        isinstance(label, str) and (label in schema.actor_types if tag == ACTOR_TAG else label == schema.claim_label)
    ):
        checked: _Span | str = f"label {short([label])} is not one {tag} label of schema {schema.version}"
    else:
        checked = _checked_span(doc.text, rid, label, span)
    _keep_span(doc, tag, rid, checked)


def _check_actors(actors: object, doc: _Doc) -> None:
    """A record's actors, as spans."""
    for actor in actors if isinstance(actors, list) else []:
        if isinstance(actor, dict):
            raw_id = actor.get("id")
            rid = _region_id(raw_id)
            if rid is None:
                _bad_region_id(raw_id, doc)
            else:
                _check_span(ACTOR_TAG, actor, actor.get("label"), rid, doc)


def _check_claim_choices(claim: Mapping[str, object], raw_id: object, rid: str | None, doc: _Doc) -> None:
    """A claim's target and stance, as the per-region choices of region ``rid``."""
    for key, name in (("target", CLAIM_TARGET_TAG), ("stance", CLAIM_STANCE_TAG)):
        value = claim.get(key)
        if value is None:
            continue
        if rid is None:
            _bad_region_id(raw_id, doc)
            continue
        allowed = doc.schema.claim_targets if key == "target" else doc.schema.stance_labels
        fields = doc.choices.setdefault(rid, {})
        if not (isinstance(value, str) and value in allowed):
            doc.problem(rid, f"{name} {short(value)} is not in schema {doc.schema.version}; dropped", "choices_skipped")
        elif key in fields:
            doc.problem(
                rid,
                f"a second {name} result for this region ({value!r}); the first ({fields[key]!r}) is kept",
                "duplicate_results",
            )
        else:
            fields[key] = value


def _check_claims(claims: object, doc: _Doc) -> None:
    """A record's claims: each one's span, target and stance, and its speaker as a relation."""
    for claim in claims if isinstance(claims, list) else []:
        if not isinstance(claim, dict):
            continue
        raw_id = claim.get("id")
        rid = _region_id(raw_id)
        if rid is None:
            _bad_region_id(raw_id, doc)
        else:
            _check_span(CLAIM_TAG, claim, doc.schema.claim_label, rid, doc)
        _check_claim_choices(claim, raw_id, rid, doc)
        if claim.get("speaker") is not None:
            doc.relations.append((raw_id, claim["speaker"], None))


def _check_stances(stances: object, doc: _Doc) -> None:
    """A record's document stances, sorted by target (as ``record_to_results`` lists them)."""
    schema = doc.schema
    for target, stance in sorted(stances.items() if isinstance(stances, dict) else [], key=lambda kv: str(kv[0])):
        name = f"{target}"
        if name not in schema.targets or not (isinstance(stance, str) and stance in schema.stance_labels):
            doc.problem(
                f"doc-{target}",
                f"document stance {short(DOC_STANCE_PREFIX + name)}={short([stance])} is not in "
                f"schema {schema.version}; dropped",
                "choices_skipped",
            )
        elif name in doc.doc_stances:
            doc.problem(
                f"doc-{target}",
                f"a second document stance for {name!r} ({stance!r}); the first ({doc.doc_stances[name]!r}) is kept",
                "duplicate_results",
            )
        else:
            doc.doc_stances[name] = stance


def _check_spans(
    record: Mapping[str, object], schema: Schema, source: str, out: Imported, task_id: object
) -> Record | None:
    """The regions, claims and document stances of ``record`` checked in the order
    :func:`~toolkit.gold.results.record_to_results` lists them and
    :func:`~toolkit.gold.parse.parse_annotation` reads them (``complete`` off): actors, then
    each claim (span, target, stance), the speaker relations after all results, then the
    document stances sorted by target."""
    doc = _Doc(source, task_id, None, "", schema, out)
    doc_id = _open_document(record.get("text"), record.get("doc_id"), doc)
    if doc_id is None:
        return None
    _check_actors(record.get("actors"), doc)
    _check_claims(record.get("claims"), doc)
    _check_stances(record.get("doc_stances"), doc)
    _join_choices(doc)
    actors, claims = _assemble(doc, _link_speakers(doc), complete=False)
    return {"doc_id": doc_id, "text": doc.text, "actors": actors, "claims": claims, "doc_stances": doc.doc_stances}
