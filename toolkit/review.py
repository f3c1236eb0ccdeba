"""Review with consensus: what every annotator agrees on is accepted, the rest goes to a reviewer.

:func:`build_consensus` (pure, no server) takes the annotations of one document, one record per
annotator, and builds the consensus:

- an actor span (offsets and label) that every annotator marked is **accepted**; any other
  actor span is an **alternative**: it is kept as a region, marked as disputed;
- a claim span (offsets) that every annotator marked is accepted; its target, stance and
  speaker are set where every annotator gave the same one (the speaker compared by its span and
  label) and left unset where they differ, the alternatives listed; any other claim span is an
  alternative, with the fields its markers agree on;
- a document stance every annotator gave is set; the others are left unanswered (the labeling
  config makes them required, so the reviewer must decide).

What was tried in the Label Studio 1.23.2 UI decided how disputes are shown: everything goes
into **one prediction** (model version :data:`MODEL_VERSION`), since a task shows one
annotation or prediction at a time and regions cannot be copied from one to another. A region's
``score`` is the share of annotators who agree on all of it (1.00 when accepted; the region list
shows it beside each region) and a disputed region carries a ``meta`` note ("disputed: …",
each annotator's value), which the region's Info panel shows when it is selected and which
Label Studio copies into the annotation made from the prediction. The prediction's own score,
the share of accepted items, shows on its tab. The reviewer opens the task, picks the
``consensus`` tab, chooses "Duplicate Annotation" in its menu, resolves the disputes (deletes
the wrong alternatives, chooses the unset fields, answers the open document stances) and
submits. Label Studio records the prediction as the annotation's ``parent_prediction``, which is
how :func:`accept_reviews` recognises the review and flags it ``ground_truth``.

:func:`review_project` and :func:`accept_reviews` do this against a live project (through the
helpers of :mod:`toolkit.studio`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .records import Actor, Claim, Record
from .schema import Schema

if TYPE_CHECKING:
    from label_studio_sdk.label_interface import LabelInterface

    from .studio.client import Client

MODEL_VERSION = "consensus"
#: The kinds counted in the statistics: spans, then the fields of claims whose span is
#: accepted (a disputed claim's fields are not counted separately), then document stances.
KINDS = ("actors", "claims", "speakers", "targets", "stances", "doc_stances")
ActorKey = tuple[int, int, str]  # (start, end, label)
Span = tuple[int, int, str, str]  # (start, end, label, text): what an annotator marked, for notes


def _quote(text: str | None, limit: int = 50) -> str:
    text = " ".join((text or "").split())
    return f"'{text}'" if len(text) <= limit else f"'{text[: limit - 1]}…'"


class ActorRegion(Actor):
    """An actor region of the consensus prediction."""

    accepted: bool
    marked_by: list[str]  # the annotators who marked it
    score: float  # the share of annotators who agree on all of it
    note: str | None  # None when accepted, else what is disputed


class ClaimRegion(Claim):
    """A claim region of the consensus prediction (``speaker``: an actor region's id)."""

    accepted: bool
    marked_by: list[str]
    score: float
    note: str | None


@dataclass
class Consensus:
    """The consensus of one document's annotations (see the module docstring).

    ``actors`` and ``claims`` hold every region of the prediction, accepted or not, in text
    order, each with ``accepted``, ``marked_by`` (annotators), ``score`` and ``note`` (None when
    accepted, else what is disputed); claims' ``speaker`` is the id of an actor here.
    ``doc_stances`` holds the agreed document stances only. ``disputes`` lists every disputed
    item with each annotator's value; ``stats`` counts accepted and disputed items per kind.
    """

    doc_id: str
    text: str | None
    annotators: list[str]
    actors: list[ActorRegion] = field(default_factory=list)
    claims: list[ClaimRegion] = field(default_factory=list)
    doc_stances: dict[str, str] = field(default_factory=dict)
    disputes: list[dict] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=lambda: {k: {"accepted": 0, "disputed": 0} for k in KINDS})

    def _count(self, kind: str, accepted: bool) -> None:
        self.stats[kind]["accepted" if accepted else "disputed"] += 1

    @property
    def score(self) -> float | None:
        """The share of accepted items (None when there is nothing to count)."""
        accepted = sum(s["accepted"] for s in self.stats.values())
        total = accepted + sum(s["disputed"] for s in self.stats.values())
        return accepted / total if total else None

    def record(self) -> Record:
        """The consensus as a toolkit record: every region (alternatives too), the agreed fields."""
        record: Record = {
            "doc_id": self.doc_id,
            "actors": [Actor(id=a["id"], start=a["start"], end=a["end"], text=a["text"], label=a["label"])
                       for a in self.actors],
            "claims": [Claim(id=c["id"], start=c["start"], end=c["end"], text=c["text"], speaker=c["speaker"],
                             target=c["target"], stance=c["stance"]) for c in self.claims],
            "doc_stances": dict(self.doc_stances),
        }  # fmt: skip
        if self.text is not None:
            record["text"] = self.text
        return record

    def results(self, schema: Schema) -> list[dict]:
        """Label Studio prediction results: the record's results, each region's ``labels`` item
        with its ``score`` and, when disputed, a ``meta`` note."""
        from .gold import record_to_results

        regions = {r["id"]: r for r in (*self.actors, *self.claims)}
        results = record_to_results(self.record(), schema)
        for item in results:
            rid = item.get("id")
            region = regions.get(rid) if isinstance(rid, str) else None
            if region is None or item.get("type") != "labels":
                continue
            item["score"] = round(region["score"], 4)
            if region["note"]:
                item["meta"] = {"text": region["note"]}
        return results

    def as_dict(self) -> dict:
        """JSON-ready: doc id, annotators, stats and disputes."""
        return {
            "doc_id": self.doc_id,
            "annotators": self.annotators,
            "score": self.score,
            "stats": self.stats,
            "disputes": self.disputes,
        }


def _what_others_marked(spans: list[Span], start: int, end: int) -> str:
    """What an annotator marked overlapping ``[start, end)``: ``LABEL 'text'``, or ``nothing here``."""
    found = [f"{label} {_quote(text)}" for s, e, label, text in spans if s < end and start < e]
    return " and ".join(found) if found else "nothing here"


def build_consensus(records_by_annotator: Mapping[str, Record], schema: Schema) -> Consensus:
    """The consensus of one document's records, ``{annotator: record}`` (two or more).

    Region ids are ``actor-N`` and ``claim-N`` in text order. Accepted regions come first among
    equal positions. An annotator's two regions with the same span (and, for actors, label)
    count once.
    """
    if len(records_by_annotator) < 2:
        raise ValueError("a consensus needs the records of two or more annotators")
    names = sorted(records_by_annotator)
    records = [records_by_annotator[a] for a in names]
    doc_ids = {str(r.get("doc_id")) for r in records}
    if len(doc_ids) != 1:
        raise ValueError(f"the records are of different documents: {', '.join(sorted(doc_ids))}")
    text = next((r["text"] for r in records if r.get("text") is not None), None)
    out = Consensus(doc_ids.pop(), text, names)
    by_name = dict(zip(names, records, strict=True))
    actor_key, region_of = _consensus_actors(out, by_name)
    _consensus_claims(out, by_name, schema.claim_label, actor_key, region_of)
    _consensus_doc_stances(out, by_name, schema)
    return out


def _consensus_actors(
    out: Consensus, records: dict[str, Record]
) -> tuple[dict[str, dict[str, ActorKey]], dict[ActorKey, str]]:
    """The actor regions of the consensus, keyed by ``(start, end, label)``, in text order
    (accepted first among equal positions). Returns each annotator's actor id -> key, and each
    key's region id (for the claims' speakers)."""
    marked, actor_key, spans_of = _marked_actors(records, out.text)
    everyone = len(out.annotators)
    region_of: dict[ActorKey, str] = {}
    order = sorted(marked, key=lambda k: (k[0], k[1], len(marked[k]) < everyone, k[2]))
    for number, key in enumerate(order, 1):
        region_of[key] = rid = f"actor-{number}"
        out.actors.append(_actor_region(out, rid, key, marked[key], spans_of))
    return actor_key, region_of


def _marked_actors(
    records: dict[str, Record], text: str | None
) -> tuple[dict[ActorKey, list[str]], dict[str, dict[str, ActorKey]], dict[str, list[Span]]]:
    """Who marked each actor key; each annotator's actor id -> key; each annotator's spans (for
    notes). An annotator's two actors with the same key count once."""
    marked: dict[ActorKey, list[str]] = defaultdict(list)
    actor_key: dict[str, dict[str, ActorKey]] = {}  # annotator -> actor id -> key
    spans_of: dict[str, list[Span]] = defaultdict(list)  # annotator -> spans, for notes
    for name, record in records.items():
        actor_key[name] = {}
        for actor in record.get("actors") or ():
            key = (actor["start"], actor["end"], actor["label"])
            actor_key[name][actor["id"]] = key
            if name not in marked[key]:
                marked[key].append(name)
                spans_of[name].append((*key, _slice(text, actor)))
    return marked, actor_key, spans_of


def _actor_region(
    out: Consensus, rid: str, key: ActorKey, by: list[str], spans_of: dict[str, list[Span]]
) -> ActorRegion:
    """The region ``rid`` of an actor key marked ``by`` these annotators; counted, and a dispute
    unless everyone marked it."""
    names, everyone = out.annotators, len(out.annotators)
    start, end, label = key
    accepted = len(by) == everyone
    region: ActorRegion = {
        "id": rid,
        "start": start,
        "end": end,
        "text": _slice(out.text, {"start": start, "end": end}),
        "label": label,
        "accepted": accepted,
        "marked_by": by,
        "score": len(by) / everyone,
        "note": None,
    }
    out._count("actors", accepted)
    if not accepted:
        others = [f"{a}: {_what_others_marked(spans_of[a], start, end)}" for a in names if a not in by]
        region["note"] = f"disputed: {label} {_quote(region['text'])} marked by {', '.join(by)}; {'; '.join(others)}"
        out.disputes.append(
            {
                "kind": "actor",
                "region": rid,
                "start": start,
                "end": end,
                "text": region["text"],
                "label": label,
                "values": {a: label if a in by else None for a in names},
            }
        )
    return region


def _consensus_claims(
    out: Consensus,
    records: dict[str, Record],
    claim_label: str,
    actor_key: dict[str, dict[str, ActorKey]],
    region_of: dict[ActorKey, str],
) -> None:
    """The claim regions of the consensus, keyed by ``(start, end)``, in text order; their
    speaker, target and stance where the annotators who marked the claim agree
    (:func:`_consensus_fields`)."""
    claims: dict[tuple[int, int], dict[str, Claim]] = defaultdict(dict)  # span -> annotator -> claim
    claim_spans: dict[str, list[Span]] = defaultdict(list)  # annotator -> spans, for notes
    for name, record in records.items():
        for claim in record.get("claims") or ():
            span = (claim["start"], claim["end"])
            if name not in claims[span]:
                claims[span][name] = claim
                claim_spans[name].append((*span, claim_label, _slice(out.text, claim)))
    for number, span in enumerate(sorted(claims), 1):
        marked = claims[span]
        speakers = {a: _speaker_key(actor_key[a], marked[a]) for a in sorted(marked)}
        region = _claim_region(out, f"claim-{number}", span, marked, speakers)
        notes = [] if region["accepted"] else [_claim_dispute(out, region, claim_label, claim_spans)]
        out._count("claims", region["accepted"])
        notes += _consensus_fields(out, region, marked, speakers, region_of)
        region["note"] = "; ".join(notes) or None
        out.claims.append(region)


def _claim_region(
    out: Consensus, rid: str, span: tuple[int, int], marked: dict[str, Claim], speakers: dict[str, ActorKey | None]
) -> ClaimRegion:
    """The region ``rid`` of a claim span that these annotators ``marked``, its fields unset;
    its score is the largest share of annotators agreeing on speaker, target and stance."""
    start, end = span
    by = sorted(marked)
    groups = Counter((speakers[a], marked[a].get("target"), marked[a].get("stance")) for a in by)
    return {
        "id": rid,
        "start": start,
        "end": end,
        "text": _slice(out.text, {"start": start, "end": end}),
        "speaker": None,
        "target": None,
        "stance": None,
        "accepted": len(by) == len(out.annotators),
        "marked_by": by,
        "score": max(groups.values()) / len(out.annotators),
        "note": None,
    }


def _claim_dispute(out: Consensus, region: ClaimRegion, claim_label: str, claim_spans: dict[str, list[Span]]) -> str:
    """Record the dispute of a claim not everyone marked; its note."""
    start, end, by = region["start"], region["end"], region["marked_by"]
    others = [f"{a}: {_what_others_marked(claim_spans[a], start, end)}" for a in out.annotators if a not in by]
    out.disputes.append(
        {
            "kind": "claim",
            "region": region["id"],
            "start": start,
            "end": end,
            "text": region["text"],
            "values": {a: a in by for a in out.annotators},
        }
    )
    return f"disputed: {claim_label} {_quote(region['text'])} marked by {', '.join(by)}; {'; '.join(others)}"


def _speaker_key(keys: dict[str, ActorKey], claim: Claim) -> ActorKey | None:
    """The key of the actor speaking ``claim`` (None without a speaker)."""
    speaker = claim.get("speaker")
    return None if speaker is None else keys.get(speaker)


def _consensus_fields(
    out: Consensus,
    region: ClaimRegion,
    marked: dict[str, Claim],
    speakers: dict[str, ActorKey | None],
    region_of: dict[ActorKey, str],
) -> list[str]:
    """Set the claim's speaker, target and stance where everyone who ``marked`` it agrees;
    count them (for an accepted claim) and return the notes of those disputed."""
    notes = []
    values: dict[str, dict[str, Any]] = {
        "speaker": speakers,
        "target": {a: marked[a].get("target") for a in region["marked_by"]},
        "stance": {a: marked[a].get("stance") for a in region["marked_by"]},
    }
    agreed_values: dict[str, Any] = {}
    for name, kind in (("speaker", "speakers"), ("target", "targets"), ("stance", "stances")):
        given = set(values[name].values())
        agreed = len(given) == 1 and None not in given
        if agreed:
            agreed_values[name] = given.pop()
        if region["accepted"]:
            out._count(kind, agreed)
        if not agreed:
            shown = {a: _speaker_view(v, out.text) if name == "speaker" else v for a, v in values[name].items()}
            notes.append(
                f"{name} disputed: " + ", ".join(f"{a} {v if v is not None else '(none)'}" for a, v in shown.items())
            )
            if region["accepted"]:
                out.disputes.append(
                    {
                        "kind": name,
                        "region": region["id"],
                        "start": region["start"],
                        "end": region["end"],
                        "text": region["text"],
                        "values": shown,
                    }
                )
    if "speaker" in agreed_values:
        region["speaker"] = region_of[agreed_values["speaker"]]
    region["target"], region["stance"] = agreed_values.get("target"), agreed_values.get("stance")
    return notes


def _consensus_doc_stances(out: Consensus, records: dict[str, Record], schema: Schema) -> None:
    """The document stances every annotator gave; the others are disputes."""
    for target in schema.targets:
        given = {a: (r.get("doc_stances") or {}).get(target) for a, r in records.items()}
        agreed = len(set(given.values())) == 1 and None not in given.values()
        out._count("doc_stances", agreed)
        stance = given[out.annotators[0]]
        if agreed and stance is not None:
            out.doc_stances[target] = stance
        else:
            out.disputes.append({"kind": "doc_stance", "target": target, "text": target, "values": given})


def _slice(text: str | None, span: Mapping[str, Any]) -> str:
    return text[span["start"] : span["end"]] if text is not None else str(span.get("text") or "")


def _speaker_view(key: tuple | None, text: str | None) -> str | None:
    """A speaker (an actor key) for notes: ``LABEL 'text'``."""
    if key is None:
        return None
    start, end, label = key
    return f"{label} {_quote(_slice(text, {'start': start, 'end': end}))}"


def dispute_line(dispute: dict) -> str:
    """One dispute as a short line: what, where, and each annotator's value."""
    values = dispute["values"]
    if dispute["kind"] == "doc_stance":
        what = f"document stance {dispute['target']}"
    elif dispute["kind"] == "actor":
        what = f"actor {_quote(dispute['text'])} [{dispute['start']}, {dispute['end']})"
    elif dispute["kind"] == "claim":
        what = f"claim {_quote(dispute['text'])} [{dispute['start']}, {dispute['end']})"
        values = {a: ("marked" if v else None) for a, v in values.items()}
    else:
        what = f"claim {dispute['kind']} of {_quote(dispute['text'], 30)}"
    return " ".join(what.split()) + ": " + ", ".join(f"{a} {v if v is not None else '-'}" for a, v in values.items())


def add_stats(total: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> None:
    for kind, counts in more.items():
        for key, n in counts.items():
            total.setdefault(kind, {"accepted": 0, "disputed": 0})[key] += n


def same_results(first: list | None, second: list | None) -> bool:
    """Do two result lists hold the same items (order and key order aside)?"""

    def canon(items: list | None) -> list[str]:
        return sorted(json.dumps(i, sort_keys=True, ensure_ascii=False) for i in items or ())

    return canon(first) == canon(second)


# --- against a live project -------------------------------------------------------------


@dataclass
class TaskReview:
    """One task's consensus and what was done with it (``action``: posted, updated, unchanged,
    or ``would post``/``would update`` in a dry run)."""

    task_id: int
    consensus: Consensus
    action: str

    def as_dict(self) -> dict:
        return {"task_id": self.task_id, "action": self.action, **self.consensus.as_dict()}


@dataclass
class ReviewRun:
    """What :func:`review_project` did; ``skipped`` counts tasks left out, by reason."""

    tasks: list[TaskReview] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=lambda: {k: {"accepted": 0, "disputed": 0} for k in KINDS})
    skipped: dict[str, int] = field(default_factory=lambda: {"ground_truth": 0, "reviewed": 0, "fewer_than_two": 0})
    problems: list[str] = field(default_factory=list)

    def actions(self) -> dict[str, int]:
        """How many tasks got each action (posted, updated, unchanged, would post …)."""
        return dict(Counter(item.action for item in self.tasks))

    def as_dict(self) -> dict:
        return {
            "model_version": MODEL_VERSION,
            "stats": self.stats,
            "skipped": self.skipped,
            "problems": self.problems,
            "tasks": [t.as_dict() for t in self.tasks],
        }


def _completed(annotations: list[dict]) -> list[dict]:
    return [a for a in annotations if not a.get("was_cancelled")]


def _reviews(annotations: list[dict], consensus_ids: set[int], reviewer: int | None) -> list[dict]:
    """The completed annotations that are reviews: made from a consensus prediction, or by ``reviewer``."""
    from .studio import annotator_id

    return [
        a
        for a in _completed(annotations)
        if a.get("parent_prediction") in consensus_ids
        or (reviewer is not None and annotator_id(a.get("completed_by")) == reviewer)
    ]


def review_project(
    client: Client, project_id: int, schema: Schema, dry_run: bool = False, reviewer: str | None = None
) -> ReviewRun:
    """Post the consensus of every task with two or more completed annotations as a prediction.

    Left out (and counted): tasks with a ground-truth annotation, tasks already reviewed (an
    annotation made from a consensus prediction, or by ``reviewer``, waiting for
    :func:`accept_reviews`), and tasks with fewer than two annotations to compare. An existing
    consensus prediction with the same results is left as it is; one that differs is updated in
    place (its id stays; extra copies are deleted). Writes are sent once.
    """
    from label_studio_sdk.label_interface import LabelInterface

    from .schema import labeling_config
    from .studio import find_user, task_annotations_and_predictions, user_emails

    interface = LabelInterface(labeling_config(schema))
    reviewer_id = find_user(client, reviewer) if reviewer else None
    emails = user_emails(client)
    run = ReviewRun()
    for task, task_annotations, predictions in task_annotations_and_predictions(client, project_id, minimum=2):
        old = sorted((p for p in predictions if p.get("model_version") == MODEL_VERSION), key=lambda p: p["id"])
        consensus = _task_consensus(
            task, task_annotations, old, run, schema=schema, emails=emails, reviewer=reviewer_id
        )
        if consensus is None:
            continue
        results = consensus.results(schema)
        _check_prediction(interface, results, task["id"])
        action = _post_consensus(client, task["id"], old, results, consensus.score, dry_run=dry_run)
        add_stats(run.stats, consensus.stats)
        run.tasks.append(TaskReview(task["id"], consensus, action))
    return run


def _task_consensus(
    task: dict,
    annotations: list[dict],
    old: list[dict],
    run: ReviewRun,
    *,
    schema: Schema,
    emails: dict[int, str],
    reviewer: int | None,
) -> Consensus | None:
    """The consensus of a task's completed annotations (``old``: its consensus predictions), or
    None: the task is left out (counted in ``run.skipped``) or has no consensus (a problem in
    ``run``)."""
    from .errors import GoldError

    completed = _completed(annotations)
    if any(a.get("ground_truth") for a in completed):
        run.skipped["ground_truth"] += 1
        return None
    if _reviews(annotations, {p["id"] for p in old}, reviewer):
        run.skipped["reviewed"] += 1
        return None
    by_user = _records_by_user(task, completed, schema, emails, run)
    if len(by_user) < 2:
        run.skipped["fewer_than_two"] += 1
        return None
    try:
        return build_consensus(by_user, schema)
    except (ValueError, KeyError, GoldError) as exc:
        run.problems.append(f"task {task['id']}: no consensus ({exc})")
        return None


def _post_consensus(
    client: Client, task_id: int, old: list[dict], results: list[dict], score: float | None, *, dry_run: bool
) -> str:
    """Make ``results`` the task's one consensus prediction (``old``: the ones it has, oldest
    first); the action taken, or that would be in a dry run."""
    from .studio import create_prediction, delete_prediction, update_prediction

    if len(old) == 1 and same_results(old[0].get("result"), results):
        return "unchanged"
    if dry_run:
        return "would update" if old else "would post"
    if old:  # the latest is updated in place (annotations made from it keep it), the others go
        update_prediction(client, old[-1]["id"], results, score)
        for prediction in old[:-1]:
            delete_prediction(client, prediction["id"], task_id)
        return "updated"
    create_prediction(client, task_id, results, MODEL_VERSION, score)
    return "posted"


def _records_by_user(
    task: dict, completed: list[dict], schema: Schema, emails: dict[int, str], run: ReviewRun
) -> dict[str, Record]:
    """``{annotator e-mail: record}`` of a task's completed annotations, the oldest of each
    annotator; problems go to ``run``."""
    from .gold import Imported, parse_annotation
    from .studio import annotator_id

    by_user: dict[str, Record] = {}
    for annotation in sorted(completed, key=lambda a: a["id"]):
        user = annotator_id(annotation.get("completed_by"))
        name = emails.get(user, f"user {user}") if user is not None else f"user {user}"
        if name in by_user:
            run.problems.append(f"task {task['id']}: {name} has several annotations; the oldest is used")
            continue
        out = Imported()
        record = parse_annotation(task, annotation, schema, "review", out, show_annotation=True)
        run.problems += [str(p) for p in out.problems]
        if record is not None:
            by_user[name] = record
    return by_user


def _check_prediction(interface: LabelInterface, results: list[dict], task_id: int) -> None:
    """Check the results with label-studio-sdk's ``LabelInterface``, as predictions are."""
    from .errors import StudioError

    errors = interface.validate_prediction({"result": results}, return_errors=True)
    if errors:
        raise StudioError(f"consensus for task {task_id} is not a valid prediction: {errors[0]}")


@dataclass
class AcceptRun:
    """What :func:`accept_reviews` did: reviews flagged (``(task id, annotation id)``), tasks that
    already had ground truth, tasks waiting for a review, and reviews not flagged with why."""

    flagged: list[tuple[int, int]] = field(default_factory=list)
    already: int = 0
    waiting: int = 0
    refused: list[str] = field(default_factory=list)


def accept_reviews(
    client: Client, project_id: int, schema: Schema, dry_run: bool = False, reviewer: str | None = None
) -> AcceptRun:
    """Flag each task's submitted review ``ground_truth``, so the gold takes it.

    A review is a completed annotation made from the task's consensus prediction (Label Studio
    records it as ``parent_prediction``) or, with ``reviewer``, one by that user. It must be
    the task's only review and import without problems (every claim with speaker, target and
    stance, every document stance answered); otherwise it is not flagged and the reason is
    given. Tasks that already have a ground-truth annotation are counted and left alone.
    """
    from .gold import Imported, parse_annotation
    from .studio import find_user, set_ground_truth, task_annotations_and_predictions

    reviewer_id = find_user(client, reviewer) if reviewer else None
    run = AcceptRun()
    for task, task_annotations, predictions in task_annotations_and_predictions(client, project_id, minimum=1):
        consensus_ids = {p["id"] for p in predictions if p.get("model_version") == MODEL_VERSION}
        if not consensus_ids and reviewer_id is None:
            continue
        if any(a.get("ground_truth") for a in _completed(task_annotations)):
            run.already += 1
            continue
        reviews = _reviews(task_annotations, consensus_ids, reviewer_id)
        if not reviews:
            run.waiting += 1
            continue
        if len(reviews) > 1:
            run.refused.append(
                f"task {task['id']}: {len(reviews)} reviews ({', '.join(str(a['id']) for a in reviews)}); "
                "delete all but one in Label Studio"
            )
            continue
        review = reviews[0]
        out = Imported()
        parse_annotation(task, review, schema, "review", out, show_annotation=True)
        if out.problems:
            run.refused.append(f"{out.problems[0]} ({len(out.problems)} problem(s)); fix the review in Label Studio")
            continue
        if not dry_run:
            set_ground_truth(client, review["id"])
        run.flagged.append((task["id"], review["id"]))
    return run
