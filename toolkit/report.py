"""Render evaluation results (the dict from :func:`toolkit.evaluate.evaluate`): a terminal
table, Markdown, and a self-contained HTML report with plots and error analysis.

Nothing here computes a score; everything is read from the result dict.
"""

from __future__ import annotations

import base64
import html
import io

from rich.table import Table

from .scoring import MatchRule, align_records

LABELS = {
    "actors_strict_f1": "Actors F1 (strict)",
    "actors_exact_f1": "Actors F1 (exact boundaries)",
    "actors_partial_f1": "Actors F1 (partial)",
    "actors_type_f1": "Actors F1 (type, overlap)",
    "actors_strict_macro_f1": "Actors macro-F1 (strict)",
    "claims_exact_span_f1": "Claim spans F1 (exact)",
    "claims_span_f1": "Claim spans F1 (overlap)",
    "claims_speaker_accuracy": "Speaker accuracy (matched claims)",
    "claims_end_to_end_f1": "Claims F1 (span + speaker)",
    "claims_end_to_end_stance_f1": "Claims F1 (span + speaker + target/stance)",
    "claims_stance_macro_f1": "Claim stance macro-F1",
    "doc_stance_accuracy": "Document stance accuracy",
    "doc_stance_macro_f1": "Document stance macro-F1",
    "doc_stance_f_avg": "Document stance F_avg (favor, against)",
}


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def fmt_ci(block: dict) -> str:
    lo, hi = block["ci"]
    ci = "" if lo is None or hi is None else f" [{lo:.3f}, {hi:.3f}]"
    return fmt(block["value"]) + ci


def _meta_line(result: dict) -> str:
    m = result["meta"]
    return (f"toolkit {m['toolkit_version']} · schema {m['schema']['name']} {m['schema']['version']} "
            f"({m['schema']['fingerprint']}) · gold {', '.join(m['gold']['files'])} ({m['gold']['fingerprint']}, "
            f"{m['gold']['documents']} documents) · claim match {m['match_rule']['kind']}"
            f"{'' if m['match_rule']['threshold'] is None else ' ≥ ' + str(m['match_rule']['threshold'])} · "
            f"bootstrap {m['bootstrap']['n_boot']}× seed {m['bootstrap']['seed']} · {m['time']}")


def terminal_table(result: dict) -> Table:
    """Headline metrics per system with 95% bootstrap CIs, as a rich Table."""
    table = Table(title="Evaluation against the gold (95% bootstrap CI over documents)", caption=_meta_line(result))
    table.add_column("metric")
    for name, system in result["systems"].items():
        table.add_column(f"{name} {system['extractor']['version']}", justify="right")
    for metric, label in LABELS.items():
        table.add_row(label, *(fmt_ci(s["headline"][metric]) for s in result["systems"].values()))
    if any(s.get("alignment") for s in result["systems"].values()):
        table.add_row("Text-only spans aligned", *(alignment_cell(s.get("alignment")) for s in result["systems"].values()))
    return table


def comparison_table(result: dict) -> Table | None:
    """p-values of the paired tests, or None if no comparison was asked for."""
    if not result["comparisons"]:
        return None
    table = Table(title="Paired comparison")
    for column in ("metric", "A", "B", "p (paired bootstrap)", "p (approx. randomisation)"):
        table.add_column(column)
    for c in result["comparisons"]:
        table.add_row(LABELS[c["metric"]], f"{c['a']}: {fmt(c['a_value'])}", f"{c['b']}: {fmt(c['b_value'])}",
                      fmt(c["p_paired_bootstrap"]), fmt(c["p_randomization"]))
    return table


def markdown(result: dict) -> str:
    """The headline table, per-type actor scores, per-target stance scores and comparisons, as Markdown."""
    systems = result["systems"]
    lines = ["# Evaluation report", "", _meta_line(result), "", "## Headline (95% bootstrap CI)", ""]
    lines += ["| metric | " + " | ".join(f"{n} {s['extractor']['version']}" for n, s in systems.items()) + " |",
              "|---|" + "---|" * len(systems)]
    lines += [f"| {label} | " + " | ".join(fmt_ci(s["headline"][m]) for s in systems.values()) + " |" for m, label in LABELS.items()]
    lines += alignment_table(result)
    for name, s in systems.items():
        lines += ["", f"## {name}", "", "### Actors per type (strict)", "", "| type | P | R | F1 | gold | predicted |", "|---|---|---|---|---|---|"]
        for label, block in s["actors"]["schemas"]["strict"]["per_label"].items():
            lines.append(f"| {label} | {fmt(block['precision'])} | {fmt(block['recall'])} | {fmt(block['f1'])} | {block['possible']} | {block['actual']} |")
        lines += ["", "### Document stance per target", "", "| target | accuracy | macro-F1 | F_avg |", "|---|---|---|---|"]
        for target, block in s["doc_stance"]["per_target"].items():
            lines.append(f"| {target} | {fmt(block['accuracy'])} | {fmt(block['macro_f1'])} | {fmt(block['f_avg'])} |")
    if result["comparisons"]:
        lines += ["", "## Paired comparison", "", "| metric | A | B | p (paired bootstrap) | p (randomisation) |", "|---|---|---|---|---|"]
        for c in result["comparisons"]:
            lines.append(f"| {LABELS[c['metric']]} | {c['a']}: {fmt(c['a_value'])} | {c['b']}: {fmt(c['b_value'])} | "
                         f"{fmt(c['p_paired_bootstrap'])} | {fmt(c['p_randomization'])} |")
    return "\n".join(lines) + "\n"


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
    lines = ["", "## Text-only spans grounded in the documents", "",
             ("Spans given by their text alone were placed by an exact match (repeated mentions in order), else a "
              f"normalised one (case, quotes, dashes, whitespace), else a fuzzy one (difflib ratio ≥ {threshold}). "
              "Spans not found are scored as spurious predictions."), "",
             "| system | text-only spans | aligned | rate | exact | normalised | fuzzy | failed | with offsets |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, b in blocks.items():
        lines.append(f"| {_md_cell(name)} | {b['spans']} | {b['aligned']} | {fmt(b['rate'])} | {b['exact']} | "
                     f"{b['normalised']} | {b['fuzzy']} | {b['failed']} | {b['given']} |")
    failed = [(name, span) for name, b in blocks.items() for span in b["failed_spans"]]
    if failed:
        lines += ["", "### Spans not found (scored as spurious)", "", "| system | document | span | text |", "|---|---|---|---|"]
        for name, span in failed[:limit]:
            what = f"{span['layer'][:-1]} {span.get('id')}" + (f" ({span['label']})" if span.get("label") else "")
            lines.append(f"| {_md_cell(name)} | {_md_cell(span['doc_id'])} | {_md_cell(what)} | {_md_cell(span['text'])} |")
        if len(failed) > limit:
            lines.append(f"\n… and {len(failed) - limit} more (every one is in the JSON, under alignment.failed_spans)")
    return lines


# --- HTML --------------------------------------------------------------------------------

# Highlight classes, most important first: a character covered by several shows the first.
CLASSES = ("missed", "spurious", "wrong-speaker", "wrong-type", "partial", "correct")
CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}.meta{color:#666;font-size:.85em}
.doc{white-space:pre-wrap;border:1px solid #ddd;padding:.8em;background:#fafafa}
mark{border-radius:3px;padding:0 1px}mark.correct{background:#c8f0c8}mark.partial{background:#ffe9a8}
mark.missed{background:#ffb3b3}mark.spurious{background:#b3d4ff}mark.wrong-speaker{background:#e0b3ff}
mark.wrong-type{background:#ffd0a0}.legend mark{margin-right:.6em}img{max-width:100%}
"""


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


def span_classes(gold: list[dict], pred: list[dict], score=None, speakers=None) -> list[tuple[int, int, str, str]]:
    """``(start, end, class, note)`` for every gold and predicted span of one document.

    Gold spans are ``correct``, ``wrong-type``, ``partial`` (overlapping, other boundaries),
    ``wrong-speaker`` (claims whose speaker differs) or ``missed``; predicted spans that
    overlap no gold span are ``spurious``. ``score(a, b)`` decides a boundary match
    (default: exact); ``speakers(g, p)`` says whether two claims' speakers agree.
    """
    score = score or (lambda a, b: a == b)
    out = []
    for g in gold:
        span = (g["start"], g["end"])
        same = [p for p in pred if score(span, (p["start"], p["end"]))]
        overlapping = [p for p in pred if p["start"] < g["end"] and g["start"] < p["end"]]
        label = g.get("label") or g.get("stance") or ""
        if same and speakers and not any(speakers(g, p) for p in same):
            out.append((*span, "wrong-speaker", "gold claim; predicted speaker differs"))
        elif same and any(p.get("label") == g.get("label") for p in same):
            out.append((*span, "correct", f"gold {label}; predicted the same"))
        elif same:
            out.append((*span, "wrong-type", f"gold {label}; predicted {same[0].get('label')}"))
        elif overlapping:
            out.append((*span, "partial", f"gold {label}; predicted span {overlapping[0]['text']!r}"))
        else:
            out.append((*span, "missed", f"gold {label}; not predicted"))
    for p in pred:
        if not any(p["start"] < g["end"] and g["start"] < p["end"] for g in gold):
            out.append((p["start"], p["end"], "spurious", f"predicted {p.get('label') or ''}; not in gold"))
    return out


def highlight(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """The text, HTML-escaped, with ``<mark>`` around spans (the most important class wins)."""
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    parts = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [sp for sp in spans if sp[0] <= a and b <= sp[1]]
        chunk = html.escape(text[a:b])
        if covering:
            covering.sort(key=lambda sp: CLASSES.index(sp[2]))
            note = html.escape(" | ".join(sp[3] for sp in covering), quote=True)
            parts.append(f'<mark class="{covering[0][2]}" title="{note}">{chunk}</mark>')
        else:
            parts.append(chunk)
    return "".join(parts)


def html_report(result: dict, gold: list[dict], predictions: dict[str, list[dict]], rule: MatchRule) -> str:
    """One self-contained HTML page: headline scores with CIs, per-type bars, confusion
    matrices, and per-document error analysis (claims matched by ``rule``, as in the scores).
    All document text is HTML-escaped."""
    e = html.escape
    systems = result["systems"]
    head = "".join(f"<th>{e(n)} {e(s['extractor']['version'])}</th>" for n, s in systems.items())
    rows = "".join(
        f"<tr><td>{e(label)}</td>" + "".join(f"<td>{e(fmt_ci(s['headline'][m]))}</td>" for s in systems.values()) + "</tr>"
        for m, label in LABELS.items()
    )
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Evaluation report</title><style>{CSS}</style></head><body>",
        "<h1>Evaluation report</h1>", f"<p class='meta'>{e(_meta_line(result))}</p>",
        f"<h2>Headline scores (95% bootstrap CI over documents)</h2><table><tr><th>metric</th>{head}</tr>{rows}</table>",
        f"<h2>Actors per type</h2>{_img(_bars(result), 'per-type F1 bars')}",
        "<h2>Confusion matrices</h2>",
    ]
    for name, s in systems.items():
        parts.append(f"<h3>{e(name)}</h3>")
        parts.append(_img(_confusion(s["doc_stance"]["overall"], "document stance, all targets"), "document stance confusion"))
        parts.append(_img(_confusion(s["claims"]["stance"], "claim stance, matched claims"), "claim stance confusion"))
    legend = "".join(f"<mark class='{c}'>{c}</mark>" for c in CLASSES)
    parts.append(f"<h2>Errors per document</h2><p class='legend'>{legend} (hover a span for details)</p>")
    for name, records in predictions.items():
        parts.append(f"<h3>{e(name)}</h3>")
        for g, p in align_records(gold, records):
            g_spans = {a["id"]: (a["start"], a["end"]) for a in g["actors"]}
            p_spans = {a["id"]: (a["start"], a["end"]) for a in p.get("actors", [])}

            def same_speaker(gc, pc):  # as scoring.claim_counts decides it
                a, b = g_spans.get(gc.get("speaker")), p_spans.get(pc.get("speaker"))
                return (a is None and b is None) or (a is not None and b is not None and rule.score(a, b) is not None)

            actors = span_classes(g["actors"], p.get("actors", []))
            claims = span_classes(g["claims"], p.get("claims", []), lambda a, b: rule.score(a, b) is not None, same_speaker)
            parts.append(f"<details class='doc-errors'><summary>{e(g['doc_id'])}</summary>"
                         f"<h4>Actors</h4><div class='doc actors'>{highlight(g['text'], actors)}</div>"
                         f"<h4>Claims</h4><div class='doc claims'>{highlight(g['text'], claims)}</div></details>")
    parts.append("</body></html>")
    return "\n".join(parts)


def agreement_tables(result: dict) -> list[Table]:
    """The tables of ``toolkit agreement``: document stance, pairwise spans, per annotator."""
    stance = Table(title=f"Document stance agreement ({result['documents']} documents, annotators {', '.join(result['annotators'])})")
    for column in ("target", "items", "observed", "Cohen's kappa (pairs)", "Fleiss' kappa", "Krippendorff's alpha"):
        stance.add_column(column)
    rows = [("all targets", result["doc_stance"]["overall"]), *result["doc_stance"]["per_target"].items()]
    for name, block in rows:
        kappas = ", ".join(f"{k}: {fmt(v)}" for k, v in block["cohen_kappa"].items())
        stance.add_row(name, str(block["items"]), fmt(block["observed_agreement"]), kappas, fmt(block["fleiss_kappa"]), fmt(block["krippendorff_alpha"]))
    pairs = Table(title=f"Pairwise span agreement (claim overlap >= {result['overlap_threshold']})")
    keys = ["documents", "actor_strict_f1", "actor_partial_f1", "actor_type_f1", "claim_exact_f1", "claim_overlap_f1", "speaker_agreement", "claim_stance_agreement"]
    pairs.add_column("pair")
    for key in keys:
        pairs.add_column(key.replace("_", " "))
    for pair, block in result["pairs"].items():
        pairs.add_row(pair, *(str(block[k]) if k == "documents" else fmt(block[k]) for k in keys))
    people = Table(title="Per annotator")
    for column in ("annotator", "documents", "actors", "claims", "mean actor strict F1", "mean claim overlap F1"):
        people.add_column(column)
    for annotator, block in result["per_annotator"].items():
        people.add_row(annotator, str(block["documents"]), str(block["actors"]), str(block["claims"]),
                       fmt(block["mean_actor_strict_f1"]), fmt(block["mean_claim_overlap_f1"]))
    return [stance, pairs, people, *agreement_span_tables(result)]


def agreement_span_tables(result: dict) -> list[Table]:
    """Krippendorff's unitizing alpha per span label, and the disagreements counted per kind
    (the full list is in the JSON and in the HTML of ``toolkit agreement``)."""
    tables = []
    if alpha := result.get("span_alpha_u"):
        table = Table(title=f"Span agreement, Krippendorff's unitizing alpha ({alpha['documents']} documents "
                            f"annotated by all, {alpha['continuum']} characters)")
        for column in ("label", "units", "observed D_o", "expected D_e", "alpha_U"):
            table.add_column(column, justify="left" if column == "label" else "right")
        rows = [*alpha["per_label"].items(), ("all actor types", alpha["actors"]), ("all labels", alpha["overall"])]
        for label, block in rows:
            table.add_row(str(label), str(block["units"]), f"{block['observed']:.4g}", f"{block['expected']:.4g}",
                          fmt(block["alpha"]))
        tables.append(table)
    if (items := result.get("disagreements")) is not None:
        table = Table(title=f"Disagreements: {len(items)} in {len({i['doc_id'] for i in items})} documents "
                            "(listed in --json and --html)")
        for column in ("kind", "items", "documents", "what differs"):
            table.add_column(column)
        for kind in ("actor", "claim", "doc_stance"):
            mine = [i for i in items if i["kind"] == kind]
            what: dict[str, int] = {}
            for item in mine:
                for name in item["differs"]:
                    what[name] = what.get(name, 0) + 1
            table.add_row(kind.replace("_", " "), str(len(mine)), str(len({i["doc_id"] for i in mine})),
                          ", ".join(f"{k} {v}" for k, v in what.items()))
        tables.append(table)
    return tables
