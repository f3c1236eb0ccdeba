"""toolkit.gold.results: records -> Label Studio results, read back by the import unchanged (round trips)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gold_helpers import _export, _task
from toolkit.gold import import_exports

# Letters from several planes: ASCII, accents, combining marks, CJK, emoji (outside the BMP).
ALPHABET = st.sampled_from([*"abc XYZ\n\t.,’“”é", "\u0301", "\u0308", "漢", "😀", "🇷", "🇺", "𝔸", "\u200d"])  # noqa: RUF001 - confusables on purpose


@st.composite
def annotated_documents(draw, schema):
    text = draw(st.text(ALPHABET, min_size=1, max_size=60))
    n = len(text)

    def span():
        start = draw(st.integers(0, n - 1))
        return start, draw(st.integers(start + 1, n))

    actors = []
    for i in range(draw(st.integers(0, 4))):
        start, end = span()
        actors.append(
            {
                "id": f"a{i}",
                "start": start,
                "end": end,
                "text": text[start:end],
                "label": draw(st.sampled_from(list(schema.actor_types))),
            }
        )
    claims = []
    for i in range(draw(st.integers(0, 3)) if actors else 0):
        start, end = span()
        claims.append(
            {
                "id": f"c{i}",
                "start": start,
                "end": end,
                "text": text[start:end],
                "speaker": draw(st.sampled_from([a["id"] for a in actors])),
                "target": draw(st.sampled_from(schema.claim_targets)),
                "stance": draw(st.sampled_from(list(schema.stance_labels))),
            }
        )
    stances = {t: draw(st.sampled_from(list(schema.stance_labels))) for t in schema.targets}
    return {"doc_id": "d", "text": text, "actors": actors, "claims": claims, "doc_stances": stances}


def _key(spans):
    return sorted((s["start"], s["end"], s["text"], s.get("label"), s.get("target"), s.get("stance")) for s in spans)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_round_trip_keeps_spans_labels_links_and_stances(tmp_path_factory, schema, data):
    record = data.draw(annotated_documents(schema))
    tmp_path = tmp_path_factory.mktemp("rt")
    imported = import_exports([_export(tmp_path, [_task(record, schema)])], schema)
    assert imported.problems == []
    [got] = imported.records
    assert _key(got["actors"]) == _key(record["actors"])
    assert _key(got["claims"]) == _key(record["claims"])
    speakers = lambda r: sorted((c["id"], c["speaker"]) for c in r["claims"])  # noqa: E731
    assert speakers(got) == speakers(record)
    assert got["doc_stances"] == record["doc_stances"]
    for span in got["actors"] + got["claims"]:
        assert record["text"][span["start"] : span["end"]] == span["text"]
