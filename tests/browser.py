"""Headless Debian Chromium (Playwright, no browser download) on the real Label Studio UI: the
browser, a logged-in page, and :class:`UI`, mouse actions on a labeling page. Shared by the
browser tests (tests/test_browser*.py, tests/test_config_ui.py, tests/test_review.py).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
WAIT = 30_000  # ms, for anything the UI does after a click


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium (the system's ``chromium``, else ``/usr/bin/chromium``), closed on exit."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@contextmanager
def open_page() -> Iterator:
    """A 1400 x 1000 page in a new :func:`chromium`, waiting up to :data:`WAIT` by default."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(WAIT)
        yield page


def login(page, studio) -> None:
    """Log in to the Label Studio server ``studio`` (a :class:`toolkit.studio.LocalServer`) as its user."""
    page.goto(f"{studio.url}/user/login/")
    page.fill("input[name=email]", studio.username)
    page.fill("input[name=password]", studio.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/user/login" not in url)


def is_post(response, path: str) -> bool:
    """Whether the Playwright ``response`` answers a POST to a URL containing ``path``."""
    return response.request.method == "POST" and path in response.url


def span_of(text: str, part: str) -> tuple[int, int]:
    """The offsets ``[start, end)`` of the first ``part`` in ``text``."""
    start = text.index(part)
    return start, start + len(part)


# The client rect of the grapheme that starts at (or contains) UTF-16 unit `u` of line `line` of
# the <Text> object. Label Studio draws each line of the text as a span.lsf-richtext__line (the
# line breaks are <br>s) and wraps regions in span.htx-highlight, so a line may hold several
# text nodes.
_GRAPHEME_RECT = """([line, u]) => {
  const lines = document.querySelectorAll('.lsf-htx-richtext .lsf-richtext__line');
  const walker = document.createTreeWalker(lines[line], NodeFilter.SHOW_TEXT);
  let node, seen = 0;
  while ((node = walker.nextNode())) {
    if (u < seen + node.data.length) {
      const local = u - seen;
      const seg = [...new Intl.Segmenter().segment(node.data)]
        .find(s => s.index <= local && local < s.index + s.segment.length);
      const range = document.createRange();
      range.setStart(node, seg.index);
      range.setEnd(node, seg.index + seg.segment.length);
      const r = range.getBoundingClientRect();
      return {left: r.left, right: r.right, y: (r.top + r.bottom) / 2, text: seg.segment};
    }
    seen += node.data.length;
  }
  return null;
}"""


class UI:
    """Mouse actions on one Label Studio labeling page, for the task text ``text``."""

    def __init__(self, page, schema, shots: Path):
        self.page, self.schema, self.shots, self.text, self.n = page, schema, shots, "", 0

    def shot(self, name: str) -> None:
        self.n += 1
        self.page.screenshot(path=str(self.shots / f"{self.n:02d}-{name}.png"), animations="disabled")

    def open_task(self, url: str, text: str) -> None:
        self.text = text
        self.page.goto(url)
        first_line = text.split("\n", maxsplit=1)[0]
        self.page.locator(".lsf-richtext__line").first.wait_for(timeout=60_000)
        assert self.page.locator(".lsf-richtext__line").first.inner_text() == first_line

    def _rect(self, offset: int) -> dict:
        before = self.text[:offset]
        line = before.count("\n")
        column = before[before.rfind("\n") + 1 :]
        rect = self.page.evaluate(_GRAPHEME_RECT, [line, len(column.encode("utf-16-le")) // 2])
        assert rect, f"no character at offset {offset} on screen"
        return rect

    def drag(self, start: int, end: int) -> None:
        """Select text[start:end] by dragging from the first character's left edge to the last one's right edge."""
        first, last = self._rect(start), self._rect(end - 1)
        mouse = self.page.mouse
        mouse.move(first["left"] + 1, first["y"])
        mouse.down()
        mouse.move((first["left"] + last["right"]) / 2, (first["y"] + last["y"]) / 2, steps=4)
        mouse.move(last["right"] - 1, last["y"], steps=4)
        mouse.up()

    def label(self, name: str):
        return self.page.locator(".lsf-label", has_text=re.compile(f"^{re.escape(name)}\\d*$"))

    def region(self, label: str, part: str, hotkey: bool = False) -> None:
        """Click the label button (or press its hotkey), drag over ``part``; wait until the region
        is drawn at exactly its offsets.

        Label Studio marks a region's first highlight span with ``data-start`` and its last
        (the region's line, or its last line) with ``data-end`` and ``data-label`` (code points).
        """
        start, end = span_of(self.text, part)
        if hotkey:
            self.page.keyboard.press(self.label(label).locator(".lsf-label__hotkey").inner_text())
            self.page.locator(".lsf-label_selected", has_text=label).wait_for(timeout=WAIT)
        else:
            self.label(label).click()
        self.drag(start, end)
        self.page.locator(f'.htx-highlight[data-end="{end}"][data-label$=":{label}"]').wait_for(timeout=WAIT)
        self.page.locator(f'.htx-highlight[data-start="{start}"]').wait_for(timeout=WAIT)

    def highlight(self, part: str):
        """The (first line of the) region whose text starts like ``part``."""
        head = part.split("\n", maxsplit=1)[0]
        return self.page.locator(".htx-highlight", has_text=head).first

    def select(self, part: str) -> None:
        self.highlight(part).click()
        self.page.locator(
            ".lsf-detailed-region__content", has_text=part.split("\n", maxsplit=1)[0][:12]
        ).first.wait_for(timeout=WAIT)

    def unselect(self, part: str) -> None:
        """Click the selected region again: Label Studio unselects it and shows the document view."""
        self.highlight(part).click()
        self.doc_view().wait_for(timeout=WAIT)

    def doc_view(self):
        return self.page.get_by_text("Document stance per target", exact=True)

    def choices(self, index: int):
        """The index-th <Choices> of the config."""
        return self.page.locator(".lsf-choices").nth(index)

    def choose(self, index: int, value: str) -> None:
        """Click the radio ``value`` of the index-th <Choices> of the config and wait until it is checked."""
        radio = self.choices(index).locator(f"label:has(input[name='{value}'])")
        radio.click()
        self.checked(index, value)

    def checked(self, index: int, value: str) -> None:
        self.choices(index).locator(f"label.ant-radio-wrapper-checked:has(input[name='{value}'])").wait_for(
            timeout=WAIT
        )

    def claim_fields(self, part: str, target: str, stance: str) -> None:
        self.select(part)
        self.choose(0, target)  # claim_target, shown while a CLAIM region is selected
        self.choose(1, stance)  # claim_stance
        self.unselect(part)

    def doc_stance(self, target: str, stance: str) -> None:
        self.choose(2 + list(self.schema.targets).index(target), stance)

    def relate(self, source: str, target: str) -> None:
        """Select ``source``, click "Create Relation", click ``target``: a relation source -> target."""
        items = self.page.locator(".lsf-relations__item")
        before = items.count()
        self.select(source)
        self.page.get_by_role("button", name="Create Relation").click()
        self.highlight(target).click()
        self.relations_tab()
        items.nth(before).wait_for(timeout=WAIT)

    def relations_tab(self) -> None:
        self.page.locator(".lsf-panel-tabs__tab", has_text="Relations").first.click()

    def label_relation(self, first_node: str, label: str) -> None:
        """Choose ``label`` for the relation whose first node is labelled ``first_node``."""
        self.relations_tab()
        item = next(
            i
            for i in self.page.locator(".lsf-relations__item").all()
            if i.locator(".lsf-detailed-region").first.inner_text().strip().endswith(first_node)
        )
        item.hover()
        item.get_by_role("button", name="Show Relation Labels").click()
        meta = self.page.locator(".lsf-relation-meta")
        meta.locator("button").click()
        self.page.get_by_test_id(f"select-option-{label}").click()
        self.page.keyboard.press("Escape")  # close the drop-down
        meta.get_by_text(label, exact=True).wait_for(timeout=WAIT)
