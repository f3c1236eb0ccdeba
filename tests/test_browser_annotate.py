"""Annotate with the mouse in the real Label Studio UI, pull, build, and compare field by field.

Headless Debian Chromium (Playwright, no browser download) drives Label Studio 1.23.2: text
is selected by dragging the mouse over character coordinates, labels, per-region choices,
relation labels and document stances are chosen by clicking. The export is pulled with
``toolkit studio pull``, the dataset built with ``toolkit dataset build``, and every field is
compared with what was done in the UI.

What the UI writes, and this test pins (the importer must read all of it):

- a region across a paragraph break has the right offsets, but its ``value.text`` holds each
  line break as a backslash and an ``n`` (``"mediate.\\n\\nA ceasefire"``);
- offsets count code points: a flag emoji (two code points) and ``e`` + U+0301 count as
  written in the task text;
- per-region choices repeat the region's id, start, end and (escaped) text;
- a relation made claim-then-actor and one made actor-then-claim point either way; a relation
  whose label was not chosen has no ``labels`` key at all;
- a label chosen while a region is selected adds a second ``labels`` result with the same id
  (a region with labels from two groups): the generated config hides the label buttons while a
  region is selected, so no click can do it, but Label Studio 1.23.2 still honours the label's
  hotkey;
- before the document stance was required, an annotation could leave targets unanswered;
  with the generated config Label Studio refuses to submit (its dialog shows our
  ``requiredMessage``), even while a region is selected and the stance view is hidden;
- a skip is an annotation with ``was_cancelled`` and no result; a draft sits in the task's
  ``drafts``, not in ``annotations``.

The raw export is kept as ``tests/data/ui_export_mouse.json`` (refresh it with
``UPDATE_UI_FIXTURE=1``); :func:`test_ui_export_fixture_imports_losslessly` checks the same
things on it without a browser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from browser import UI, WAIT, is_post, login, open_page, span_of
from conftest import ROOT
from toolkit.cli import app
from toolkit.dataset import load_dataset_dir
from toolkit.gold import import_exports
from toolkit.schema import labeling_config, load_schema
from toolkit.tasks import Document, to_task

SCHEMA_FILE = ROOT / "schemas" / "schema.yaml"
FIXTURE = ROOT / "tests" / "data" / "ui_export_mouse.json"
ARTIFACTS = ROOT / "test-artifacts"
TITLE = "mouse annotation"

# Two paragraphs; "René" is written as e + U+0301 (combining acute); a flag emoji; the first
# claim is a quote that runs across the paragraph break.
TEXT = (
    "Foreign Minister Sergey Lavrov met Rene\u0301 Dupont of the UN \U0001f1fa\U0001f1f3 in Moscow. "
    "Lavrov said: \u201cRussia stands ready to mediate.\n\n"
    "A ceasefire in Gaza is needed now.\u201d Dupont called for aid to reach Gaza.\n"
)
SKIP_TEXT = "Hamas did not comment on the talks.\n"
DRAFT_TEXT = "Moscow said aid must reach Gaza.\n"
LEGACY_TEXT = "Hamas said the talks in Doha were useful.\n"
DOCS = {"ui-main": TEXT, "ui-skip": SKIP_TEXT, "ui-draft": DRAFT_TEXT, "ui-legacy": LEGACY_TEXT}

LAVROV, DUPONT = "Sergey Lavrov", "Rene\u0301 Dupont"
QUOTE = "Russia stands ready to mediate.\n\nA ceasefire in Gaza is needed now."
AID = "aid to reach Gaza"
ACTORS = [(LAVROV, "PERSON"), (DUPONT, "PERSON"), ("UN \U0001f1fa\U0001f1f3", "ORGANIZATION"), ("Moscow", "STATE")]
# claim text -> (speaker text, target, stance as submitted, stance after the update)
CLAIMS = {QUOTE: (LAVROV, "gaza_ceasefire", "favor", "favor"), AID: (DUPONT, "humanitarian_access", "favor", "neutral")}
DOC_STANCES = {
    "gaza_ceasefire": "favor",
    "humanitarian_access": "favor",
    "israel_military_operation": "none",
    "hamas": "none",
    "palestinian_state": "none",
    "russia_mediation": "favor",
}
UPDATED_DOC_STANCES = {**DOC_STANCES, "russia_mediation": "neutral"}
LEGACY_STANCES = {"gaza_ceasefire": "against"}  # the other targets left unanswered


@pytest.fixture(scope="module")
def page():
    with open_page() as page:
        yield page


def test_mouse_annotation_round_trip(studio, page, tmp_path):
    from toolkit.studio import connect, ensure_project, project_tasks, push_tasks

    schema = load_schema(SCHEMA_FILE)
    config = labeling_config(schema)
    # The config as it was before the document stance became required: the legacy annotation
    # below (unanswered targets) was possible then.
    before = re.sub(r' required="true" requiredMessage="[^"]*"', "", config)
    assert before != config and 'required="true"' not in before

    client = connect(studio.url, studio.token)
    project_id, action = ensure_project(client, TITLE, before)
    assert action == "created"
    push_tasks(client, project_id, [to_task(Document(doc_id, text)) for doc_id, text in DOCS.items()])
    task_ids = {t.data["doc_id"]: t.id for t in project_tasks(client, project_id)}
    quick = f"{studio.url}/projects/{project_id}/data?task="
    shots = ARTIFACTS / "ui-annotate"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    ui = UI(page, schema, shots)
    login(page, studio)

    # 1. A legacy annotation under the old config: a region with labels from two groups (GROUP,
    #    then CLAIM by its hotkey while it is selected: its button is hidden then) and one
    #    document stance of six.
    ui.open_task(quick + str(task_ids["ui-legacy"]), LEGACY_TEXT)
    ui.region("GROUP", "Hamas")
    ui.select("Hamas")
    assert not ui.label("CLAIM").is_visible()
    page.keyboard.press(ui.label("CLAIM").locator(".lsf-label__hotkey").text_content())
    page.locator(".lsf-detailed-region", has_text="GROUP, CLAIM").first.wait_for(timeout=WAIT)
    ui.unselect("Hamas")
    ui.doc_stance("gaza_ceasefire", "against")
    ui.shot("legacy-two-groups")
    with page.expect_response(lambda r: is_post(r, "/annotations")) as posted:
        page.get_by_test_id("bottombar-submit-button").click()
    assert posted.value.status == 201

    # 2. The generated config: document stances required.
    assert ensure_project(client, TITLE, config) == (project_id, "updated")

    # 3. The main document: spans (one across the paragraph break), per-region choices,
    #    relations both ways, document stances.
    ui.open_task(quick + str(task_ids["ui-main"]), TEXT)
    for part, label in ACTORS:
        ui.region(label, part, hotkey=label == "STATE")  # one label chosen by its hotkey
    for part in CLAIMS:
        ui.region("CLAIM", part)
    ui.shot("regions")
    for part, (_, target, stance, _) in CLAIMS.items():
        ui.claim_fields(part, target, stance)
    ui.relate(QUOTE, LAVROV)  # claim -> actor, labelled below
    ui.relate(DUPONT, AID)  # actor -> claim, no label chosen
    ui.label_relation(schema.claim_label, schema.speaker_relation)
    ui.shot("relations")
    for target, stance in list(DOC_STANCES.items())[:-1]:
        ui.doc_stance(target, stance)

    # Submitting with the last target unanswered, while a region is selected (the stance view
    # hidden), is refused with the config's message; nothing is sent.
    last_target, last_stance = list(DOC_STANCES.items())[-1]
    posts = []

    def record_post(request):
        if request.method == "POST" and "/annotations" in request.url:
            posts.append(request.url)

    page.on("request", record_post)
    ui.select(AID)
    page.get_by_test_id("bottombar-submit-button").click()
    warning = page.get_by_text(f"Choose a document stance for {last_target} ")
    warning.wait_for(timeout=WAIT)
    ok = page.locator(".ant-modal-confirm").get_by_role("button", name="OK")
    ok.click(trial=True)  # waits until the dialog's zoom-in animation has settled
    ui.shot("required-refused")
    assert posts == []
    page.remove_listener("request", record_post)
    ok.click()
    warning.wait_for(state="hidden", timeout=WAIT)
    ui.doc_view().wait_for(timeout=WAIT)  # the submit attempt unselected the region
    ui.doc_stance(last_target, last_stance)
    with page.expect_response(lambda r: is_post(r, "/annotations")) as posted:
        page.get_by_test_id("bottombar-submit-button").click()
    assert posted.value.status == 201
    annotation_id = posted.value.json()["id"]

    # 4. Edit and update: one claim stance and one document stance.
    update = page.get_by_test_id("bottombar-update-button")
    update.wait_for(timeout=WAIT)
    ui.select(AID)
    ui.choose(1, CLAIMS[AID][3])
    ui.unselect(AID)
    ui.doc_stance("russia_mediation", UPDATED_DOC_STANCES["russia_mediation"])
    ui.shot("edited")
    with page.expect_response(
        lambda r: r.request.method == "PATCH" and f"/annotations/{annotation_id}" in r.url
    ) as patched:
        update.click()
    assert patched.value.status == 200
    ui.open_task(quick + str(task_ids["ui-main"]), TEXT)  # reloaded from the server: the update is there
    ui.checked(2 + list(schema.targets).index("russia_mediation"), UPDATED_DOC_STANCES["russia_mediation"])
    ui.shot("updated")

    # 5. The labeling stream: skip the next task, leave a draft on the one after.
    ui.open_task(f"{studio.url}/projects/{project_id}/data?labeling=1", SKIP_TEXT)
    with page.expect_response(lambda r: is_post(r, "/annotations")) as posted:
        page.get_by_test_id("bottombar-skip-button").click()
    assert posted.value.status == 201 and posted.value.json()["was_cancelled"] is True
    page.locator(".lsf-richtext__line", has_text=DRAFT_TEXT.strip()).wait_for(timeout=WAIT)
    ui.text = DRAFT_TEXT
    with page.expect_response(lambda r: is_post(r, f"/tasks/{task_ids['ui-draft']}/drafts"), timeout=60_000) as drafted:
        ui.region("STATE", "Moscow")
    assert drafted.value.status == 201
    ui.shot("draft")

    # 6. Pull with the CLI, keep the raw export, build and compare.
    export = tmp_path / "export.json"
    runner = CliRunner()
    pulled = runner.invoke(
        app, ["studio", "pull", "-o", str(export), "--title", TITLE, "--url", studio.url, "--token", studio.token]
    )
    assert pulled.exit_code == 0, pulled.output
    shutil.copyfile(export, ARTIFACTS / "ui_export_mouse.json")
    if os.environ.get("UPDATE_UI_FIXTURE"):
        FIXTURE.parent.mkdir(exist_ok=True)
        shutil.copyfile(export, FIXTURE)
    check_export(export, tmp_path / "dataset")


def test_ui_export_fixture_imports_losslessly(tmp_path):
    """The committed export of the browser test imports as the UI left it (no browser needed)."""
    check_export(FIXTURE, tmp_path / "dataset")


# --- the comparison -------------------------------------------------------------------------


def check_export(export: Path, out: Path) -> None:
    schema = load_schema(SCHEMA_FILE)
    tasks = {t["data"]["doc_id"]: t for t in json.loads(export.read_text(encoding="utf-8"))}
    assert set(tasks) == set(DOCS)
    for doc_id, text in DOCS.items():
        assert tasks[doc_id]["data"]["text"] == text
    _check_raw_shapes(tasks)

    result = CliRunner().invoke(app, ["dataset", "build", str(export), "-o", str(out), "--schema", str(SCHEMA_FILE)])
    assert result.exit_code == 0, result.output
    imported = import_exports([export], schema)
    counts = imported.counts
    assert counts["tasks"] == 4
    assert counts["annotations_cancelled"] == 1  # the skip
    assert counts["drafts_not_imported"] == 1  # the draft
    assert counts["tasks_without_annotation"] == 2  # ui-skip and ui-draft: no record
    assert counts.get("regions_skipped", 0) == 0
    assert counts["regions_two_labels"] == 1
    assert counts["doc_stances_unanswered"] == len(schema.targets) - len(LEGACY_STANCES)
    problems = [str(p) for p in imported.problems]
    main_task = tasks["ui-main"]["id"]
    assert not [p for p in problems if f"task {main_task}" in p], problems  # the main document is clean
    legacy_task = tasks["ui-legacy"]["id"]
    assert any(f"task {legacy_task}" in p and "two groups" in p for p in problems), problems
    unanswered = [p for p in problems if f"task {legacy_task}" in p and "unanswered" in p]
    assert len(unanswered) == 1 and all(t in unanswered[0] for t in schema.targets if t not in LEGACY_STANCES)

    datasets, stored = load_dataset_dir(out)
    assert stored is not None and stored.fingerprint == schema.fingerprint
    documents = {row["doc_id"]: row for row in datasets["documents"]["test"]}
    assert set(documents) == {"ui-main", "ui-legacy"}  # skipped and draft tasks are not annotations
    _check_main(documents["ui-main"], tasks["ui-main"], schema)
    _check_legacy(documents["ui-legacy"], schema)
    claims = [row for row in datasets["claims"]["test"] if row["doc_id"] == "ui-main"]
    assert sorted(
        (
            c["claim_text"],
            c["speaker_text"],
            schema.claim_targets[c["target"]],
            list(schema.stance_labels)[c["stance"]],
            c["start"],
            c["end"],
        )
        for c in claims
    ) == sorted(
        (part, speaker, target, stance, *span_of(TEXT, part)) for part, (speaker, target, _, stance) in CLAIMS.items()
    )
    assert [list(schema.actor_types)[c["speaker_type"]] for c in claims] == ["PERSON", "PERSON"]


def _check_raw_shapes(tasks: dict) -> None:
    """What the Label Studio UI wrote (see the module docstring)."""
    (main,) = tasks["ui-main"]["annotations"]
    assert not main["was_cancelled"] and tasks["ui-main"]["drafts"] == []
    result = main["result"]
    by_text = {}
    for item in result:
        if item["type"] == "labels":
            by_text[item["value"]["start"], item["value"]["end"]] = item
    quote = by_text[span_of(TEXT, QUOTE)]
    assert quote["value"]["text"] == QUOTE.replace("\n", "\\n")  # Label Studio's escaped line breaks
    assert by_text[span_of(TEXT, DUPONT)]["value"]["text"] == DUPONT  # the combining mark kept as written
    relations = [item for item in result if item["type"] == "relation"]
    ids = {part: by_text[span_of(TEXT, part)]["id"] for part in (LAVROV, DUPONT, QUOTE, AID)}
    assert {(r["from_id"], r["to_id"], tuple(r.get("labels") or ())) for r in relations} == {
        (ids[QUOTE], ids[LAVROV], ("speaker",)),
        (ids[DUPONT], ids[AID], ()),
    }
    per_region = [item for item in result if item["type"] == "choices" and "start" in item["value"]]
    assert {item["id"] for item in per_region} == {ids[QUOTE], ids[AID]} and len(per_region) == 4

    (skip,) = tasks["ui-skip"]["annotations"]
    assert skip["was_cancelled"] is True and skip["result"] == []
    assert tasks["ui-draft"]["annotations"] == []
    (draft,) = tasks["ui-draft"]["drafts"]
    assert [
        (r["from_name"], r["value"]["labels"], r["value"]["start"], r["value"]["end"]) for r in draft["result"]
    ] == [("actor", ["STATE"], 0, 6)]

    (legacy,) = tasks["ui-legacy"]["annotations"]
    spans = [item for item in legacy["result"] if item["type"] == "labels"]
    assert sorted((s["from_name"], s["value"]["labels"][0]) for s in spans) == [("actor", "GROUP"), ("claim", "CLAIM")]
    assert len({s["id"] for s in spans}) == 1  # one region, labels from two groups
    stances = [item for item in legacy["result"] if item["from_name"].startswith("doc_stance__")]
    assert len(stances) == len(LEGACY_STANCES)


def _check_main(row: dict, task: dict, schema) -> None:
    stance_names = list(schema.stance_labels)
    assert row["text"] == TEXT
    assert row["task_id"] == task["id"] and row["annotation_id"] == task["annotations"][0]["id"]
    actors = [(a["text"], a["start"], a["end"], list(schema.actor_types)[a["label"]]) for a in row["actors"]]
    assert actors == [(part, *span_of(TEXT, part), label) for part, label in ACTORS]
    actor_text = {a["id"]: a["text"] for a in row["actors"]}
    claims = [
        (
            c["text"],
            c["start"],
            c["end"],
            actor_text.get(c["speaker"]),
            schema.claim_targets[c["target"]],
            stance_names[c["stance"]],
        )
        for c in row["claims"]
    ]
    assert claims == [
        (part, *span_of(TEXT, part), speaker, target, stance) for part, (speaker, target, _, stance) in CLAIMS.items()
    ]
    assert {
        list(schema.targets)[d["target"]]: stance_names[d["stance"]] for d in row["doc_stances"]
    } == UPDATED_DOC_STANCES


def _check_legacy(row: dict, schema) -> None:
    stance_names = list(schema.stance_labels)
    hamas = span_of(LEGACY_TEXT, "Hamas")
    assert [(a["text"], a["start"], a["end"], list(schema.actor_types)[a["label"]]) for a in row["actors"]] == [
        ("Hamas", *hamas, "GROUP")
    ]
    (claim,) = row["claims"]  # the same region, kept as a claim too, its fields unanswered
    assert (claim["text"], claim["start"], claim["end"], claim["speaker"]) == ("Hamas", *hamas, None)
    assert claim["target"] in (None, -1) and claim["stance"] in (None, -1)
    assert {list(schema.targets)[d["target"]]: stance_names[d["stance"]] for d in row["doc_stances"]} == LEGACY_STANCES
