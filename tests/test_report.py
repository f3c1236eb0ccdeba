"""The evaluation report: one list of headline metrics, an error list that counts what the
scores count, escaping, and a page that grows with the errors, not the corpus."""

import json
import random
import re
from collections import Counter

import pytest

from toolkit.evaluate import HEADLINES, evaluate
from toolkit.predictions import System
from toolkit.report import KIND_KEYS, error_analysis, error_counts, html_report, markdown, text_windows
from toolkit.scoring import MatchRule, actor_outcomes, actor_scores

TYPES = ("PERSON", "STATE", "ORGANIZATION", "GROUP")
TARGETS = (
    "gaza_ceasefire",
    "humanitarian_access",
    "israel_military_operation",
    "hamas",
    "palestinian_state",
    "russia_mediation",
)
STANCES = ("favor", "against", "neutral", "none")
WORDS = (
    "the",
    "minister",
    "said",
    "that",
    "talks",
    "on",
    "aid",
    "and",
    "a",
    "truce",
    "would",
    "go",
    "on",
    "while",
    "envoys",
    "met",
    "in",
    "the",
    "capital",
)


def synthetic_doc(rng: random.Random, doc_id: str, n_words: int = 400) -> dict:
    """A gold record: random words, an actor every ~25 words, a claim spoken by it, stances for all targets."""
    words = [rng.choice(WORDS) for _ in range(n_words)]
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    text = " ".join(words)
    actors, claims = [], []
    for k, i in enumerate(range(3, n_words - 12, 25)):
        actor = {
            "id": f"a{k}",
            "start": starts[i],
            "end": starts[i + 1] + len(words[i + 1]),
            "label": rng.choice(TYPES),
        }
        actor["text"] = text[actor["start"] : actor["end"]]
        actors.append(actor)
        c_start, c_end = starts[i + 3], starts[i + 10] + len(words[i + 10])
        claims.append(
            {
                "id": f"c{k}",
                "start": c_start,
                "end": c_end,
                "text": text[c_start:c_end],
                "speaker": actor["id"],
                "target": rng.choice(TARGETS),
                "stance": rng.choice(STANCES),
            }
        )
    return {
        "doc_id": doc_id,
        "text": text,
        "actors": actors,
        "claims": claims,
        "doc_stances": {t: rng.choice(STANCES) for t in TARGETS},
    }


def perturb(rng: random.Random, gold: dict) -> dict:
    """A prediction of ``gold`` with one error of each kind the report lists."""
    pred = json.loads(json.dumps({k: v for k, v in gold.items() if k != "text"}))
    actors, claims = pred["actors"], pred["claims"]
    actors[0]["end"] -= 2  # boundary
    actors[1]["label"] = next(t for t in TYPES if t != actors[1]["label"])  # wrong type
    gone = actors.pop(2)["id"]  # missed (and its claims lose their speaker: a wrong speaker)
    for claim in claims:
        claim["speaker"] = None if claim["speaker"] == gone else claim["speaker"]
    actors.append({"id": "x", "start": 0, "end": 3, "label": "STATE", "text": gold["text"][:3]})  # spurious
    claims[0]["stance"] = next(s for s in STANCES if s != claims[0]["stance"])  # wrong stance
    claims[1]["target"] = next(t for t in TARGETS if t != claims[1]["target"])  # wrong target
    claims[4]["speaker"] = actors[5]["id"]  # wrong speaker
    claims.pop(6)  # missed claim
    claims.append(
        {"id": "y", "start": 0, "end": 20, "text": gold["text"][:20], "speaker": None, "target": None, "stance": None}
    )  # spurious claim
    pred["doc_stances"]["hamas"] = next(s for s in STANCES if s != gold["doc_stances"]["hamas"])
    for span in actors + claims:
        span["text"] = gold["text"][span["start"] : span["end"]]
    return pred


def corpus(n_docs: int, n_wrong: int, seed: int = 0, n_words: int = 400):
    rng = random.Random(seed)
    gold = [synthetic_doc(rng, f"doc-{i:05d}", n_words) for i in range(n_docs)]
    wrong = set(rng.sample(range(n_docs), n_wrong))
    pred = [perturb(rng, g) if i in wrong else {k: v for k, v in g.items() if k != "text"} for i, g in enumerate(gold)]
    return gold, pred


def score(schema, gold, systems, rule=MatchRule(), compare=None):
    meta = {"files": ["synthetic"], "fingerprint": "x", "documents": len(gold)}
    return evaluate(gold, meta, systems, schema, rule=rule, n_boot=100, compare=compare)


def expected_counts(result: dict, system: str) -> dict[str, int]:
    """The error counts the report must show, read from the scores."""
    s = result["systems"][system]
    strict, claims = s["actors"]["schemas"]["strict"]["micro"], s["claims"]["counts"]
    stance_cm, doc_cm = s["claims"]["stance"]["confusion"], s["doc_stance"]["overall"]
    off = lambda cm: sum(v for i, row in enumerate(cm) for j, v in enumerate(row) if i != j)  # noqa: E731
    return {
        "actor-missed": strict["missed"],
        "actor-spurious": strict["spurious"],
        "actor-boundary+type": strict["incorrect"],
        "claim-missed": claims["gold"] - claims["matched"],
        "claim-spurious": claims["pred"] - claims["matched"],
        "claim-speaker": claims["matched"] - claims["speaker_correct"],
        "claim-stance": off(stance_cm),
        "doc-stance": off(doc_cm["confusion"]),
    }


def test_one_list_of_headline_metrics(schema):
    names = [h.name for h in HEADLINES]
    assert len(set(names)) == len(names) and all(h.label for h in HEADLINES)
    gold, pred = corpus(6, 2)
    result = score(schema, gold, [System("sys", "1", pred)])
    assert list(result["systems"]["sys"]["headline"]) == names
    page = markdown(result)
    assert all(h.label in page for h in HEADLINES)


@pytest.mark.parametrize("rule", [MatchRule(), MatchRule("exact")])
def test_error_list_counts_what_the_scores_count(schema, rule):
    gold, pred = corpus(40, 15, seed=3)
    rng = random.Random(5)
    noisy = [{**p, "claims": [{**c, "start": c["start"] + rng.choice([0, 0, 3])} for c in p["claims"]]} for p in pred]
    systems = [System("a", "1", pred), System("b", "1", noisy)]
    result = score(schema, gold, systems, rule)
    errors, correct = error_analysis(
        gold,
        {s.name: s.records for s in systems},
        rule,
        actor_labels=list(TYPES),
        targets=list(TARGETS),
        no_stance="none",
    )
    counts = error_counts(errors, ["a", "b"])
    for name in ("a", "b"):
        want, got = expected_counts(result, name), counts[name]
        assert got["actor-boundary"] + got["actor-type"] == want.pop("actor-boundary+type")
        assert {k: got[k] for k in want} == want
        assert all(got[k] > 0 for k in KIND_KEYS), got  # the generator makes every kind of error
        # claims right in speaker, target and stance are the end-to-end-with-stance true positives
        c = result["systems"][name]["claims"]["counts"]
        wrong = {
            (e["doc"], tuple(e["gold"]))
            for e in errors
            if e["system"] == name and e["kind"] in ("claim-speaker", "claim-target", "claim-stance")
        }
        assert c["matched"] - len(wrong) == c["stance_correct"]
        right_claims = [x for x in correct if x["system"] == name and x["layer"] == "claim"]
        assert len(right_claims) == c["stance_correct"]
    # the wrong claim stance is an error, not a "correct" span
    stance_errors = {(e["doc"], tuple(e["gold"])) for e in errors if e["kind"] == "claim-stance" and e["system"] == "a"}
    assert stance_errors and not stance_errors & {(x["doc"], tuple(x["span"])) for x in correct if x["system"] == "a"}


def test_actor_outcomes_sum_to_the_actor_counts():
    rng = random.Random(11)
    labels = ("P", "S", "O")
    for _ in range(200):

        def spans():
            out = []
            for _ in range(rng.randint(0, 8)):
                s = rng.randint(0, 40)
                out.append({"start": s, "end": s + rng.randint(1, 10), "label": rng.choice((*labels, "X"))})
            return out

        gold = [{"doc_id": str(d), "actors": spans(), "claims": [], "doc_stances": {}} for d in range(4)]
        pred = [{"doc_id": str(d), "actors": spans(), "claims": [], "doc_stances": {}} for d in range(4)]
        scores = actor_scores(gold, pred, labels=labels)
        for schema in ("strict", "exact", "ent_type"):
            total = Counter()
            for g, p in zip(gold, pred, strict=True):
                out = actor_outcomes(g["actors"], p["actors"], labels, schema=schema)
                total.update(out.pred)
                total["missed"] += sum(
                    1 for a, by in zip(g["actors"], out.gold, strict=True) if by is None and a["label"] in labels
                )
                assert all(out.gold[out.took[q]] == q for q, w in enumerate(out.pred) if w in ("correct", "incorrect"))
            micro = scores["schemas"][schema]["micro"]
            assert [total[k] for k in ("correct", "incorrect", "spurious", "missed")] == [
                micro[k] for k in ("correct", "incorrect", "spurious", "missed")
            ]


def page_json(page: str) -> dict:
    blob = re.search(r"<script type='application/json' id='report-data'>(.*?)</script>", page, re.DOTALL).group(1)
    return json.loads(blob)


def test_page_escapes_text_and_data(schema):
    gold, pred = corpus(3, 3, seed=1)
    evil = "</script><script>alert(1)</script> & <b>bold</b> \u2028"
    gold[0]["doc_id"] = pred[0]["doc_id"] = "<img src=x onerror=alert(1)>"
    gold[0]["text"] = evil + gold[0]["text"][len(evil) :]
    result = score(schema, gold, [System("<sys>&", "1", pred)])
    page = html_report(result, gold, {"<sys>&": pred}, MatchRule())
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
    assert "&lt;sys&gt;&amp;" in page and "\u2028" not in page
    assert page.count("</script>") == 2  # the data and the script, nothing from the text
    data = page_json(page)
    assert data["docs"][[d[0] for d in data["docs"]].index(gold[0]["doc_id"])][2][0][1].startswith(evil)
    assert data["systems"] == ["<sys>&"]


def test_page_shows_tables_comparison_and_warning(schema):
    gold, pred = corpus(12, 6, seed=2)
    rng = random.Random(9)
    other = [perturb(rng, g) for g in gold]
    systems = [System("a", "1", pred), System("b", "2", other)]
    result = score(schema, gold, systems, compare=("a", "b"))
    page = html_report(result, gold, {s.name: s.records for s in systems}, MatchRule())
    assert "Small sample: the gold has only 12 documents" in page
    assert "A \u2212 B [95% CI]" in page and "p (approx. randomisation)" in page
    assert "Actors per type (strict)" in page and "Document stance per target" in page
    for t in TYPES + TARGETS:
        assert f"<td>{t}</td>" in page
    data = page_json(page)
    assert len(data["errors"]) == sum(
        sum(c.values())
        for c in error_counts(
            error_analysis(
                gold, {s.name: s.records for s in systems}, MatchRule(), actor_labels=list(TYPES), targets=list(TARGETS)
            )[0],
            ["a", "b"],
        ).values()
    )
    gold, pred = corpus(30, 1)
    enough = score(schema, gold, [System("a", "1", pred)])
    assert "Small sample" not in html_report(enough, gold, {"a": pred}, MatchRule())


def test_page_grows_with_errors_not_text(schema):
    gold, pred = corpus(2000, 20, seed=4)
    result = score(schema, gold, [System("sys", "1", pred)])
    page = html_report(result, gold, {"sys": pred}, MatchRule())
    text_bytes = sum(len(g["text"].encode()) for g in gold)
    size = len(page.encode())
    assert text_bytes > 3_500_000 and size < 400_000, (text_bytes, size)
    data = page_json(page)
    assert len(data["docs"]) == 20  # only documents with errors carry text
    twice = corpus(2000, 40, seed=4)
    page2 = html_report(
        score(schema, twice[0], [System("sys", "1", twice[1])]), twice[0], {"sys": twice[1]}, MatchRule()
    )
    assert len(page2.encode()) - size < 20 * 3 * len(gold[0]["text"])  # about one text (and its errors) per doc


def test_long_documents_carry_windows_around_errors():
    assert text_windows(100, [(10, 20)]) == [(0, 100)]
    assert text_windows(10_000, [(5000, 5010), (5100, 5120), (9990, 10_000)], limit=4000, window=300) == [
        (4700, 5420),
        (9690, 10_000),
    ]
    assert text_windows(10_000, [], limit=4000, window=300) == [(0, 600)]


def test_spans_grounding_could_not_place_are_spurious_errors():
    gold, pred = corpus(3, 0)
    unplaced = {
        "a": [
            {"doc_id": gold[1]["doc_id"], "layer": "actors", "label": "PERSON", "text": "Nobody"},
            {"doc_id": gold[1]["doc_id"], "layer": "claims", "text": "never said"},
            {"doc_id": gold[1]["doc_id"], "layer": "actors", "label": "NOT-A-TYPE", "text": "ignored"},
        ]
    }
    errors, _ = error_analysis(gold, {"a": pred}, MatchRule(), actor_labels=list(TYPES), unplaced=unplaced)
    assert [(e["kind"], e["doc"], e["pred"]) for e in errors] == [
        ("actor-spurious", 1, None),
        ("claim-spurious", 1, None),
    ]
    assert "not found in the document" in errors[0]["detail"]
