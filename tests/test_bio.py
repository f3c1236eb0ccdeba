"""toolkit.bio: spans -> BIO -> spans round trips, and what does not fit BIO is counted."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.bio import bio_to_spans, spans_to_bio, tag_names, tokenize

TEXT = "Sergey Lavrov met Ahmed Aboul Gheit in Moscow, and they called for a ceasefire."


def test_tokens_keep_offsets():
    tokens = tokenize(TEXT)
    assert [TEXT[s:e] for s, e in tokens][:4] == ["Sergey", "Lavrov", "met", "Ahmed"]
    assert TEXT[slice(*tokens[-1])] == "."


def test_tag_names_are_o_then_b_i_per_label():
    assert tag_names(["PERSON", "STATE"]) == ["O", "B-PERSON", "I-PERSON", "B-STATE", "I-STATE"]


def test_spans_become_bio_and_back():
    tokens = tokenize(TEXT)
    spans = [(0, 13, "PERSON"), (18, 35, "PERSON"), (39, 45, "STATE")]
    tagged = spans_to_bio(tokens, spans)
    assert tagged.tags[:6] == ["B-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "I-PERSON"]
    assert bio_to_spans(tokens, tagged.tags) == spans and tagged.dropped == tagged.widened == 0


def test_nested_spans_are_dropped_and_partial_tokens_widened():
    tokens = tokenize(TEXT)
    tagged = spans_to_bio(tokens, [(0, 13, "PERSON"), (7, 13, "PERSON"), (40, 44, "STATE")])
    assert tagged.dropped == 1 and tagged.widened == 1
    assert bio_to_spans(tokens, tagged.tags) == [(0, 13, "PERSON"), (39, 45, "STATE")]


words = st.lists(
    st.sampled_from(["Lavrov", "said", ",", "the", "UN", "Moscow", "ceasefire", ".", "é", "🇺🇳"]),
    min_size=1,
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(words, st.data())
def test_token_aligned_disjoint_spans_round_trip(ws, data):
    text = " ".join(ws)
    tokens = tokenize(text)
    spans, i = [], 0
    while i < len(tokens):
        if data.draw(st.booleans()):
            j = data.draw(st.integers(i, min(i + 3, len(tokens) - 1)))
            spans.append((tokens[i][0], tokens[j][1], data.draw(st.sampled_from(["A", "B"]))))
            i = j + 1 + data.draw(st.integers(0, 1))  # adjacent spans too
        else:
            i += 1
    tagged = spans_to_bio(tokens, spans)
    assert tagged.dropped == tagged.widened == 0
    assert bio_to_spans(tokens, tagged.tags) == spans
