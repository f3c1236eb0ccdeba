"""Real-browser tests: headless Debian Chromium driven by Playwright (no browser download)."""

import shutil

import pytest
from playwright.sync_api import sync_playwright
from typer.testing import CliRunner

from conftest import ROOT, SEEDS
from toolkit.cli import app
from toolkit.export import build_tasks
from toolkit.extractors import get_extractor
from toolkit.schema import labeling_config
from toolkit.studio import connect, ensure_project, project_tasks, push_predictions, push_tasks

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-gpu", "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def test_label_studio_renders_our_labels_and_a_pre_annotation(studio, browser, schema):
    client = connect(studio.url, studio.token)
    config = labeling_config(schema)
    project_id, _ = ensure_project(client, "browser check", config)
    push_tasks(client, project_id, build_tasks(SEEDS))
    assert push_predictions(client, project_id, get_extractor("rules"), schema, config) == 5
    task = project_tasks(client, project_id)[0]
    assert task.data["doc_id"]

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{studio.url}/user/login/")
    page.fill("input[name=email]", studio.username)
    page.fill("input[name=password]", studio.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/user/login" not in url)
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


def test_html_report_shows_plots_and_highlighted_errors(browser, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "-e", "rules", "-o", str(out), "--n-boot", "200"])
    assert result.exit_code == 0, result.output
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(out.as_uri())
    images = page.locator("img.plot")
    assert images.count() >= 3
    widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(w > 100 for w in widths), widths
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    for cls in ("correct", "missed", "spurious"):
        assert page.locator(f".doc mark.{cls}").count() > 0, cls
    assert page.locator(".doc mark").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    page.close()
