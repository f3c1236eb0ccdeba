from toolkit.report import highlight, span_classes


def test_highlight_escapes_text_and_notes():
    text = "<script>alert(1)</script> & Lavrov"
    start = text.index("Lavrov")
    spans = [(0, 8, "missed", "gold <b>"), (start, start + 6, "correct", "ok")]
    page = highlight(text, spans)
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp;" in page
    assert 'title="gold &lt;b&gt;"' in page
    assert '<mark class="correct" title="ok">Lavrov</mark>' in page


def test_span_classes():
    gold = [{"start": 0, "end": 5, "label": "PERSON", "text": "aaaaa"},
            {"start": 10, "end": 15, "label": "STATE", "text": "bbbbb"},
            {"start": 20, "end": 25, "label": "GROUP", "text": "ccccc"},
            {"start": 30, "end": 35, "label": "GROUP", "text": "ddddd"}]
    pred = [{"start": 0, "end": 5, "label": "PERSON", "text": "aaaaa"},
            {"start": 10, "end": 15, "label": "PERSON", "text": "bbbbb"},
            {"start": 21, "end": 25, "label": "GROUP", "text": "cccc"},
            {"start": 40, "end": 45, "label": "STATE", "text": "eeeee"}]
    got = [c for _, _, c, _ in span_classes(gold, pred)]
    assert got == ["correct", "wrong-type", "partial", "missed", "spurious"]
