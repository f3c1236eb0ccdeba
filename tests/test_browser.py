"""Real-browser tests: headless Debian Chromium driven by Playwright (no browser download)."""

import json

import pytest
from typer.testing import CliRunner

from browser import chromium, login
from conftest import ROOT, SEEDS
from toolkit.cli import app
from toolkit.extractors import get_extractor
from toolkit.report import KIND_KEYS
from toolkit.schema import labeling_config
from toolkit.studio import connect, ensure_project, project_tasks, push_predictions, push_tasks
from toolkit.tasks import build_tasks

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def test_label_studio_renders_our_labels_and_a_pre_annotation(studio, browser, schema):
    client = connect(studio.url, studio.token)
    config = labeling_config(schema)
    project_id, _ = ensure_project(client, "browser check", config)
    push_tasks(client, project_id, build_tasks(SEEDS))
    assert push_predictions(client, project_id, get_extractor("rules"), schema, config) == 5
    task = project_tasks(client, project_id)[0]
    assert task.data["doc_id"]

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    login(page, studio)
    page.goto(f"{studio.url}/projects/{project_id}/data?task={task.id}")
    page.get_by_text("rules 1.1").first.wait_for(timeout=60_000)  # the prediction's model version
    for label in [*schema.actor_types, schema.claim_label]:  # the label buttons of our config
        page.get_by_text(label, exact=True).filter(visible=True).first.wait_for(timeout=30_000)
    page.locator(".htx-highlight").first.wait_for(timeout=30_000)
    assert page.locator(".htx-highlight").count() > 0  # the predicted regions are drawn in the text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "label-studio-task.png"))
    assert (ARTIFACTS / "label-studio-task.png").stat().st_size > 10_000
    page.close()


def _tweaked_gold(path):
    """The gold as a predictions file, with a few errors: a second system to compare with."""
    from toolkit.gold import import_exports
    from toolkit.schema import load_schema

    records = import_exports([ROOT / "gold" / "export.json"], load_schema()).records
    out = []
    for i, record in enumerate(records):
        r = json.loads(json.dumps({k: record[k] for k in ("doc_id", "actors", "claims", "doc_stances")}))
        if i % 2 == 0:
            r["actors"][0]["label"] = "GROUP" if r["actors"][0]["label"] != "GROUP" else "STATE"
            r["claims"][0]["stance"] = "against" if r["claims"][0]["stance"] != "against" else "favor"
            r["claims"].pop()
            target = next(iter(r["doc_stances"]))
            r["doc_stances"][target] = "against" if r["doc_stances"][target] != "against" else "favor"
        out.append(json.dumps(r, ensure_ascii=False))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_html_report_filters_counts_and_links_errors_to_documents(browser, tmp_path):
    from test_report import expected_counts

    out, scores = tmp_path / "report.html", tmp_path / "scores.json"
    other = _tweaked_gold(tmp_path / "tweaked.jsonl")
    result = CliRunner().invoke(
        app,
        [
            "report",
            "-e",
            "rules",
            "-p",
            str(other),
            "--compare",
            "rules",
            "tweaked.jsonl",
            "-o",
            str(out),
            "--json",
            str(scores),
            "--n-boot",
            "200",
        ],
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(scores.read_text(encoding="utf-8"))
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(out.as_uri())
    page.locator("#error-table tbody tr").first.wait_for()
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []  # nothing from the network

    images = page.locator("img.plot")
    assert images.count() >= 3
    widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(w > 100 for w in widths), widths
    assert page.get_by_text("Small sample: the gold has only 5 documents").is_visible()
    compare = page.locator("table.compare")
    assert compare.locator("tbody tr").count() == len(scores["comparisons"]) == 3
    assert "tweaked.jsonl" in compare.inner_text()

    def counts() -> dict[str, int]:
        return {
            el.get_attribute("data-kind-key"): int(el.inner_text().replace(",", ""))
            for el in page.locator("#kind-filter .count").all()
        }

    def rows():
        return page.locator("#error-table tbody tr")

    # the counts on the page are the counts in the JSON, per system
    for i, system in enumerate(["rules", "tweaked.jsonl"]):
        page.select_option("#system-filter", str(i))
        got, want = counts(), expected_counts(scores, system)
        assert got["actor-boundary"] + got["actor-type"] == want.pop("actor-boundary+type")
        assert {k: got[k] for k in want} == want, system
        assert set(rows().evaluate_all("rs => rs.map(r => r.cells[1].textContent)")) <= {system}
    assert counts()["doc-stance"] > 0 and counts()["claim-stance"] > 0

    # kind filters change the visible rows; the count next to a kind is its number of rows
    page.select_option("#system-filter", "-1")
    total = sum(counts().values())
    assert f"{total:,} in all" in page.locator("#error-status").inner_text()
    page.click("#kinds-none")
    assert rows().count() == 0
    for kind in ("actor-missed", "claim-stance", "doc-stance"):
        page.click("#kinds-none")
        page.check(f"#kind-filter input[data-kind='{KIND_KEYS.index(kind)}']")
        shown = rows().evaluate_all("rs => rs.map(r => r.dataset.kind)")
        assert shown and set(shown) == {kind} and len(shown) == min(counts()[kind], 200), kind
    page.click("#kinds-all")
    assert rows().count() == min(total, 200)

    # document filter and sorting
    doc_id = page.locator("#error-table tbody tr td a").first.inner_text()
    page.fill("#doc-filter", doc_id)
    assert set(rows().evaluate_all("rs => rs.map(r => r.cells[0].textContent)")) == {doc_id}
    page.fill("#doc-filter", "")
    page.select_option("#sort-by", "kind")
    kinds = rows().evaluate_all("rs => rs.map(r => r.dataset.kind)")
    assert kinds == sorted(kinds, key=KIND_KEYS.index)

    # documents: ordered by number of errors, text only once opened
    summaries = page.locator("details.doc > summary").all_inner_texts()
    numbers = [int(s.split(" — ")[1].split(" error")[0].replace(",", "")) for s in summaries]
    assert numbers == sorted(numbers, reverse=True) and sum(numbers) == total
    assert page.locator("details.doc .text").count() == 0  # lazy: nothing rendered before a document is opened

    # an error row opens its document with the error highlighted and labelled in visible text
    page.click("#kinds-none")
    page.check(f"#kind-filter input[data-kind='{KIND_KEYS.index('claim-stance')}']")
    row = rows().first
    row.locator("td").nth(4).click()
    current = page.locator(".text .seg.current").first
    current.wait_for()
    assert current.is_visible() and "c-claim-stance" in current.get_attribute("class")
    assert "c-ok" not in current.get_attribute("class")  # a wrong stance is never shown as right
    label = page.locator(".text .tag.current").first
    assert label.is_visible() and label.inner_text().startswith("stance ")
    assert page.evaluate("location.hash").startswith("#e-")
    box = current.bounding_box()
    assert box and 0 <= box["y"] <= 900
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-error.png"))

    page.click("#kinds-none")
    page.check(f"#kind-filter input[data-kind='{KIND_KEYS.index('doc-stance')}']")
    rows().first.locator("a").click()
    stance = page.locator("ul.docstance li.current")
    assert stance.is_visible() and "document stance" in stance.inner_text()
    assert errors == []
    page.click("#kinds-all")
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    page.close()
