"""Review with consensus: the pure consensus on hand-made records, then the whole loop against the
real Label Studio server, the reviewer's part with the mouse in headless Chromium.

The live test: two annotators enter annotations with ``toolkit studio annotate --as``; ``toolkit
studio review`` posts the consensus as a prediction (a dry run first; a re-run leaves it as it
is; a changed annotation updates it in place); a reviewer signs up through the organisation's invite
link, opens the task, duplicates the ``consensus`` prediction, sees the disputed regions' notes
and scores, deletes a disputed alternative, chooses the disputed claim stance and the open
document stance, and submits; ``review --accept`` flags the review as ground truth; ``studio
pull`` and ``dataset build`` keep the reviewer's annotation as the gold. Screenshots go to
``test-artifacts/ui-review/``.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from browser import UI, WAIT, is_post, open_page
from conftest import ROOT
from toolkit.cli import app
from toolkit.gold import Imported, check_record, record_to_results
from toolkit.review import KINDS, build_consensus, dispute_line
from toolkit.schema import labeling_config, load_schema

SCHEMA_FILE = ROOT / "schemas" / "schema.yaml"
ARTIFACTS = ROOT / "test-artifacts"
TEXT = (
    "Foreign Minister Sergey Lavrov met the UN envoy in Moscow. Lavrov said a ceasefire in Gaza is needed now. "
    "Hamas did not comment.\n"
)
CLAIM = "a ceasefire in Gaza is needed now"


def span(part: str, nth: int = 0, **fields) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(part, start + 1)
    return {"start": start, "end": start + len(part), "text": part, **fields}


@pytest.fixture(scope="module")
def schema():
    return load_schema(SCHEMA_FILE)


def stances(schema, **changed) -> dict:
    return dict.fromkeys(schema.targets, "none") | {"gaza_ceasefire": "favor"} | changed


def record(schema, actors, claims, **doc_stances) -> dict:
    return {
        "doc_id": "d1",
        "text": TEXT,
        "actors": actors,
        "claims": claims,
        "doc_stances": stances(schema, **doc_stances),
    }


def annotator_one(schema) -> dict:
    """Marks the UN as an organisation and Moscow; the claim's stance favor."""
    return record(
        schema,
        [
            {"id": "a1", **span("Sergey Lavrov"), "label": "PERSON"},
            {"id": "a2", **span("UN"), "label": "ORGANIZATION"},
            {"id": "a3", **span("Moscow"), "label": "STATE"},
            {"id": "a4", **span("Lavrov", 1), "label": "PERSON"},
        ],
        [{"id": "c1", **span(CLAIM), "speaker": "a4", "target": "gaza_ceasefire", "stance": "favor"}],
    )


def annotator_two(schema, moscow: bool = False) -> dict:
    """Marks "UN envoy" as a person, no Moscow (unless ``moscow``); stance neutral; Russia's
    mediation favoured."""
    actors = [
        {"id": "x1", **span("Sergey Lavrov"), "label": "PERSON"},
        {"id": "x2", **span("UN envoy"), "label": "PERSON"},
        {"id": "x4", **span("Lavrov", 1), "label": "PERSON"},
    ]
    if moscow:
        actors.append({"id": "x5", **span("Moscow"), "label": "STATE"})
    return record(
        schema,
        actors,
        [{"id": "y1", **span(CLAIM), "speaker": "x4", "target": "gaza_ceasefire", "stance": "neutral"}],
        russia_mediation="favor",
    )


# --- the consensus, pure ---------------------------------------------------------------------


def test_full_agreement_is_accepted_as_it_is(schema):
    one = annotator_one(schema)
    two = json.loads(json.dumps(one))
    for i, actor in enumerate(two["actors"]):  # other region ids, the same spans
        actor["id"] = f"other{i}"
    two["claims"][0].update(id="z", speaker="other3")
    consensus = build_consensus({"ann1": one, "ann2": two}, schema)
    assert consensus.disputes == [] and consensus.score == 1.0
    assert consensus.stats == {
        "actors": {"accepted": 4, "disputed": 0},
        "claims": {"accepted": 1, "disputed": 0},
        "speakers": {"accepted": 1, "disputed": 0},
        "targets": {"accepted": 1, "disputed": 0},
        "stances": {"accepted": 1, "disputed": 0},
        "doc_stances": {"accepted": 6, "disputed": 0},
    }
    got = consensus.record()
    assert [(a["start"], a["end"], a["label"]) for a in got["actors"]] == [
        (a["start"], a["end"], a["label"]) for a in one["actors"]
    ]
    [claim] = got["claims"]
    speaker = next(a for a in got["actors"] if a["id"] == claim["speaker"])
    assert (speaker["text"], claim["target"], claim["stance"]) == ("Lavrov", "gaza_ceasefire", "favor")
    assert got["doc_stances"] == one["doc_stances"]
    results = consensus.results(schema)
    assert all(item.get("score") == 1.0 and "meta" not in item for item in results if item["type"] == "labels")


def test_disagreements_are_left_open_and_listed(schema):
    consensus = build_consensus({"ann1": annotator_one(schema), "ann2": annotator_two(schema)}, schema)
    assert consensus.stats == {
        "actors": {"accepted": 2, "disputed": 3},
        "claims": {"accepted": 1, "disputed": 0},
        "speakers": {"accepted": 1, "disputed": 0},
        "targets": {"accepted": 1, "disputed": 0},
        "stances": {"accepted": 0, "disputed": 1},
        "doc_stances": {"accepted": 5, "disputed": 1},
    }
    actors = {(a["text"], a["label"]): a for a in consensus.actors}
    assert {k for k, a in actors.items() if a["accepted"]} == {("Sergey Lavrov", "PERSON"), ("Lavrov", "PERSON")}
    un = actors["UN", "ORGANIZATION"]
    assert (un["marked_by"], un["score"]) == (["ann1"], 0.5)
    assert un["note"] == "disputed: ORGANIZATION 'UN' marked by ann1; ann2: PERSON 'UN envoy'"
    assert actors["Moscow", "STATE"]["note"] == "disputed: STATE 'Moscow' marked by ann1; ann2: nothing here"
    [claim] = consensus.claims
    assert claim["accepted"] and claim["stance"] is None and claim["target"] == "gaza_ceasefire"
    assert claim["note"] == "stance disputed: ann1 favor, ann2 neutral" and claim["score"] == 0.5
    assert "russia_mediation" not in consensus.doc_stances and len(consensus.doc_stances) == 5
    lines = [dispute_line(d) for d in consensus.disputes]
    assert lines == [
        "actor 'UN' [39, 41): ann1 ORGANIZATION, ann2 -",
        "actor 'UN envoy' [39, 47): ann1 -, ann2 PERSON",
        "actor 'Moscow' [51, 57): ann1 STATE, ann2 -",
        "claim stance of 'a ceasefire in Gaza is needed…': ann1 favor, ann2 neutral",
        "document stance russia_mediation: ann1 none, ann2 favor",
    ]
    assert json.loads(json.dumps(consensus.as_dict()))["stats"] == consensus.stats  # JSON-ready
    assert consensus.score == pytest.approx(10 / 15)


def test_claim_spans_speakers_and_targets_in_dispute(schema):
    one, two = annotator_one(schema), annotator_two(schema)
    one["claims"].append(
        {"id": "c2", **span("Hamas did not comment"), "speaker": None, "target": "hamas", "stance": "none"}
    )
    two["claims"][0].update(speaker="x1", target="other")  # another speaker (Sergey Lavrov), another target
    two["claims"].append(
        {"id": "y2", **span("Hamas did not comment."), "speaker": None, "target": "hamas", "stance": "none"}
    )
    consensus = build_consensus({"ann1": one, "ann2": two}, schema)
    stats = consensus.stats
    assert stats["claims"] == {"accepted": 1, "disputed": 2}  # the Hamas claim in two lengths
    assert stats["speakers"] == stats["targets"] == stats["stances"] == {"accepted": 0, "disputed": 1}
    first, *hamas = consensus.claims
    assert (first["speaker"], first["target"], first["stance"]) == (None, None, None)
    assert first["note"] == (
        "speaker disputed: ann1 PERSON 'Lavrov', ann2 PERSON 'Sergey Lavrov'; "
        "target disputed: ann1 gaza_ceasefire, ann2 other; stance disputed: ann1 favor, ann2 neutral"
    )
    assert first["score"] == 0.5
    # each alternative keeps the fields its marker gave (its speaker: none given)
    assert [(c["text"], c["marked_by"], c["target"], c["stance"], c["accepted"]) for c in hamas] == [
        ("Hamas did not comment", ["ann1"], "hamas", "none", False),
        ("Hamas did not comment.", ["ann2"], "hamas", "none", False),
    ]
    assert hamas[0]["note"].startswith(
        "disputed: CLAIM 'Hamas did not comment' marked by ann1; ann2: CLAIM 'Hamas did not comment.'"
    )
    kinds = [d["kind"] for d in consensus.disputes]
    assert kinds.count("claim") == 2 and {"speaker", "target", "stance"} <= set(kinds)
    assert set(KINDS) == set(stats)


def test_three_annotators_two_of_three_is_disputed(schema):
    one, two = annotator_one(schema), annotator_two(schema, moscow=True)
    three = json.loads(json.dumps(one))
    consensus = build_consensus({"ann1": one, "ann2": two, "ann3": three}, schema)
    moscow = next(a for a in consensus.actors if a["text"] == "Moscow")
    assert moscow["accepted"] and moscow["score"] == 1.0
    un = next(a for a in consensus.actors if a["text"] == "UN")
    assert not un["accepted"] and un["marked_by"] == ["ann1", "ann3"] and un["score"] == pytest.approx(2 / 3)
    [claim] = consensus.claims
    assert claim["stance"] is None and claim["score"] == pytest.approx(2 / 3)  # ann1 and ann3 agree on all of it
    doc = next(d for d in consensus.disputes if d["kind"] == "doc_stance")
    assert doc["values"] == {"ann1": "none", "ann2": "favor", "ann3": "none"}


def test_unanswered_everywhere_stays_open(schema):
    one, two = annotator_one(schema), annotator_one(schema)
    del one["doc_stances"]["hamas"], two["doc_stances"]["hamas"]
    one["claims"][0]["stance"] = two["claims"][0]["stance"] = None
    consensus = build_consensus({"ann1": one, "ann2": two}, schema)
    assert "hamas" not in consensus.doc_stances and consensus.stats["doc_stances"]["disputed"] == 1
    assert consensus.claims[0]["stance"] is None and consensus.stats["stances"]["disputed"] == 1


def test_the_consensus_is_a_valid_prediction(schema):
    from label_studio_sdk.label_interface import LabelInterface

    consensus = build_consensus({"ann1": annotator_one(schema), "ann2": annotator_two(schema)}, schema)
    results = consensus.results(schema)
    assert not LabelInterface(labeling_config(schema)).validate_prediction({"result": results}, return_errors=True)
    notes = {item["id"]: item["meta"]["text"] for item in results if "meta" in item}
    assert len(notes) == 4  # three disputed actors and the claim with a disputed stance
    # what the importer reads back from it: every region, the agreed fields
    out = Imported()
    back = check_record({**consensus.record(), "text": TEXT}, schema, "consensus", out)
    assert out.problems == [] and len(back["actors"]) == 5 and back["claims"][0]["stance"] is None
    assert [i for i in record_to_results(consensus.record(), schema) if i["type"] == "relation"] == [
        i for i in results if i["type"] == "relation"
    ]


def test_build_consensus_needs_two_records_of_one_document(schema):
    with pytest.raises(ValueError, match="two or more"):
        build_consensus({"ann1": annotator_one(schema)}, schema)
    other = annotator_two(schema)
    other["doc_id"] = "d2"
    with pytest.raises(ValueError, match="different documents"):
        build_consensus({"ann1": annotator_one(schema), "ann2": other}, schema)


# --- live: the server, the CLI and the reviewer in a browser -------------------------------------


def _cli(studio, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--url", studio.url, "--token", studio.token])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def page():
    with open_page() as page:
        yield page


def test_review_in_label_studio(studio, page, tmp_path, schema):
    from toolkit.dataset import load_dataset_dir
    from toolkit.studio import connect, find_project

    title = "review with consensus"
    common = ["--title", title, "--schema", str(SCHEMA_FILE)]
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "d1.txt").write_text(TEXT, encoding="utf-8")
    for name, rec in (("ann1", annotator_one(schema)), ("ann2", annotator_two(schema))):
        (tmp_path / f"{name}.json").write_text(json.dumps(rec), encoding="utf-8")
    _cli(studio, "studio", "setup", *common)
    _cli(studio, "studio", "push", str(sources), *common)
    for name in ("ann1", "ann2"):
        _cli(studio, "studio", "annotate", str(tmp_path / f"{name}.json"), "--as", f"{name}@example.com", *common)
    client = connect(studio.url, studio.token)
    project_id = find_project(client, title)
    [task] = client.tasks.list(project=project_id).items

    def consensus_predictions():
        return [p for p in client.predictions.list(task=task.id) if p.model_version == "consensus"]

    # 1. dry run: the disputes are printed, nothing is written
    out = _cli(studio, "studio", "review", "--dry-run", *common)
    assert (
        "1 would post" in out
        and "document stance russia_mediation: ann1@example.com none, ann2@example.com favor" in out
    )
    assert consensus_predictions() == []
    # 2. the consensus is posted once; a re-run leaves it; a changed annotation updates it in place
    report = tmp_path / "review.json"
    out = _cli(studio, "studio", "review", "--json", str(report), *common)
    assert "1 posted" in out and re.search(r"^actors +2 +3$", out, re.MULTILINE)
    assert json.loads(report.read_text())["stats"]["stances"] == {"accepted": 0, "disputed": 1}
    [first] = consensus_predictions()
    assert "1 unchanged" in _cli(studio, "studio", "review", *common)
    assert [p.id for p in consensus_predictions()] == [first.id]
    (tmp_path / "ann2.json").write_text(json.dumps(annotator_two(schema, moscow=True)), encoding="utf-8")
    _cli(studio, "studio", "annotate", str(tmp_path / "ann2.json"), "--as", "ann2@example.com", "--replace", *common)
    out = _cli(studio, "studio", "review", *common)
    assert "1 updated" in out and re.search(r"^actors +3 +2$", out, re.MULTILINE)  # Moscow is agreed now
    [prediction] = consensus_predictions()
    assert prediction.id == first.id and prediction.score == pytest.approx(11 / 15)
    notes = {r["value"]["text"]: r.get("meta", {}).get("text") for r in prediction.result if r["type"] == "labels"}
    assert notes["Moscow"] is None and notes["UN envoy"].startswith("disputed: PERSON 'UN envoy' marked by ann2")

    # 3. the reviewer, in the browser: sign up with the invite link, open the task, start from the consensus
    shots = ARTIFACTS / "ui-review"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    ui = UI(page, schema, shots)
    invite = client.organizations.invites.get_invite_link()
    page.goto(studio.url + invite.invite_url)
    page.fill("input[name=email]", "reviewer@example.com")
    page.fill("input[name=password]", "reviewer-password-1")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/user/signup" not in url and "/user/login" not in url)
    ui.open_task(f"{studio.url}/projects/{project_id}/data?task={task.id}", TEXT)
    tabs = page.locator(".lsf-annotation-button__name")
    tabs.filter(has_text="consensus").click()
    page.locator(".lsf-annotation-button_selected", has_text="consensus").wait_for()

    def select_envoy():  # "UN" of "UN envoy" is drawn inside the overlapping "UN" region
        ui.select("envoy")

    select_envoy()
    page.locator(".lsf-detailed-region__content", has_text="UN envoy").first.wait_for()
    page.locator(".lsf-detailed-region__meta-text", has_text="disputed: PERSON 'UN envoy'").wait_for()
    assert page.locator(".lsf-annotation-button_selected").inner_text().count("73.33%") == 1  # the prediction's score
    ui.shot("consensus-prediction")
    page.locator(".lsf-annotation-button_selected .lsf-annotation-button__trigger").click()
    page.get_by_text("Duplicate Annotation", exact=True).click()
    submit = page.get_by_test_id("bottombar-submit-button")
    submit.wait_for()
    # the disputed alternative "UN envoy" (a person) goes; "UN" (an organisation) stays
    select_envoy()
    page.get_by_role("button", name="Delete selected region").click()
    ui.doc_view().wait_for(timeout=WAIT)
    page.locator(".htx-highlight", has_text="envoy").wait_for(state="detached")
    # the claim: its note names the disputed stance; the reviewer chooses favor
    ui.select(CLAIM)
    page.locator(".lsf-detailed-region__meta-text", has_text="stance disputed: ann1@example.com favor").wait_for()
    ui.shot("claim-stance-disputed")
    ui.choose(1, "favor")
    ui.unselect(CLAIM)
    # the open document stance: russia_mediation (ann1 none, ann2 favor) -> neutral
    ui.doc_stance("russia_mediation", "neutral")
    ui.shot("resolved")
    with page.expect_response(lambda r: is_post(r, "/annotations")) as posted:
        submit.click()
    assert posted.value.status == 201
    review = posted.value.json()
    assert review["parent_prediction"] == prediction.id and review["ground_truth"] is False
    page.get_by_test_id("bottombar-update-button").wait_for()
    page.locator(".lsf-richtext__line").first.wait_for()
    ui.shot("submitted")

    # 4. the review waits for --accept; --accept flags it; then the task is done
    assert "1 reviewed (run --accept)" in _cli(studio, "studio", "review", *common)
    assert "would flag 1 review(s)" in _cli(studio, "studio", "review", "--accept", "--dry-run", *common)
    assert client.annotations.get(id=review["id"]).ground_truth is False
    out = _cli(studio, "studio", "review", "--accept", *common)
    assert f"flagged 1 review(s) as ground truth (task {task.id}: annotation {review['id']})" in out
    assert client.annotations.get(id=review["id"]).ground_truth is True
    assert "1 task(s) already had ground truth" in _cli(studio, "studio", "review", "--accept", *common)
    assert "skipped 1 with ground truth" in _cli(studio, "studio", "review", *common)

    # 5. pull and build: the reviewer's annotation is the gold
    export, dataset = tmp_path / "export.json", tmp_path / "dataset"
    _cli(studio, "studio", "pull", "-o", str(export), "--title", title)
    result = CliRunner().invoke(
        app, ["dataset", "build", str(export), "-o", str(dataset), "--schema", str(SCHEMA_FILE)]
    )
    assert result.exit_code == 0, result.output
    datasets, _ = load_dataset_dir(dataset)
    [row] = datasets["documents"]["test"]
    assert row["annotation_id"] == review["id"]
    types, stance_names, targets = list(schema.actor_types), list(schema.stance_labels), list(schema.targets)
    assert [(a["text"], types[a["label"]]) for a in row["actors"]] == [
        ("Sergey Lavrov", "PERSON"),
        ("UN", "ORGANIZATION"),
        ("Moscow", "STATE"),
        ("Lavrov", "PERSON"),
    ]
    [claim] = row["claims"]
    speaker = next(a["text"] for a in row["actors"] if a["id"] == claim["speaker"])
    assert (claim["text"], speaker, stance_names[claim["stance"]]) == (CLAIM, "Lavrov", "favor")
    assert {targets[d["target"]]: stance_names[d["stance"]] for d in row["doc_stances"]} == stances(
        schema, russia_mediation="neutral"
    )
