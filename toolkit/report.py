"""Render evaluation results (the dict from :func:`toolkit.evaluate.evaluate`): a terminal
table, Markdown, and a self-contained HTML report with plots and error analysis.

Nothing here computes a score; everything is read from the result dict. The HTML report's
error list is built with the scorers' own matching (:func:`~toolkit.scoring.actor_outcomes`,
:func:`~toolkit.scoring.match_spans` under the run's rule, :func:`~toolkit.scoring.speaker_matches`),
so its counts are the counts behind the scores.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import cast

from rich.table import Table

from .evaluate import HEADLINE, HEADLINES
from .records import Actor, Claim, Record
from .scoring import MatchRule, actor_outcomes, align_records, match_spans, speaker_matches
from .scoring.claims import speaker_span

SMALL_SAMPLE = 30  # fewer gold documents than this: the page warns that the CIs are wide
A_MINUS_B = "A \u2212 B"  # with a minus sign


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def fmt_ci(block: dict) -> str:
    lo, hi = block["ci"]
    ci = "" if lo is None or hi is None else f" [{lo:.3f}, {hi:.3f}]"
    return fmt(block["value"]) + ci


def fmt_diff(c: dict) -> str:
    """A comparison's difference A - B with its bootstrap 95% interval."""
    lo, hi = c.get("difference_ci") or (None, None)
    value = "n/a" if c["difference"] is None else f"{c['difference']:+.3f}"
    return value + ("" if lo is None or hi is None else f" [{lo:+.3f}, {hi:+.3f}]")


def _meta_line(result: dict) -> str:
    m = result["meta"]
    return (
        f"toolkit {m['toolkit_version']} · schema {m['schema']['name']} {m['schema']['version']} "
        f"({m['schema']['fingerprint']}) · gold {', '.join(m['gold']['files'])} ({m['gold']['fingerprint']}, "
        f"{m['gold']['documents']} documents) · claim match {m['match_rule']['kind']}"
        f"{'' if m['match_rule']['threshold'] is None else ' ≥ ' + str(m['match_rule']['threshold'])} · "
        f"bootstrap {m['bootstrap']['n_boot']}× seed {m['bootstrap']['seed']} · {m['time']}"
    )


def small_sample_note(result: dict) -> str | None:
    """A warning when the gold is too small for narrow confidence intervals, else None."""
    n = result["meta"]["gold"].get("documents")
    if n is None or n >= SMALL_SAMPLE:
        return None
    return (
        f"Small sample: the gold has only {n} document{'s' if n != 1 else ''} (fewer than {SMALL_SAMPLE}). "
        "The 95% intervals are wide and resample few documents; treat differences between systems with caution."
    )


def terminal_table(result: dict) -> Table:
    """Headline metrics per system with 95% bootstrap CIs, as a rich Table."""
    table = Table(title="Evaluation against the gold (95% bootstrap CI over documents)", caption=_meta_line(result))
    table.add_column("metric")
    for name, system in result["systems"].items():
        table.add_column(f"{name} {system['extractor']['version']}", justify="right")
    for h in HEADLINES:
        table.add_row(h.label, *(fmt_ci(s["headline"][h.name]) for s in result["systems"].values()))
    if any(s.get("alignment") for s in result["systems"].values()):
        table.add_row(
            "Text-only spans aligned", *(alignment_cell(s.get("alignment")) for s in result["systems"].values())
        )
    return table


def comparison_table(result: dict) -> Table | None:
    """Differences and p-values of the paired tests, or None if no comparison was asked for."""
    if not result["comparisons"]:
        return None
    table = Table(title=f"Paired comparison (difference {A_MINUS_B}, 95% bootstrap CI)")
    for column in ("metric", "A", "B", A_MINUS_B, "p (paired bootstrap)", "p (approx. randomisation)"):
        table.add_column(column)
    for c in result["comparisons"]:
        table.add_row(
            HEADLINE[c["metric"]].label,
            f"{c['a']}: {fmt(c['a_value'])}",
            f"{c['b']}: {fmt(c['b_value'])}",
            fmt_diff(c),
            fmt(c["p_paired_bootstrap"]),
            fmt(c["p_randomization"]),
        )
    return table


def markdown(result: dict) -> str:
    """The headline table, per-type actor scores, per-target stance scores and comparisons, as Markdown."""
    lines = ["# Evaluation report", "", _meta_line(result), ""]
    if note := small_sample_note(result):
        lines += [f"> **{note}**", ""]
    lines += _headline_md(result["systems"])
    lines += alignment_table(result)
    for name, system in result["systems"].items():
        lines += _system_md(name, system)
    lines += _comparison_md(result["comparisons"])
    return "\n".join(lines) + "\n"


def _headline_md(systems: dict) -> list[str]:
    return [
        "## Headline (95% bootstrap CI)",
        "",
        "| metric | " + " | ".join(f"{n} {s['extractor']['version']}" for n, s in systems.items()) + " |",
        "|---|" + "---|" * len(systems),
        *(
            f"| {h.label} | " + " | ".join(fmt_ci(s["headline"][h.name]) for s in systems.values()) + " |"
            for h in HEADLINES
        ),
    ]


def _system_md(name: str, system: dict) -> list[str]:
    """One system's actor scores per type (strict) and document stance scores per target."""
    lines = [
        "",
        f"## {name}",
        "",
        "### Actors per type (strict)",
        "",
        "| type | P | R | F1 | gold | predicted |",
        "|---|---|---|---|---|---|",
    ]
    for label, block in system["actors"]["schemas"]["strict"]["per_label"].items():
        lines.append(
            f"| {label} | {fmt(block['precision'])} | {fmt(block['recall'])} | {fmt(block['f1'])} | {block['possible']} | {block['actual']} |"
        )
    lines += [
        "",
        "### Document stance per target",
        "",
        "| target | accuracy | macro-F1 | F_avg |",
        "|---|---|---|---|",
    ]
    for target, block in system["doc_stance"]["per_target"].items():
        lines.append(f"| {target} | {fmt(block['accuracy'])} | {fmt(block['macro_f1'])} | {fmt(block['f_avg'])} |")
    return lines


def _comparison_md(comparisons: list[dict]) -> list[str]:
    """The paired comparison table, or no lines when none was asked for."""
    if not comparisons:
        return []
    return [
        "",
        "## Paired comparison",
        "",
        f"| metric | A | B | {A_MINUS_B} (95% CI) | p (paired bootstrap) | p (randomisation) |",
        "|---|---|---|---|---|---|",
        *(
            f"| {HEADLINE[c['metric']].label} | {c['a']}: {fmt(c['a_value'])} | {c['b']}: {fmt(c['b_value'])} | "
            f"{fmt_diff(c)} | {fmt(c['p_paired_bootstrap'])} | {fmt(c['p_randomization'])} |"
            for c in comparisons
        ),
    ]


def alignment_cell(block: dict | None) -> str:
    """A system's grounding of text-only spans in a few words: rate (aligned/spans) and failures."""
    if not block:
        return "offsets given"
    failed = f", {block['failed']} failed" if block["failed"] else ""
    return f"{fmt(block['rate'])} ({block['aligned']}/{block['spans']}{failed})"


def _md_cell(value: object, limit: int = 80) -> str:
    text = " ".join(str(value).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def alignment_table(result: dict, limit: int = 50) -> list[str]:
    """Markdown lines: per system, how its text-only spans were grounded in the documents
    (:mod:`toolkit.grounding`), and the spans that were not found (the first ``limit``); no
    lines when every span came with offsets."""
    blocks = {n: s["alignment"] for n, s in result["systems"].items() if s.get("alignment")}
    if not blocks:
        return []
    threshold = next(iter(blocks.values()))["threshold"]
    lines = [
        "",
        "## Text-only spans grounded in the documents",
        "",
        (
            "Spans given by their text alone were placed by an exact match (repeated mentions in order), else a "
            f"normalised one (case, quotes, dashes, whitespace), else a fuzzy one (difflib ratio ≥ {threshold}). "
            "Spans not found are scored as spurious predictions."
        ),
        "",
        "| system | text-only spans | aligned | rate | exact | normalised | fuzzy | failed | with offsets |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, b in blocks.items():
        lines.append(
            f"| {_md_cell(name)} | {b['spans']} | {b['aligned']} | {fmt(b['rate'])} | {b['exact']} | "
            f"{b['normalised']} | {b['fuzzy']} | {b['failed']} | {b['given']} |"
        )
    failed = [(name, span) for name, b in blocks.items() for span in b["failed_spans"]]
    if failed:
        lines += [
            "",
            "### Spans not found (scored as spurious)",
            "",
            "| system | document | span | text |",
            "|---|---|---|---|",
        ]
        for name, span in failed[:limit]:
            what = f"{span['layer'][:-1]} {span.get('id')}" + (f" ({span['label']})" if span.get("label") else "")
            lines.append(
                f"| {_md_cell(name)} | {_md_cell(span['doc_id'])} | {_md_cell(what)} | {_md_cell(span['text'])} |"
            )
        if len(failed) > limit:
            lines.append(f"\n… and {len(failed) - limit} more (every one is in the JSON, under alignment.failed_spans)")
    return lines


# --- error analysis -----------------------------------------------------------------------

# The kinds of error, in order of importance (a character covered by several shows the first):
# key, label, what it is. Each count is one the scores count (see :func:`error_analysis`).
KINDS = (
    ("actor-missed", "missed actor", "a gold actor no prediction took (strict: the 'missed' count)"),
    ("actor-spurious", "spurious actor", "a predicted actor that took no gold actor (strict: 'spurious')"),
    (
        "actor-boundary",
        "actor boundary",
        ("a predicted actor that took an overlapping gold actor with other boundaries (strict: 'incorrect')"),
    ),
    ("actor-type", "wrong actor type", "same boundaries as a gold actor, other type (strict: 'incorrect')"),
    ("claim-missed", "missed claim", "a gold claim no predicted claim matches under the claim rule"),
    ("claim-spurious", "spurious claim", "a predicted claim that matches no gold claim"),
    ("claim-speaker", "wrong speaker", "a matched claim whose speaker does not match"),
    ("claim-target", "wrong target", "a matched claim with another target"),
    ("claim-stance", "wrong claim stance", "a matched claim with another stance"),
    ("doc-stance", "document stance", "a target whose document stance differs from the gold"),
)
KIND_KEYS = tuple(k for k, _, _ in KINDS)
QUOTE = 60  # characters of a span quoted in an error's description


def _quote(text: str | None) -> str:
    text = " ".join((text or "").split())
    return f"“{text[:QUOTE]}…”" if len(text) > QUOTE else f"“{text}”"


def _span_text(doc: Record, item: Actor | Claim) -> str:
    text = doc.get("text")
    return text[item["start"] : item["end"]] if text else item.get("text") or ""


def error_analysis(
    gold: Sequence[Record],
    predictions: dict[str, Sequence[Record]],
    rule: MatchRule,
    *,
    actor_labels: dict[str, list[str]] | list[str],
    targets: dict[str, list[str]] | list[str] | None = None,
    no_stance: str = "none",
    unplaced: dict[str, list[dict]] | None = None,
) -> tuple[list[dict], list[dict]]:
    """``(errors, correct)`` of every system on every gold document, matched as the scores match.

    An error is ``{"kind", "system", "doc", "doc_id", "gold", "pred", "tag", "detail"}``: ``kind``
    in :data:`KIND_KEYS`, ``doc`` the gold document's index, ``gold``/``pred`` the ``[start,
    end)`` of the gold and predicted span (None where there is none), ``tag`` a short label
    and ``detail`` a sentence. ``correct`` lists ``{"system", "doc", "span", "layer"}`` of the
    actors and claims predicted right (layer "actor" or "claim").

    Actors: :func:`~toolkit.scoring.actor_outcomes` (nervaluate's strict matching, labels
    pooled), so missed and spurious are the strict counts and boundary + type the strict
    "incorrect". Claims: :func:`~toolkit.scoring.match_spans` under ``rule``; of the matched,
    :func:`~toolkit.scoring.speaker_matches` decides the speaker (so wrong speaker = matched
    minus speaker correct), and target and stance (a missing stance is ``no_stance``) are
    compared as the scorer compares them; one claim can be wrong in several ways (one error
    each). Document stance: each scored target (``targets``) whose predicted stance (missing:
    ``no_stance``) is not the gold's. ``actor_labels`` and ``targets`` may be given per system.
    ``unplaced``: per system, the text-only spans grounding could not place (the result's
    ``alignment.failed_spans``), which the scores count as spurious: spurious errors without a span.
    """
    errors: list[dict] = []
    correct: list[dict] = []
    doc_index = {g["doc_id"]: d for d, g in enumerate(gold)}
    for system, records in predictions.items():
        labels = actor_labels[system] if isinstance(actor_labels, dict) else actor_labels
        wanted = targets[system] if isinstance(targets, dict) else targets
        for d, (g, p) in enumerate(align_records(gold, records)):
            found, right = _document_errors(g, p, labels=labels, targets=wanted, rule=rule, no_stance=no_stance)
            errors += [_as_error(system, d, g["doc_id"], item) for item in found]
            correct += [
                {"system": system, "doc": d, "span": span, "layer": layer}
                for layer, spans in right.items()
                for span in spans
            ]
        errors += _unplaced_errors(system, (unplaced or {}).get(system) or (), doc_index, labels)
    return errors, correct


FoundItem = tuple[str, list[int] | None, list[int] | None, str, str]  # (kind, gold span, pred span, tag, detail)
Found = list[FoundItem]


def _as_error(system: str, doc: int, doc_id: str, found: FoundItem) -> dict:
    """An error of :func:`error_analysis` from a ``(kind, gold span, pred span, tag, detail)``."""
    kind, gold, pred, tag, detail = found
    return {
        "kind": kind,
        "system": system,
        "doc": doc,
        "doc_id": doc_id,
        "gold": gold,
        "pred": pred,
        "tag": tag,
        "detail": detail,
    }


def _document_errors(
    g: Record, p: Record, *, labels: list[str], targets: list[str] | None, rule: MatchRule, no_stance: str
) -> tuple[Found, dict[str, list[list[int]]]]:
    """One system's errors on one document (actors, then claims, then document stances), and
    the gold spans of the actors and claims it predicted right."""
    found, right_actors = _actor_errors(g, p, labels)
    more, right_claims = _claim_errors(g, p, rule, no_stance)
    return found + more + _doc_stance_errors(g, p, targets, no_stance), {"actor": right_actors, "claim": right_claims}


def _unplaced_errors(system: str, spans: Iterable[dict], doc_index: dict[str, int], labels: list[str]) -> list[dict]:
    """Spurious errors without a span for the text-only spans grounding could not place (in a
    gold document, of a scored actor type or a claim)."""
    errors = []
    for span in spans:
        where = doc_index.get(str(span.get("doc_id")))
        layer = span.get("layer")
        if (
            where is None
            or layer not in ("actors", "claims")
            or (layer == "actors" and span.get("label") not in labels)
        ):
            continue
        what = f"{span['label']} " if layer == "actors" else "claim "
        kind = "actor-spurious" if layer == "actors" else "claim-spurious"
        detail = (
            f"predicted {what}{_quote(span.get('text'))} "
            "given by its text alone and not found in the document (scored as spurious)"
        )
        errors.append(_as_error(system, where, span["doc_id"], (kind, None, None, f"spurious {what.strip()}", detail)))
    return errors


def _actor_errors(g: Record, p: Record, labels: list[str]) -> tuple[Found, list[list[int]]]:
    """Missed gold actors (of a scored type), then each predicted actor that is spurious or took a
    gold actor with other boundaries or another type; and the gold spans predicted right."""
    gold, pred = g.get("actors") or [], p.get("actors") or []
    outcome = actor_outcomes(gold, pred, labels)
    found: Found = [
        _missed_actor(g, a) for i, a in enumerate(gold) if a.get("label") in labels and outcome.gold[i] is None
    ]
    right = []
    for q, b in enumerate(pred):
        what = outcome.pred[q]
        if what == "spurious":
            found.append(_spurious_actor(g, b))
        elif (took := outcome.took[q]) is not None:
            a = gold[took]
            if what == "correct":
                right.append([a["start"], a["end"]])
            else:
                found.append(_wrong_actor(g, a, b))
    return found, right


def _missed_actor(g: Record, a: Actor) -> FoundItem:
    detail = f"gold {a['label']} {_quote(_span_text(g, a))} not predicted"
    return ("actor-missed", [a["start"], a["end"]], None, f"missed {a['label']}", detail)


def _spurious_actor(g: Record, b: Actor) -> FoundItem:
    detail = f"predicted {b['label']} {_quote(_span_text(g, b))}, not in the gold"
    return ("actor-spurious", None, [b["start"], b["end"]], f"spurious {b['label']}", detail)


def _wrong_actor(g: Record, a: Actor, b: Actor) -> FoundItem:
    """Predicted actor ``b`` took gold actor ``a`` but is not right: another type (same
    boundaries), else other boundaries."""
    gspan, pspan = [a["start"], a["end"]], [b["start"], b["end"]]
    if gspan == pspan:
        detail = f"{_quote(_span_text(g, a))}: gold {a['label']}, predicted {b['label']}"
        return ("actor-type", gspan, pspan, f"type {a['label']} → {b['label']}", detail)
    label = a["label"] if a["label"] == b["label"] else f"{a['label']} → {b['label']}"
    detail = (
        f"gold {a['label']} {_quote(_span_text(g, a))} [{gspan[0]}, {gspan[1]}), predicted "
        f"{b['label']} {_quote(_span_text(g, b))} [{pspan[0]}, {pspan[1]})"
    )
    return ("actor-boundary", gspan, pspan, f"boundary {label}", detail)


def _speaker_name(rec: Record, text_rec: Record, claim: Claim) -> str:
    sid = claim.get("speaker")
    if sid is None:
        return "no speaker"
    actor = next((a for a in rec.get("actors") or () if a["id"] == sid), None)
    return "?" if actor is None else _quote(_span_text(text_rec, actor))


def _overlaps(span: Claim, others: Sequence[Claim]) -> bool:
    return any(o["start"] < span["end"] and span["start"] < o["end"] for o in others)


def _claim_errors(g: Record, p: Record, rule: MatchRule, no_stance: str) -> tuple[Found, list[list[int]]]:
    """Missed gold claims, spurious predicted ones, then what is wrong with each matched pair
    (under ``rule``); and the gold spans of the claims predicted right in every way."""
    gold, pred = g.get("claims") or [], p.get("claims") or []
    pairs = match_spans([(c["start"], c["end"]) for c in gold], [(c["start"], c["end"]) for c in pred], rule)
    matched_g, matched_p = {gi for gi, _ in pairs}, {pi for _, pi in pairs}
    found: Found = [_missed_claim(g, a, pred, no_stance) for i, a in enumerate(gold) if i not in matched_g]
    found += [_spurious_claim(g, b, gold) for i, b in enumerate(pred) if i not in matched_p]
    right = []
    for gi, pi in pairs:
        wrong = _matched_claim_errors(g, p, gold[gi], pred[pi], rule=rule, no_stance=no_stance)
        if not wrong:
            right.append([gold[gi]["start"], gold[gi]["end"]])
        found += wrong
    return found, right


def _missed_claim(g: Record, a: Claim, pred: Sequence[Claim], no_stance: str) -> FoundItem:
    also = " (a predicted claim overlaps it, below the match rule)" if _overlaps(a, pred) else ""
    detail = (
        f"gold claim {_quote(_span_text(g, a))} ({_speaker_name(g, g, a)}, {a.get('target')}, "
        f"{a.get('stance') or no_stance}) not predicted{also}"
    )
    return ("claim-missed", [a["start"], a["end"]], None, "missed claim", detail)


def _spurious_claim(g: Record, b: Claim, gold: Sequence[Claim]) -> FoundItem:
    also = " (overlaps a gold claim, below the match rule)" if _overlaps(b, gold) else ""
    detail = f"predicted claim {_quote(_span_text(g, b))} not in the gold{also}"
    return ("claim-spurious", None, [b["start"], b["end"]], "spurious claim", detail)


def _matched_claim_errors(g: Record, p: Record, a: Claim, b: Claim, *, rule: MatchRule, no_stance: str) -> Found:
    """What is wrong with predicted claim ``b`` matched to gold claim ``a``: its speaker (as the
    scorer decides), target, stance (a missing one is ``no_stance``); one error each."""
    gspan, pspan = [a["start"], a["end"]], [b["start"], b["end"]]
    quote = _quote(_span_text(g, a))
    found: Found = []
    if not speaker_matches(rule, speaker_span(g, a, "gold"), speaker_span(p, b, "predictions")):
        detail = f"claim {quote}: gold speaker {_speaker_name(g, g, a)}, predicted {_speaker_name(p, g, b)}"
        found.append(("claim-speaker", gspan, pspan, "speaker", detail))
    if a.get("target") != b.get("target"):
        detail = f"claim {quote}: gold target {a.get('target')}, predicted {b.get('target')}"
        found.append(("claim-target", gspan, pspan, f"target {a.get('target')} → {b.get('target')}", detail))
    sa, sb = a.get("stance") or no_stance, b.get("stance") or no_stance
    if sa != sb:
        found.append(
            ("claim-stance", gspan, pspan, f"stance {sa} → {sb}", f"claim {quote}: gold stance {sa}, predicted {sb}")
        )
    return found


def _doc_stance_errors(g: Record, p: Record, targets: list[str] | None, no_stance: str) -> Found:
    predicted = p.get("doc_stances") or {}
    found: Found = []
    for target, stance in (g.get("doc_stances") or {}).items():
        if targets is not None and target not in targets:
            continue
        a, b = stance or no_stance, predicted.get(target) or no_stance
        if a != b:
            found.append(
                (
                    "doc-stance",
                    None,
                    None,
                    f"{target}: {a} → {b}",
                    f"target {target}: gold {a}, predicted {b}"
                    + ("" if target in predicted else " (target not predicted)"),
                )
            )
    return found


def error_counts(errors: list[dict], systems) -> dict[str, dict[str, int]]:
    """``{system: {kind: number of errors}}`` with every kind, zeros included."""
    counts = {s: dict.fromkeys(KIND_KEYS, 0) for s in systems}
    for e in errors:
        counts[e["system"]][e["kind"]] += 1
    return counts


# --- HTML --------------------------------------------------------------------------------

LONG_TEXT = 12_000  # a document longer than this carries only windows of its text around its errors
WINDOW = 400  # characters kept on each side of an error in a long document
MIN_GAP = 80  # windows closer than this are joined (a gap marker would be longer than the text it hides)


def _pyplot():
    """matplotlib's pyplot on the file-only Agg backend (no display here or in CI), with mathtext
    off: labels come from the schema and may hold ``$``."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["text.parse_math"] = False
    import matplotlib.pyplot as plt

    return plt


def _img(url: str | None, alt: str) -> str:
    """An ``<img>`` for a plot's data URL, or a note when there was nothing to plot."""
    if url is None:
        return f"<p class='meta'>({html.escape(alt)}: nothing to plot)</p>"
    return f"<img class='plot' alt='{html.escape(alt, quote=True)}' src='{url}'>"


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _bars(result: dict) -> str | None:
    plt = _pyplot()
    systems = result["systems"]
    labels = next(iter(systems.values()))["actors"]["labels"] if systems else []
    if not labels:
        return None
    fig, ax = plt.subplots(figsize=(7, 3))
    width = 0.8 / max(len(systems), 1)
    for i, (name, s) in enumerate(systems.items()):
        values = [s["actors"]["schemas"]["strict"]["per_label"][lab]["f1"] or 0.0 for lab in labels]
        ax.bar([x + i * width for x in range(len(labels))], values, width, label=name)
    ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(labels))], labels)
    ax.set_ylim(0, 1)
    ax.set_ylabel("strict F1")
    ax.set_title("Actors: strict F1 per type (undefined shown as 0)")
    ax.legend()
    return _png(fig)


def _confusion(block: dict, title: str) -> str | None:
    plt = _pyplot()
    labels, matrix = block["labels"], block["confusion"]
    if not labels or not matrix or not all(matrix):
        return None
    fig, ax = plt.subplots(figsize=(3.6, 3.2))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=9)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", fontsize=8)
    return _png(fig)


def text_windows(
    length: int, spans: list[tuple[int, int]], limit: int = LONG_TEXT, window: int = WINDOW
) -> list[tuple[int, int]]:
    """The ``[start, end)`` ranges of a document's text to carry: all of it up to ``limit``
    characters, else ``window`` characters either side of each span, merged (the first
    ``2 * window`` if there are no spans)."""
    if length <= limit:
        return [(0, length)]
    if not spans:
        return [(0, 2 * window)]
    out: list[list[int]] = []
    for s, e in sorted((max(0, s - window), min(length, e + window)) for s, e in spans):
        if out and s <= out[-1][1] + MIN_GAP:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def page_data(gold: Sequence[Record], errors: list[dict], correct: list[dict], systems: list[str]) -> dict:
    """The data the page's script renders: only documents with errors, each with its text (or
    windows of it around the errors, for a long one); errors as short arrays, and the spans
    predicted right as ``[system, doc, layer, start, end, start, end, ...]``."""
    sys_index = {s: i for i, s in enumerate(systems)}
    kind_index = {k: i for i, k in enumerate(KIND_KEYS)}
    spans: dict[int, list[tuple[int, int]]] = {}
    for e in errors:
        spans.setdefault(e["doc"], []).extend(tuple(s) for s in (e["gold"], e["pred"]) if s)
    doc_index: dict[int, int] = {}
    docs: list[list] = []
    for d in sorted(spans):
        text = gold[d].get("text") or ""
        pieces = [[s, text[s:e]] for s, e in text_windows(len(text), spans[d])]
        doc_index[d] = len(docs)
        docs.append([gold[d]["doc_id"], len(text), pieces])

    def span(s):
        return s or [-1, -1]

    rows = [
        [
            kind_index[e["kind"]],
            sys_index[e["system"]],
            doc_index[e["doc"]],
            *span(e["gold"]),
            *span(e["pred"]),
            e["tag"],
            e["detail"],
        ]
        for e in errors
    ]
    grouped: dict[tuple[int, int, int], list[int]] = {}
    for c in correct:
        if c["doc"] in doc_index:
            key = (sys_index[c["system"]], doc_index[c["doc"]], 0 if c["layer"] == "actor" else 1)
            grouped.setdefault(key, []).extend(c["span"])
    ok = [[*key, *offsets] for key, offsets in grouped.items()]
    return {
        "systems": systems,
        "kinds": [list(k) for k in KINDS],
        "docs": docs,
        "errors": rows,
        "correct": ok,
        "long_text": LONG_TEXT,
        "window": WINDOW,
    }


def _json_for_script(data) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>`` or ``&`` (so no ``</script>`` or
    ``<!--``), and no U+2028/U+2029."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: let JSON escape everything
        text = json.dumps(data, separators=(",", ":"))
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def _asset(name: str) -> str:
    return resources.files("toolkit").joinpath("data", name).read_text(encoding="utf-8")


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table of already-escaped cells."""
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='{cls}'><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _headline_html(result: dict) -> str:
    e = html.escape
    systems = result["systems"]
    head = ["metric", *(f"{e(n)} {e(s['extractor']['version'])}" for n, s in systems.items())]
    rows = [[e(h.label), *(e(fmt_ci(s["headline"][h.name])) for s in systems.values())] for h in HEADLINES]
    return _table(head, rows, "headline")


def _comparison_html(result: dict) -> str:
    e = html.escape
    if not result["comparisons"]:
        return (
            "<p class='meta'>No comparison: run <code>toolkit report -e A -e B --compare A B</code> for the "
            "differences between two systems with their p-values.</p>"
        )
    rows = []
    for c in result["comparisons"]:
        p = [c["p_paired_bootstrap"], c["p_randomization"]]
        star = " <b>*</b>" if all(v is not None and v < 0.05 for v in p) else ""
        rows.append(
            [
                e(HEADLINE[c["metric"]].label),
                e(fmt(c["a_value"])),
                e(fmt(c["b_value"])),
                e(fmt_diff(c)) + star,
                e(fmt(p[0])),
                e(fmt(p[1])),
            ]
        )
    a, b = result["comparisons"][0]["a"], result["comparisons"][0]["b"]
    head = [
        "metric",
        f"A: {e(a)}",
        f"B: {e(b)}",
        f"{A_MINUS_B} [95% CI]",
        "p (paired bootstrap)",
        "p (approx. randomisation)",
    ]
    return (
        _table(head, rows, "compare") + "<p class='meta'>Two-sided p-values over the same documents; "
        "<b>*</b>: both below 0.05. The interval is the bootstrap interval of the difference.</p>"
    )


def _per_type_html(result: dict) -> str:
    e = html.escape
    systems = result["systems"]
    if not systems:
        return ""
    labels = next(iter(systems.values()))["actors"]["labels"]
    head = ["type", "gold", *(f"{e(n)} {m}" for n in systems for m in ("P", "R", "F1", "predicted"))]
    rows = []
    for label in labels:
        blocks = [s["actors"]["schemas"]["strict"]["per_label"].get(label) for s in systems.values()]
        first = next((b for b in blocks if b), None)
        row = [e(label), str(first["possible"]) if first else "0"]
        for b in blocks:
            row += [fmt(b["precision"]), fmt(b["recall"]), fmt(b["f1"]), str(b["actual"])] if b else ["n/a"] * 4
        rows.append(row)
    micro = [s["actors"]["schemas"]["strict"]["micro"] for s in systems.values()]
    rows.append(
        [
            "<i>all (micro)</i>",
            str(micro[0]["possible"]),
            *(v for m in micro for v in (fmt(m["precision"]), fmt(m["recall"]), fmt(m["f1"]), str(m["actual"]))),
        ]
    )
    return _table(head, rows, "per-type")


def _per_target_html(result: dict) -> str:
    e = html.escape
    systems = result["systems"]
    if not systems:
        return ""
    targets = list(next(iter(systems.values()))["doc_stance"]["per_target"])
    head = ["target", "documents", *(f"{e(n)} {m}" for n in systems for m in ("accuracy", "macro-F1", "F_avg"))]
    rows = []
    for target in [*targets, None]:
        blocks = [s["doc_stance"]["overall" if target is None else "per_target"] for s in systems.values()]
        blocks = [b if target is None else b.get(target) for b in blocks]
        row = ["<i>all targets</i>" if target is None else e(target), str(blocks[0]["n"]) if blocks[0] else "0"]
        for b in blocks:
            row += [fmt(b["accuracy"]), fmt(b["macro_f1"]), fmt(b["f_avg"])] if b else ["n/a"] * 3
        rows.append(row)
    return _table(head, rows, "per-target")


def _claims_html(result: dict) -> str:
    e = html.escape
    head = [
        "system",
        "gold",
        "predicted",
        "matched",
        "speaker right",
        "+ target & stance right",
        "span F1",
        "end-to-end F1",
    ]
    rows = [
        [
            e(n),
            *(str(s["claims"]["counts"][k]) for k in ("gold", "pred", "matched", "speaker_correct", "stance_correct")),
            fmt(s["claims"]["span"]["f1"]),
            fmt(s["claims"]["end_to_end"]["f1"]),
        ]
        for n, s in result["systems"].items()
    ]
    return _table(head, rows, "claims")


def _error_counts_html(counts: dict[str, dict[str, int]]) -> str:
    e = html.escape
    head = ["kind", *(e(s) for s in counts), "what it is"]
    rows = [
        [f"<span class='tag k-{k}'>{e(label)}</span>", *(str(c[k]) for c in counts.values()), e(what)]
        for k, label, what in KINDS
    ]
    return _table(head, rows, "error-counts")


def html_report(
    result: dict,
    gold: Sequence[Record] | Sequence[dict],
    predictions: dict[str, list[Record]] | dict[str, list[dict]],
    rule: MatchRule,
) -> str:
    """One self-contained HTML page (no network when viewed): headline scores with CIs and a
    small-sample warning, the paired comparison, per-type and per-target tables, plots, and an
    error list (filterable, sortable, linked to a lazily rendered document view).

    The error list is :func:`error_analysis` (the scorers' own matching; claims by ``rule``);
    only documents with errors carry their text (long ones: windows around the errors), so
    the page grows with the errors, not the corpus. All text is escaped: HTML in the page,
    and the data as JSON inside a ``<script type="application/json">``."""
    gold = cast(Sequence[Record], gold)
    predictions = cast(dict[str, list[Record]], predictions)
    errors, correct = _result_errors(result, gold, predictions, rule)
    data = page_data(gold, errors, correct, list(result["systems"]))
    parts = [
        *_page_top(result),
        *_score_sections(result, result["meta"]["gold"].get("documents", len(gold))),
        *_error_sections(errors, error_counts(errors, result["systems"]), f"{len(data['docs'])} of {len(gold)}"),
        *_document_sections(data),
    ]
    return "\n".join(p for p in parts if p)


def _result_errors(
    result: dict, gold: Sequence[Record], predictions: dict[str, list[Record]], rule: MatchRule
) -> tuple[list[dict], list[dict]]:
    """:func:`error_analysis` of the result's systems, with the labels, targets and unplaced
    spans each was scored with."""
    systems = result["systems"]
    return error_analysis(
        gold,
        {n: predictions.get(n, []) for n in systems},
        rule,
        actor_labels={n: s["actors"]["labels"] for n, s in systems.items()},
        targets={n: list(s["doc_stance"]["per_target"]) for n, s in systems.items()},
        no_stance=result["meta"]["schema"].get("no_stance", "none"),
        unplaced={n: (s.get("alignment") or {}).get("failed_spans") or [] for n, s in systems.items()},
    )


def _page_top(result: dict) -> list[str]:
    """The page's head (with its style sheet), title, run metadata, small-sample warning and navigation."""
    e = html.escape
    note = small_sample_note(result)
    return [
        (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Evaluation report</title><style>{_asset('report.css')}</style></head><body>"
        ),
        "<h1>Evaluation report</h1>",
        f"<p class='meta'>{e(_meta_line(result))}</p>",
        f"<p class='warning' role='alert'><b>⚠ {e(note)}</b></p>" if note else "",
        (
            "<nav><a href='#headline'>Headline</a> · <a href='#compare'>Comparison</a> · <a href='#tables'>Per type "
            "and target</a> · <a href='#plots'>Plots</a> · <a href='#errors'>Errors</a> · <a href='#documents'>"
            "Documents</a></nav>"
        ),
    ]


def _score_sections(result: dict, n_docs: int) -> list[str]:
    """Headline scores, the comparison, the per-type, per-target and claim tables, and the plots."""
    return [
        f"<h2 id='headline'>Headline scores (95% bootstrap CI over {n_docs} documents)</h2>{_headline_html(result)}",
        f"<h2 id='compare'>Two systems compared</h2>{_comparison_html(result)}",
        "<h2 id='tables'>Per type and per target</h2><h3>Actors per type (strict)</h3>",
        _per_type_html(result),
        "<h3>Document stance per target</h3>",
        _per_target_html(result),
        "<h3>Claims</h3>",
        _claims_html(result),
        f"<h2 id='plots'>Plots</h2>{_img(_bars(result), 'per-type F1 bars')}",
        "<div class='plots'>" + "".join(_confusion_plots(result["systems"])) + "</div>",
    ]


def _confusion_plots(systems: dict) -> list[str]:
    """Per system: the document stance and the claim stance (matched claims) confusion matrices."""
    plots = []
    for name, s in systems.items():
        plots.append(
            _img(
                _confusion(s["doc_stance"]["overall"], f"{name}: document stance"), f"{name} document stance confusion"
            )
        )
        plots.append(
            _img(
                _confusion(s["claims"]["stance"], f"{name}: claim stance (matched claims)"),
                f"{name} claim stance confusion",
            )
        )
    return plots


def _error_sections(errors: list[dict], counts: dict[str, dict[str, int]], documents: str) -> list[str]:
    """The number of errors (in ``documents``: "N of M"), their counts per kind and system, and
    the place of the error list."""
    return [
        "<h2 id='errors'>Errors</h2>",
        (
            f"<p>{len(errors)} errors in {documents} documents. Every count here is one the "
            "scores count, from the same matching (actors: strict, labels pooled; claims: the run's claim rule).</p>"
        ),
        _error_counts_html(counts),
        "<div id='error-app'><noscript>The error list and document view need JavaScript (no network).</noscript></div>",
    ]


def _document_sections(data: dict) -> list[str]:
    """The place of the document view, the page's data (as JSON) and its script."""
    return [
        (
            f"<h2 id='documents'>Documents</h2><p class='meta'>Only documents with errors are included, ordered by "
            f"their number of errors (under the filters above). A document longer than {LONG_TEXT:,} characters "
            f"shows only {WINDOW} characters either side of each error; the gaps are marked.</p>"
        ),
        "<div id='doc-app'></div>",
        f"<script type='application/json' id='report-data'>{_json_for_script(data)}</script>",
        f"<script>{_asset('report.js')}</script>",
        "</body></html>",
    ]


def agreement_tables(result: dict) -> list[Table]:
    """The tables of ``toolkit agreement``: document stance, pairwise spans, per annotator."""
    stance = Table(
        title=f"Document stance agreement ({result['documents']} documents, annotators {', '.join(result['annotators'])})"
    )
    for column in ("target", "items", "observed", "Cohen's kappa (pairs)", "Fleiss' kappa", "Krippendorff's alpha"):
        stance.add_column(column)
    rows = [("all targets", result["doc_stance"]["overall"]), *result["doc_stance"]["per_target"].items()]
    for name, block in rows:
        kappas = ", ".join(f"{k}: {fmt(v)}" for k, v in block["cohen_kappa"].items())
        stance.add_row(
            name,
            str(block["items"]),
            fmt(block["observed_agreement"]),
            kappas,
            fmt(block["fleiss_kappa"]),
            fmt(block["krippendorff_alpha"]),
        )
    pairs = Table(title=f"Pairwise span agreement (claim overlap >= {result['overlap_threshold']})")
    keys = [
        "documents",
        "actor_strict_f1",
        "actor_partial_f1",
        "actor_type_f1",
        "claim_exact_f1",
        "claim_overlap_f1",
        "speaker_agreement",
        "claim_stance_agreement",
    ]
    pairs.add_column("pair")
    for key in keys:
        pairs.add_column(key.replace("_", " "))
    for pair, block in result["pairs"].items():
        pairs.add_row(pair, *(str(block[k]) if k == "documents" else fmt(block[k]) for k in keys))
    people = Table(title="Per annotator")
    for column in ("annotator", "documents", "actors", "claims", "mean actor strict F1", "mean claim overlap F1"):
        people.add_column(column)
    for annotator, block in result["per_annotator"].items():
        people.add_row(
            annotator,
            str(block["documents"]),
            str(block["actors"]),
            str(block["claims"]),
            fmt(block["mean_actor_strict_f1"]),
            fmt(block["mean_claim_overlap_f1"]),
        )
    return [stance, pairs, people, *agreement_span_tables(result)]


def agreement_span_tables(result: dict) -> list[Table]:
    """Krippendorff's unitizing alpha per span label, and the disagreements counted per kind
    (the full list is in the JSON and in the HTML of ``toolkit agreement``)."""
    tables = []
    if alpha := result.get("span_alpha_u"):
        table = Table(
            title=f"Span agreement, Krippendorff's unitizing alpha ({alpha['documents']} documents "
            f"annotated by all, {alpha['continuum']} characters)"
        )
        for column in ("label", "units", "observed D_o", "expected D_e", "alpha_U"):
            table.add_column(column, justify="left" if column == "label" else "right")
        rows = [*alpha["per_label"].items(), ("all actor types", alpha["actors"]), ("all labels", alpha["overall"])]
        for label, block in rows:
            table.add_row(
                str(label),
                str(block["units"]),
                f"{block['observed']:.4g}",
                f"{block['expected']:.4g}",
                fmt(block["alpha"]),
            )
        tables.append(table)
    if (items := result.get("disagreements")) is not None:
        table = Table(
            title=f"Disagreements: {len(items)} in {len({i['doc_id'] for i in items})} documents "
            "(listed in --json and --html)"
        )
        for column in ("kind", "items", "documents", "what differs"):
            table.add_column(column)
        for kind in ("actor", "claim", "doc_stance"):
            mine = [i for i in items if i["kind"] == kind]
            what: dict[str, int] = {}
            for item in mine:
                for name in item["differs"]:
                    what[name] = what.get(name, 0) + 1
            table.add_row(
                kind.replace("_", " "),
                str(len(mine)),
                str(len({i["doc_id"] for i in mine})),
                ", ".join(f"{k} {v}" for k, v in what.items()),
            )
        tables.append(table)
    return tables
