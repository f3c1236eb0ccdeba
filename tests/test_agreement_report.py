"""The agreement page: the HTML section of every disagreement and the page around it."""

from test_agreement import _three_annotators, _two_label_schema

from toolkit.agreement import agreement
from toolkit.agreement_report import agreement_html, agreement_page


def test_html_section_escapes_and_lists_every_disagreement():
    result = agreement(_three_annotators(), _two_label_schema())
    section = agreement_html(result)
    assert section.startswith("<section class='agreement'>") and section.endswith("</section>")
    assert "<b>peace" not in section and "&lt;b&gt;peace&lt;/b&gt; is near" in section
    assert section.count("<tr class='actor'>") == 2 and section.count("<tr class='claim'>") == 2
    assert section.count("<tr class='doc_stance'>") == 1
    assert "αU" in section and "(none)" in section
    assert agreement_page(result).startswith("<!doctype html>")
