"""The generated labeling config as annotators see it, in the real Label Studio UI.

Headless Debian Chromium (Playwright) on Label Studio 1.23.2, with the mouse and the keyboard:

- every label button has its own colour (computed style, as configured), readable white text
  when selected, and shows its hotkey; every choice shows its hotkey;
- a label's hotkey, then a drag over the text, draws a region of that label (Label Studio
  1.23.2 draws nothing when the text is selected first and the hotkey pressed after);
- the claim → speaker instruction is on screen;
- while a region is selected the label buttons are hidden (no click can give it a label of the
  other group) and a note on the region takes their place, without moving the text; per-region
  choices and document stances answer to their hotkeys.

Screenshots go to ``test-artifacts/config-ui/``.
"""

from __future__ import annotations

import math
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from test_browser_annotate import AID, DUPONT, QUOTE, TEXT
from test_schema import _contrast

from browser import UI, WAIT, login, open_page
from conftest import ROOT
from toolkit.schema import labeling_config, load_schema
from toolkit.tasks import Document, to_task

SCHEMA_FILE = ROOT / "schemas" / "schema.yaml"
SHOTS = ROOT / "test-artifacts" / "config-ui"


@pytest.fixture(scope="module")
def page():
    with open_page() as page:
        yield page


def _rgb(colour: str) -> str:
    """``#RRGGBB`` as the browser's computed style writes it."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _hex(rgb: str) -> str:
    r, g, b = (int(v) for v in re.findall(r"\d+", rgb)[:3])
    return f"#{r:02X}{g:02X}{b:02X}"


def _press(key: str) -> str:
    """A config hotkey (``shift+q``) as Playwright names it (``Shift+q``)."""
    return "+".join(part.capitalize() if part in ("shift", "alt") else part for part in key.split("+"))


def test_generated_config_in_the_ui(studio, page):
    from playwright.sync_api import expect

    from toolkit.studio import connect, ensure_project, project_tasks, push_tasks

    schema = load_schema(SCHEMA_FILE)
    config = labeling_config(schema)
    root = ET.fromstring(config.split("-->", 1)[1])
    labels = {lab.get("value"): lab for lab in root.iter("Label")}
    choices = {group.get("name"): {c.get("value"): c.get("hotkey") for c in group} for group in root.iter("Choices")}
    relation_note = next(h.get("value") for h in root.iter("Header") if h.get("value").startswith("Claim → "))

    client = connect(studio.url, studio.token)
    project_id, _ = ensure_project(client, "config in the ui", config)
    push_tasks(client, project_id, [to_task(Document("config-ui", TEXT))])
    task_id = project_tasks(client, project_id)[0].id
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    ui = UI(page, schema, SHOTS)
    login(page, studio)
    ui.open_task(f"{studio.url}/projects/{project_id}/data?task={task_id}", TEXT)

    # Colours and hotkeys of the label buttons, as drawn.
    seen = {}
    for value, tag in labels.items():
        button = ui.label(value)
        assert button.is_visible(), value
        expect(button).to_have_css("border-left-color", _rgb(tag.get("background")))  # waits for the styles
        seen[value] = button.evaluate("e => getComputedStyle(e).borderLeftColor")
        assert button.locator(".lsf-label__hotkey").inner_text() == tag.get("hotkey"), value
    assert len(set(seen.values())) == len(labels), seen  # pairwise distinct
    ui.shot("labels")

    # The instruction for the speaker relation is on screen, next to the labels.
    assert page.get_by_text(relation_note, exact=True).is_visible()

    # Document stances: each radio button shows its hotkey.
    for name, keys in choices.items():
        if name.startswith("doc_stance__"):
            group = ui.choices(2 + list(schema.targets).index(name.removeprefix("doc_stance__")))
            for value, key in keys.items():
                assert group.locator(f"label:has(input[name='{value}'])").inner_text().endswith(f"[{key}]"), (
                    name,
                    value,
                )

    # A chosen label (its hotkey pressed) is drawn in its colour with readable text; pressed
    # again, it is unselected.
    page.keyboard.press(labels[schema.claim_label].get("hotkey"))
    selected = page.locator(".lsf-label_selected", has_text=schema.claim_label)
    background = _hex(selected.evaluate("e => getComputedStyle(e).backgroundColor"))
    text = _hex(selected.evaluate("e => getComputedStyle(e).color"))
    assert background == labels[schema.claim_label].get("background")
    assert _contrast(background, text) >= 4.5
    ui.shot("claim-chosen")
    page.keyboard.press(labels[schema.claim_label].get("hotkey"))
    selected.wait_for(state="detached", timeout=WAIT)

    # A label's hotkey, then a drag: a region of that label, for every label.
    parts = {
        "PERSON": DUPONT,
        "STATE": "Moscow",
        "ORGANIZATION": "UN \U0001f1fa\U0001f1f3",
        "GROUP": "Foreign Minister",
        schema.claim_label: QUOTE,
    }
    assert set(parts) == set(labels)
    for value, part in parts.items():
        ui.region(value, part, hotkey=True)
    ui.region(schema.claim_label, AID)
    ui.shot("regions")
    text_top = page.locator(".lsf-richtext__line").first.bounding_box()["y"]

    # A selected claim: no label buttons, a note instead, the text where it was; its target and
    # stance answer to their hotkeys and show them.
    ui.select(AID)
    page.get_by_text(f"{schema.claim_label} selected", exact=True).wait_for(timeout=WAIT)
    assert not any(ui.label(value).is_visible() for value in labels)
    assert math.isclose(page.locator(".lsf-richtext__line").first.bounding_box()["y"], text_top, abs_tol=1)
    assert page.get_by_text(relation_note, exact=True).is_visible()
    for index, name in enumerate(("claim_target", "claim_stance")):
        for value, key in choices[name].items():
            assert ui.choices(index).locator(f"label:has(input[name='{value}'])").inner_text().endswith(f"[{key}]")
    target, stance = "humanitarian_access", "neutral"
    page.keyboard.press(_press(choices["claim_target"][target]))
    ui.checked(0, target)
    page.keyboard.press(_press(choices["claim_stance"][stance]))
    ui.checked(1, stance)
    # The region's details name both groups "Choices:" (hard-coded in Label Studio 1.23.2, which
    # shows the values, not the control's name): the titles above the radio buttons name them.
    details = page.locator(".lsf-detailed-region .lsf-region-meta")
    details.filter(has_text=target).wait_for(timeout=WAIT)
    assert [" ".join(t.split()) for t in details.all_inner_texts()][:2] == [f"Choices: {target}", f"Choices: {stance}"]
    ui.shot("claim-selected")

    # Claim -> speaker as the instruction says: Alt+R, then a click on the speaker.
    page.keyboard.press("Alt+r")
    ui.shot("create-relation")
    ui.highlight(DUPONT).click()
    ui.relations_tab()
    page.locator(".lsf-relations__item").first.wait_for(timeout=WAIT)
    ui.shot("relation")

    # A selected actor: no label buttons either, so no click can make it a claim too.
    ui.select(DUPONT)
    page.get_by_text("Actor selected", exact=True).wait_for(timeout=WAIT)
    assert not any(ui.label(value).is_visible() for value in labels)
    assert math.isclose(page.locator(".lsf-richtext__line").first.bounding_box()["y"], text_top, abs_tol=1)
    ui.shot("actor-selected")
    ui.unselect(DUPONT)

    # A document stance by its shift+key.
    target, stance = list(schema.targets)[-1], "favor"
    page.keyboard.press(_press(choices[f"doc_stance__{target}"][stance]))
    ui.checked(2 + len(schema.targets) - 1, stance)
    ui.shot("doc-stance")
