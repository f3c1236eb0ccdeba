"""Text-only predictions (spans given by their text, as language models give them) grounded in
the documents: exact mentions in order, normalised and fuzzy matches, failures scored as spurious."""

import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from conftest import ROOT
from toolkit.cli import app
from toolkit.errors import ExtractorError
from toolkit.evaluate import evaluate
from toolkit.gold import Imported, check_record, import_exports
from toolkit.grounding import FUZZY_THRESHOLD, ground_record, normalise
from toolkit.predictions import read_predictions
from toolkit.report import terminal_table

runner = CliRunner()

TEXT = (
    "TALKS IN MOSCOW\n"
    "Sergey Lavrov met the Egyptian envoy in Moscow on Monday. Lavrov said the talks were "
    "\u201cuseful but difficult\u201d, and Lavrov\u2019s deputy agreed.\n\n"
    "\u201cWe will not accept a ceasefire that rewards terror,\u201d an Israeli spokesman said.\n"
    "Later Lavrov told reporters that Russia   supports a humanitarian\npause in Gaza.\n"
    "The Arab League welcomed the pause."
)


def at(text: str, nth: int = 1, within: str = TEXT) -> tuple[int, int]:
    """Offsets of the nth occurrence of ``text`` in TEXT."""
    starts = [m.start() for m in re.finditer(re.escape(text), within)]
    return starts[nth - 1], starts[nth - 1] + len(text)


LAVROVS = [at("Lavrov", n) for n in (2, 3, 4)]  # the first one is inside "Sergey Lavrov"
PAUSE = "Russia   supports a humanitarian\npause in Gaza"
QUOTE = "\u201cWe will not accept a ceasefire that rewards terror,\u201d"


def actor(i, text, label="PERSON", **offsets):
    return {"id": f"a{i}", "text": text, "label": label, **offsets}


def claim(i, text, speaker=None, target="gaza_ceasefire", stance="against", **offsets):
    return {"id": f"c{i}", "text": text, "speaker": speaker, "target": target, "stance": stance, **offsets}


def spans(record, layer):
    return [(s["id"], s["start"], s["end"], s["alignment"]) for s in record[layer]]


def test_repeated_mentions_take_the_mentions_in_order():
    model = {
        "doc_id": "d",
        "actors": [actor(1, "Lavrov"), actor(2, "Sergey Lavrov"), actor(3, "Lavrov"), actor(4, "Lavrov")],
    }
    grounded, stats = ground_record(model, TEXT)
    assert spans(grounded, "actors") == [
        ("a1", *LAVROVS[0], "exact"),
        ("a2", *at("Sergey Lavrov"), "exact"),
        ("a3", *LAVROVS[1], "exact"),
        ("a4", *LAVROVS[2], "exact"),
    ]
    assert stats.counts["actors"]["exact"] == 4 and not stats.failed
    assert all(TEXT[s:e] == "Lavrov" for _, s, e, _ in spans(grounded, "actors")[2:])


def test_a_mention_repeated_more_often_than_the_text_has_it():
    model = {"doc_id": "d", "actors": [actor(0, "Sergey Lavrov")] + [actor(i, "Lavrov") for i in range(1, 6)]}
    grounded, stats = ground_record(model, TEXT)
    placed = [(s, e) for _, s, e, _ in spans(grounded, "actors")[1:]]
    assert placed == [*LAVROVS, at("Lavrov", 1)]  # free mentions first, then the one inside the full name
    assert [f["id"] for f in stats.failed] == ["a5"] and stats.counts["actors"]["failed"] == 1
    assert stats.failed[0]["reason"] == "every mention is held by another span"


def test_quotes_whitespace_line_breaks_and_case_are_normalised():
    model = {
        "doc_id": "d",
        "actors": [actor(1, "the arab league", "ORGANIZATION"), actor(2, "  moscow\n", "STATE")],
        "claims": [
            claim(1, '"We will not accept a ceasefire that rewards terror,"'),
            claim(2, "Russia supports a humanitarian pause in Gaza", target="gaza_ceasefire", stance="favor"),
            claim(3, "useful   but\ndifficult", target="russia_mediation", stance="neutral"),
        ],
    }
    grounded, stats = ground_record(model, TEXT)
    assert spans(grounded, "claims") == [
        ("c1", *at(QUOTE), "normalised"),
        ("c2", *at(PAUSE), "normalised"),
        ("c3", *at("useful but difficult"), "normalised"),
    ]
    assert spans(grounded, "actors") == [
        ("a1", *at("The Arab League"), "normalised"),
        ("a2", *at("MOSCOW"), "normalised"),
    ]
    for layer in ("actors", "claims"):  # the document's own characters, offsets exact
        assert all(s["text"] == TEXT[s["start"] : s["end"]] for s in grounded[layer])
    assert stats.counts["claims"]["normalised"] == 3 and stats.grounded == 5


def test_fuzzy_match_finds_the_clause_with_exact_boundaries():
    model = {
        "doc_id": "d",
        "claims": [
            claim(1, "Russia suports a humanitarian pause in Gazza", stance="favor"),
            claim(2, "The Arab League welcomed the pausse"),
        ],
    }
    grounded, _ = ground_record(model, TEXT)
    assert spans(grounded, "claims") == [
        ("c1", *at(PAUSE), "fuzzy"),
        ("c2", *at("The Arab League welcomed the pause"), "fuzzy"),
    ]


def test_hallucinated_spans_fail_and_their_claims_lose_the_speaker():
    model = {
        "doc_id": "d",
        "actors": [actor(1, "Sergey Lavrov"), actor(2, "Antony Blinken"), actor(3, "Lavrov")],
        "claims": [
            claim(1, "The United States will veto any resolution", speaker="a2"),
            claim(2, "Russia supports a humanitarian pause in Gaza", speaker="a2"),
            claim(3, "useful but difficult", speaker="a3"),
        ],
    }
    grounded, stats = ground_record(model, TEXT)
    assert [a["id"] for a in grounded["actors"]] == ["a1", "a3"]
    assert [(c["id"], c["speaker"]) for c in grounded["claims"]] == [("c2", None), ("c3", "a3")]
    assert [(f["layer"], f["id"], f["text"]) for f in stats.failed] == [
        ("actors", "a2", "Antony Blinken"),
        ("claims", "c1", "The United States will veto any resolution"),
    ]
    assert stats.failed[0]["label"] == "PERSON" and stats.failed[0]["speaker_of"] == 1
    assert {f["reason"] for f in stats.failed} == {"not in the document"}
    assert stats.speakers_dropped == 1


def test_near_miss_below_the_threshold_fails():
    # one letter off in a 6-letter name: ratio 5/6 < 0.9
    grounded, stats = ground_record({"doc_id": "d", "actors": [actor(1, "Lavrow")]}, TEXT)
    assert grounded["actors"] == [] and stats.counts["actors"]["failed"] == 1
    assert FUZZY_THRESHOLD == 0.9


def test_spans_with_offsets_are_kept_and_their_places_taken():
    given = actor(1, "Lavrov", start=LAVROVS[1][0], end=LAVROVS[1][1])
    model = {
        "doc_id": "d",
        "actors": [actor(0, "Lavrov"), given, actor(2, "Lavrov")],
        "claims": [claim(1, "pause in Gaza", start=at("pause in Gaza")[0], end=at("pause in Gaza")[1])],
    }
    grounded, stats = ground_record(model, TEXT)
    # (no "Sergey Lavrov" here: the first "Lavrov" is the one in the full name)
    assert spans(grounded, "actors") == [
        ("a0", *at("Lavrov", 1), "exact"),
        ("a1", *LAVROVS[1], "given"),
        ("a2", *LAVROVS[0], "exact"),
    ]
    assert spans(grounded, "claims") == [("c1", *at("pause in Gaza"), "given")]
    assert stats.counts["actors"]["given"] == 1 and stats.grounded == 2
    half = {"doc_id": "d", "actors": [actor(1, "Lavrov", start=3)]}  # one offset: validation reports it
    assert ground_record(half, TEXT)[0]["actors"] == [{**half["actors"][0], "alignment": "given"}]


def test_normalise_maps_back_to_the_original_characters():
    text = "A\u2019s \u2014 \n\t B\u00a0\u201cC\u201d \ufb01ne\u2026 \u00df"
    norm, origin = normalise(text)
    assert norm == 'a\'s - b "c" fine... ss'
    assert len(origin) == len(norm) and origin == sorted(origin)
    for j, ch in enumerate(norm):
        source = text[origin[j]]
        assert (ch == " " and source.isspace()) or ch in normalise(source)[0]


# --- through read_predictions and evaluate -------------------------------------------------

GOLD = {
    "doc_id": "d",
    "text": TEXT,
    "actors": [
        {
            "id": "g1",
            "start": at("Sergey Lavrov")[0],
            "end": at("Sergey Lavrov")[1],
            "text": "Sergey Lavrov",
            "label": "PERSON",
        },
        *(
            {"id": f"g{i}", "start": s, "end": e, "text": "Lavrov", "label": "PERSON"}
            for i, (s, e) in enumerate(LAVROVS, 2)
        ),
        {
            "id": "g5",
            "start": at("The Arab League")[0],
            "end": at("The Arab League")[1],
            "text": "The Arab League",
            "label": "ORGANIZATION",
        },
    ],
    "claims": [
        {
            "id": "gc1",
            "start": at(QUOTE)[0],
            "end": at(QUOTE)[1],
            "text": QUOTE,
            "speaker": None,
            "target": "gaza_ceasefire",
            "stance": "against",
        },
        {
            "id": "gc2",
            "start": at(PAUSE)[0],
            "end": at(PAUSE)[1],
            "text": PAUSE,
            "speaker": "g4",
            "target": "gaza_ceasefire",
            "stance": "favor",
        },
    ],
    "doc_stances": {},
}
MODEL = {
    "doc_id": "d",
    "actors": [
        actor(1, "Sergey Lavrov"),
        actor(2, "Lavrov"),
        actor(3, "Lavrov"),
        actor(4, "lavrov"),
        actor(5, "the Arab League", "ORGANIZATION"),
    ],
    "claims": [
        claim(1, '"We will not  accept a ceasefire that rewards terror,"'),
        claim(2, "Russia supports a humanitarian pause in Gaza", speaker="a4", stance="favor"),
    ],
}
HALLUCINATED = {
    "actors": [actor(9, "Antony Blinken")],
    "claims": [claim(9, "Washington will veto any resolution on Gaza", speaker="a9", target="hamas")],
}


@pytest.fixture
def gold(schema):
    record = json.loads(json.dumps(GOLD))
    assert check_record(record, schema, "gold", Imported())["actors"] == record["actors"]
    return [record]


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _with_hallucinations(model):
    return {
        **model,
        "actors": model["actors"] + HALLUCINATED["actors"],
        "claims": model["claims"] + HALLUCINATED["claims"],
    }


def test_text_only_predictions_score_as_the_gold(tmp_path, schema, gold):
    system = read_predictions(_write(tmp_path / "p.jsonl", [MODEL]), schema, gold)
    assert system.problems == [] and not any(system.skipped.values())
    assert [(a["start"], a["end"]) for a in system.records[0]["actors"]] == [
        (a["start"], a["end"]) for a in GOLD["actors"]
    ]
    assert [a["alignment"] for a in system.records[0]["actors"]] == ["exact"] * 3 + ["normalised"] * 2
    assert system.alignment["rate"] == 1.0 and system.alignment["spans"] == 7 and system.alignment["failed_spans"] == []
    result = evaluate(gold, {"files": [], "fingerprint": "x", "documents": 1}, [system], schema, n_boot=100)
    block = result["systems"]["p.jsonl"]
    assert block["headline"]["actors_strict_f1"]["value"] == 1.0
    assert block["claims"]["end_to_end_stance"]["f1"] == 1.0
    assert block["alignment"]["normalised"] == 4


def test_hallucinated_spans_are_listed_and_lower_precision(tmp_path, schema, gold):
    clean = read_predictions(_write(tmp_path / "clean.jsonl", [MODEL]), schema, gold)
    path = _write(tmp_path / "halluc.jsonl", [_with_hallucinations(MODEL)])
    system = read_predictions(path, schema, gold)
    assert system.skipped["spans_not_found"] == 2 and system.skipped["problems"] == len(system.problems) == 2
    actor_problem, claim_problem = map(str, system.problems)
    assert "halluc.jsonl:1: task d region a9: actor 'Antony Blinken' ('PERSON') is not in the document" in actor_problem
    assert "scored as a spurious prediction" in actor_problem
    assert "region c9: claim 'Washington will veto" in claim_problem
    assert [(f["doc_id"], f["layer"], f["id"]) for f in system.alignment["failed_spans"]] == [
        ("d", "actors", "a9"),
        ("d", "claims", "c9"),
    ]
    assert system.alignment["rate"] == 7 / 9 and system.alignment["failed"] == 2
    assert read_predictions(path, schema, gold, strict=True).alignment["failed"] == 2  # scored, not an error
    meta = {"files": [], "fingerprint": "x", "documents": 1}
    result = evaluate(gold, meta, [clean, system], schema, n_boot=100, compare=("clean.jsonl", "halluc.jsonl"))
    a, b = result["systems"]["clean.jsonl"], result["systems"]["halluc.jsonl"]
    assert "alignment" in a and a["alignment"]["failed"] == 0
    for schema_name in ("strict", "exact", "partial", "ent_type"):
        assert (
            b["actors"]["schemas"][schema_name]["micro"]["spurious"]
            == a["actors"]["schemas"][schema_name]["micro"]["spurious"] + 1
        )
    assert b["actors"]["schemas"]["strict"]["per_label"]["PERSON"]["actual"] == 5
    assert (
        b["actors"]["schemas"]["strict"]["micro"]["precision"]
        == 5 / 6
        < a["actors"]["schemas"]["strict"]["micro"]["precision"]
    )
    assert b["actors"]["schemas"]["strict"]["micro"]["recall"] == 1.0
    assert b["claims"]["counts"]["pred"] == b["claims_exact"]["counts"]["pred"] == 3
    assert b["claims"]["span"]["precision"] == 2 / 3 and b["claims"]["span"]["recall"] == 1.0
    assert b["headline"]["actors_strict_f1"]["value"] == pytest.approx(
        2 * (5 / 6) / (5 / 6 + 1)
    )  # the bootstrap sees it
    assert b["headline"]["claims_span_f1"]["value"] == pytest.approx(0.8)
    assert [c["b_value"] for c in result["comparisons"] if c["metric"] == "actors_strict_f1"] == [
        b["headline"]["actors_strict_f1"]["value"]
    ]


def test_a_span_repeated_beyond_its_mentions_is_listed(tmp_path, schema, gold):
    model = {**MODEL, "actors": MODEL["actors"] + [actor(7, "Sergey Lavrov")]}
    system = read_predictions(_write(tmp_path / "p.jsonl", [model]), schema, gold)
    assert [str(p).split("/")[-1] for p in system.problems] == [
        (
            "p.jsonl:1: task d region a7: actor 'Sergey Lavrov' ('PERSON') is in the document, but every mention of it "
            "is held by another span; scored as a spurious prediction"
        )
    ]
    assert len(system.records[0]["actors"]) == 5 and system.alignment["failed"] == 1


def test_offsets_only_files_have_no_alignment_block(tmp_path, schema, gold):
    row = {k: GOLD[k] for k in ("doc_id", "actors", "claims", "doc_stances")}
    system = read_predictions(_write(tmp_path / "p.jsonl", [row]), schema, gold)
    assert system.alignment == {} and {a["alignment"] for a in system.records[0]["actors"]} == {"given"}
    result = evaluate(gold, {"files": [], "fingerprint": "x", "documents": 1}, [system], schema, n_boot=100)
    assert "alignment" not in result["systems"]["p.jsonl"]
    from toolkit.report import alignment_table, markdown

    assert alignment_table(result) == [] and "grounded" not in markdown(result)


def test_odd_values_in_failed_spans_stay_json(tmp_path, schema, gold):
    odd = {
        "doc_id": "d",
        "actors": [{"id": {"x": 1}, "text": "nobody at all", "label": ["PERSON"]}],
        "claims": [{"id": 7, "text": "\ud800 never said", "speaker": None}],
    }
    system = read_predictions(_write(tmp_path / "p.jsonl", [odd]), schema, gold)
    json.dumps(system.alignment, ensure_ascii=False).encode("utf-8")
    assert system.alignment["failed"] == 2
    evaluate(gold, {"files": [], "fingerprint": "x", "documents": 1}, [system], schema, n_boot=100)


# --- end to end, on the bundled gold ----------------------------------------------------------

EXPORT = ROOT / "gold" / "export.json"
PASS2 = sorted((ROOT / "gold" / "pass2").glob("*.json"))
STRAIGHT = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def _text_only(perturb: bool) -> tuple[list[dict], dict[str, int]]:
    """The second reading pass as a language model would give it: texts, no offsets; with
    ``perturb``, straight quotes, doubled spaces and changed case on some spans, and one
    hallucinated actor and claim."""
    rows, changed = [], {"normalised": 0}
    for path in PASS2:
        record = json.loads(path.read_text(encoding="utf-8"))
        for layer in ("actors", "claims"):
            for i, span in enumerate(record[layer]):
                del span["start"], span["end"]
                if not perturb or i % 3:
                    continue
                new = span["text"].translate(STRAIGHT).replace(" ", "  ", 1)
                new = new.lower() if layer == "actors" else new.replace("\n", " ")
                if new != span["text"]:
                    span["text"], changed["normalised"] = new, changed["normalised"] + 1
        rows.append({k: record[k] for k in ("doc_id", "actors", "claims", "doc_stances")})
    if perturb:
        rows[0]["actors"].append({"id": "x1", "text": "Antony Blinken", "label": "PERSON"})
        rows[0]["claims"].append(
            {
                "id": "x2",
                "text": "Washington will veto every resolution on Gaza until 2030.",
                "speaker": "x1",
                "target": "gaza_ceasefire",
                "stance": "against",
            }
        )
    return rows, changed


def test_evaluate_text_only_predictions_end_to_end(tmp_path):
    offsets = [
        {k: r[k] for k in ("doc_id", "actors", "claims", "doc_stances")}
        for r in (json.loads(p.read_text(encoding="utf-8")) for p in PASS2)
    ]
    plain, _ = _text_only(False)
    perturbed, changed = _text_only(True)
    files = [
        _write(tmp_path / f"{name}.jsonl", rows)
        for name, rows in (("offsets", offsets), ("text", plain), ("perturbed", perturbed))
    ]
    out, md = tmp_path / "scores.json", tmp_path / "scores.md"
    args = ["evaluate", "--gold", str(EXPORT), "--n-boot", "200", "--json", str(out), "--markdown", str(md)]
    result = runner.invoke(app, [*args, *(x for f in files for x in ("-p", str(f)))])
    assert result.exit_code == 0, result.output
    assert "actor 'Antony Blinken' ('PERSON') is not in the document" in result.stderr
    assert "spans not found 2" in result.stderr
    everything = json.loads(out.read_text(encoding="utf-8"))
    console = Console(record=True, width=200)
    console.print(terminal_table(everything))
    shown = console.export_text()
    row = next(line for line in shown.splitlines() if "Text-only spans aligned" in line)
    assert (
        "offsets given" in row
        and re.search(r"1\.000 \((\d+)/\1\)", row)
        and re.search(r"0\.\d{3} \(\d+/\d+, 2 failed\)", row)
    )
    scores = everything["systems"]
    n_spans = sum(len(r["actors"]) + len(r["claims"]) for r in offsets)
    assert "alignment" not in scores["offsets.jsonl"]
    text, pert = scores["text.jsonl"]["alignment"], scores["perturbed.jsonl"]["alignment"]
    assert (text["spans"], text["aligned"], text["exact"], text["rate"]) == (n_spans, n_spans, n_spans, 1.0)
    assert pert["spans"] == n_spans + 2 and pert["failed"] == 2 and pert["fuzzy"] == 0
    assert pert["normalised"] >= changed["normalised"] > 20
    assert pert["rate"] == pytest.approx(n_spans / (n_spans + 2))
    assert [s["text"] for s in pert["failed_spans"]] == [
        "Antony Blinken",
        "Washington will veto every resolution on Gaza until 2030.",
    ]
    assert "speakers_not_found" not in scores["perturbed.jsonl"]["skipped"]  # the hallucinated claim is left out itself
    base = scores["offsets.jsonl"]["headline"]
    for name in ("text.jsonl", "perturbed.jsonl"):
        for metric in ("actors_strict_f1", "claims_exact_span_f1", "claims_end_to_end_f1", "doc_stance_f_avg"):
            assert abs(scores[name]["headline"][metric]["value"] - base[metric]["value"]) < 0.05, (name, metric)
    a, b = scores["text.jsonl"], scores["perturbed.jsonl"]
    assert b["claims"]["counts"]["pred"] == a["claims"]["counts"]["pred"] + 1
    assert (
        b["actors"]["schemas"]["strict"]["micro"]["actual"] == a["actors"]["schemas"]["strict"]["micro"]["actual"] + 1
    )
    assert b["claims"]["span"]["precision"] < a["claims"]["span"]["precision"]
    report = md.read_text(encoding="utf-8")
    assert "## Text-only spans grounded in the documents" in report and "| Antony Blinken |" in report
    assert re.search(r"\| perturbed\.jsonl \| \d+ \| \d+ \| 0\.\d{3} \| \d+ \| \d+ \| 0 \| 2 \| 0 \|", report)


def test_strict_still_stops_on_file_problems(tmp_path, schema):
    gold = import_exports([EXPORT], schema).records
    rows, _ = _text_only(True)
    rows[1]["actors"].append({"id": "bad", "start": 0, "end": 10**6, "label": "PERSON"})
    with pytest.raises(ExtractorError, match="outside the text"):
        read_predictions(_write(tmp_path / "p.jsonl", rows), schema, gold, strict=True)


# --- property -----------------------------------------------------------------------------

ALPHABET = st.sampled_from(list("abAB \n\u2019'\u201c\"-\u2014x"))


@st.composite
def cut_spans(draw):
    text = draw(st.text(ALPHABET, min_size=1, max_size=60))
    cuts = draw(st.lists(st.tuples(st.integers(0, len(text) - 1), st.integers(1, 12)), max_size=12))
    places = sorted({(s, min(len(text), s + n)) for s, n in cuts})
    order = draw(st.permutations(range(len(places))))
    return text, [places[i] for i in order]


def on_word_boundaries(text: str, s: int, e: int) -> bool:
    return all(i in (0, len(text)) or not (text[i - 1].isalnum() and text[i].isalnum()) for i in (s, e))


def _layer(text, places, given_offsets):
    return [
        {"id": str(i), "text": text[s:e], "label": "PERSON", **({"start": s, "end": e} if given_offsets[i] else {})}
        for i, (s, e) in enumerate(places)
    ]


# TOOLKIT_FUZZ_EXAMPLES=5000 TOOLKIT_FUZZ_RANDOM=1 runs a longer, fresh campaign by hand (as in test_fuzz).
PROPERTY = settings(
    max_examples=int(os.environ.get("TOOLKIT_FUZZ_EXAMPLES", "0")) or 300,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not os.environ.get("TOOLKIT_FUZZ_RANDOM"),
    database=None,
)


@PROPERTY
@given(case=cut_spans(), given_offsets=st.lists(st.booleans(), min_size=12, max_size=12))
def test_grounding_spans_cut_on_word_boundaries_gives_back_exactly_their_texts(case, given_offsets):
    text, places = case
    places = [(s, e) for s, e in places if on_word_boundaries(text, s, e)]
    layer = _layer(text, places, given_offsets)
    grounded, stats = ground_record({"doc_id": "d", "actors": layer, "claims": [dict(a) for a in layer]}, text)
    assert not stats.failed
    for name in ("actors", "claims"):
        out = grounded[name]
        assert [s["text"] for s in out] == [text[s:e] for s, e in places]
        assert all(s["text"] == text[s["start"] : s["end"]] for s in out)
        assert len({(s["start"], s["end"]) for s in out}) == len(out)  # no two spans share a place
        assert [s["alignment"] for s in out] == ["given" if given_offsets[i] else "exact" for i in range(len(out))]


@PROPERTY
@given(case=cut_spans(), given_offsets=st.lists(st.booleans(), min_size=12, max_size=12))
def test_grounding_any_cut_spans_finds_the_same_text(case, given_offsets):
    """A cut inside a word may be placed on a whole word that reads the same once normalised
    (the word "B" for the "b" of "ab"), never on other text."""
    text, places = case
    grounded, stats = ground_record({"doc_id": "d", "actors": _layer(text, places, given_offsets)}, text)
    assert not stats.failed
    out = grounded["actors"]
    assert len({(s["start"], s["end"]) for s in out}) == len(out)
    for (s, e), span in zip(places, out, strict=True):
        assert span["text"] == text[span["start"] : span["end"]]
        assert span["alignment"] in ("given", "exact", "normalised")
        if span["alignment"] != "normalised":
            assert span["text"] == text[s:e]
        assert normalise(span["text"])[0].strip() == normalise(text[s:e])[0].strip()


@PROPERTY
@given(case=cut_spans(), upper=st.booleans())
def test_grounding_respelled_spans_finds_the_same_words(case, upper):
    """Spans respelled as a model might (straight quotes, whitespace collapsed, upper case)
    are placed on text that reads the same once normalised."""
    text, places = case
    wanted = [text[s:e] for s, e in places if text[s:e].strip() and on_word_boundaries(text, s, e)]
    respelled = [" ".join(w.translate(STRAIGHT).split()) for w in wanted]
    layer = [{"id": str(i), "text": w.upper() if upper else w, "label": "PERSON"} for i, w in enumerate(respelled)]
    grounded, stats = ground_record({"doc_id": "d", "actors": layer}, text)
    for span in grounded["actors"]:
        assert span["alignment"] == ("exact" if span["text"] == layer[int(span["id"])]["text"] else "normalised")
        assert span["text"] == text[span["start"] : span["end"]]
        assert normalise(span["text"])[0].strip() == normalise(wanted[int(span["id"])])[0].strip()
    assert len(grounded["actors"]) + len(stats.failed) == len(wanted)
