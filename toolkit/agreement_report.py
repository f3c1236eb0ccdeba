"""HTML for ``toolkit agreement``: unitizing alpha per label and every disagreement per document.

:func:`agreement_html` renders a self-contained ``<section>`` (its own scoped CSS, all text
HTML-escaped) that a larger report can include; :func:`agreement_page` wraps it in a page.
Nothing here computes a figure; everything is read from :func:`toolkit.agreement.agreement`'s result.
"""

from __future__ import annotations

from collections import Counter
from html import escape

KINDS = {"actor": "actors", "claim": "claims", "doc_stance": "document stance"}

CSS = """
section.agreement table{border-collapse:collapse;margin:.6em 0}
section.agreement td,section.agreement th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
section.agreement .num{text-align:right}section.agreement .none{color:#999}
section.agreement .differs{color:#a33;font-size:.9em}section.agreement .quote{font-style:italic;max-width:28em}
section.agreement details{margin:.3em 0}section.agreement summary{cursor:pointer}
"""


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _span(view: dict) -> str:
    """One annotator's actor or claim, as escaped HTML."""
    start, end = view["span"]
    parts = [f"[{start}, {end})"]
    if "label" in view:
        parts.append(f"<b>{escape(str(view['label']))}</b>")
    if view.get("text"):
        parts.append(f"“{escape(view['text'])}”")
    if "stance" in view:
        speaker = view.get("speaker")
        who = (
            "no speaker"
            if speaker is None
            else f"speaker “{escape(speaker.get('text') or '')}” [{speaker['span'][0]}, {speaker['span'][1]})"
        )
        parts.append(f"<br>{who} · target {escape(str(view.get('target')))} · stance {escape(str(view.get('stance')))}")
    return " ".join(parts)


def _value(value) -> str:
    if isinstance(value, list):
        return "<br>".join(_span(v) for v in value) if value else "<span class='none'>(none)</span>"
    return escape(str(value))


def _alpha_table(block: dict) -> str:
    rows = [(escape(str(label)), v) for label, v in block["per_label"].items()]
    rows += [("<i>all actor types</i>", block["actors"]), ("<i>all labels</i>", block["overall"])]
    body = "".join(
        f"<tr><td>{label}</td><td class='num'>{v['units']}</td><td class='num'>{v['observed']:.3g}</td>"
        f"<td class='num'>{v['expected']:.3g}</td><td class='num'>{_fmt(v['alpha'])}</td></tr>"
        for label, v in rows
    )
    return (
        f"<h3>Krippendorff's unitizing alpha (αU)</h3><p>Over the {block['documents']} documents every annotator "
        f"annotated ({block['continuum']} characters); 1 is perfect agreement, 0 is chance.</p>"
        "<table><tr><th>label</th><th>units</th><th>observed D<sub>o</sub></th><th>expected D<sub>e</sub></th>"
        f"<th>αU</th></tr>{body}</table>"
    )


def agreement_html(result: dict) -> str:
    """A ``<section class="agreement">`` with αU per label and the disagreements, document by document."""
    items = result.get("disagreements") or []
    parts = [
        f"<section class='agreement'><style>{CSS}</style>",
        "<h2>Inter-annotator agreement</h2>",
        (
            f"<p>{len(result['annotators'])} annotators ({escape(', '.join(map(str, result['annotators'])))}), "
            f"{result['documents']} documents annotated by two or more.</p>"
        ),
    ]
    if result.get("span_alpha_u"):
        parts.append(_alpha_table(result["span_alpha_u"]))
    counts = Counter(item["kind"] for item in items)
    summary = ", ".join(f"{name} {counts[k]}" for k, name in KINDS.items() if counts[k]) or "none"
    parts.append(
        f"<h3>Disagreements</h3><p>{len(items)} in {len({i['doc_id'] for i in items})} documents: {summary}. "
        "Actors: overlapping spans not marked identically (offsets and label) by all; claims: matched "
        f"claims (overlap ≥ {result['overlap_threshold']}) whose span, speaker, target or stance differ, "
        "or that an annotator lacks; document stance: targets labelled differently.</p>"
    )
    by_doc: dict[str, list[dict]] = {}
    for item in items:
        by_doc.setdefault(item["doc_id"], []).append(item)
    for doc_id, doc_items in by_doc.items():
        annotators = sorted({a for item in doc_items for a in item["values"]})
        head = "".join(f"<th>{escape(str(a))}</th>" for a in annotators)
        rows = []
        for item in doc_items:
            where = "" if item["kind"] == "doc_stance" else f" [{item['start']}, {item['end']})"
            text = f"target {escape(item['target'])}" if item["kind"] == "doc_stance" else escape(item["text"])
            cells = "".join(f"<td>{_value(item['values'][a]) if a in item['values'] else ''}</td>" for a in annotators)
            rows.append(
                f"<tr class='{escape(item['kind'])}'><td>{escape(item['kind'].replace('_', ' '))}{where}"
                f"<br><span class='differs'>{escape(', '.join(item['differs']))}</span></td>"
                f"<td class='quote'>{text}</td>{cells}</tr>"
            )
        kinds = Counter(item["kind"] for item in doc_items)
        label = ", ".join(f"{name}: {kinds[k]}" for k, name in KINDS.items() if kinds[k])
        parts.append(
            f"<details><summary>{escape(doc_id)} ({label})</summary><table><tr><th>kind</th><th>text</th>"
            f"{head}</tr>{''.join(rows)}</table></details>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def agreement_page(result: dict) -> str:
    """A standalone HTML page around :func:`agreement_html`."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Inter-annotator agreement</title>"
        "<style>body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:75em;color:#222}</style>"
        f"</head><body>\n{agreement_html(result)}\n</body></html>\n"
    )
