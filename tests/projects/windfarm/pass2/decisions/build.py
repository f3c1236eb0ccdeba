"""Turn my hand-written decisions_<doc_id>.py files into output/<doc_id>.json records.

Offsets: n-th occurrence of the exact surface string via str.find (overlapping search).
Checks: text[start:end] == span, speaker ids exist, labels/targets/stances from schema.yaml,
every schema target has a document stance, ids unique, no overlapping actor spans,
spans do not start/end with quote marks or whitespace.
"""
import json
import pathlib
import runpy
import sys

BASE = pathlib.Path("/tmp/wfp3")
INP = BASE / "input"
OUT = BASE / "output"


def load_schema():
    try:
        import yaml
        s = yaml.safe_load((INP / "schema.yaml").read_text(encoding="utf-8"))
    except ImportError:
        sys.exit("PyYAML needed")
    labels = set(s["actor_types"])
    targets = set(s["targets"]) | {s["other_target"]}
    stances = set(s["stance_labels"])
    return labels, targets, set(s["targets"]), stances


def nth(text, sub, n):
    pos = -1
    for _ in range(n):
        pos = text.find(sub, pos + 1)
        if pos < 0:
            raise ValueError(f"occurrence {n} of {sub!r} not found")
    return pos


QUOTES = "\"'“”‘’"


def build(doc_id, verbose=False):
    labels, targets, doc_targets, stances = load_schema()
    text = (INP / "articles" / f"{doc_id}.txt").read_text(encoding="utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    d = runpy.run_path(str(BASE / f"decisions_{doc_id}.py"))
    errors = []
    actors, ids = [], set()
    for surface, occ, label, aid in d["ACTORS"]:
        start = nth(text, surface, occ)
        end = start + len(surface)
        assert text[start:end] == surface
        if label not in labels:
            errors.append(f"bad label {label} for {aid}")
        if aid in ids:
            errors.append(f"duplicate id {aid}")
        ids.add(aid)
        actors.append({"id": aid, "start": start, "end": end, "text": surface, "label": label})
    actors.sort(key=lambda a: a["start"])
    for a, b in zip(actors, actors[1:]):
        if b["start"] < a["end"]:
            errors.append(f"overlapping actors {a['id']} {b['id']}")
    claims = []
    for span, occ, spk, target, stance, cid in d["CLAIMS"]:
        start = nth(text, span, occ)
        end = start + len(span)
        if text[start:end] != span:
            errors.append(f"span mismatch {cid}")
        if span[0] in QUOTES or span[-1] in QUOTES or span != span.strip():
            errors.append(f"span edge problem {cid}: {span!r}")
        if spk not in {a["id"] for a in actors}:
            errors.append(f"unknown speaker {spk} in {cid}")
        if target not in targets:
            errors.append(f"bad target {target} in {cid}")
        if stance not in stances:
            errors.append(f"bad stance {stance} in {cid}")
        if cid in ids:
            errors.append(f"duplicate id {cid}")
        ids.add(cid)
        claims.append({"id": cid, "start": start, "end": end, "text": span,
                       "speaker": spk, "target": target, "stance": stance})
    claims.sort(key=lambda c: c["start"])
    ds = d["DOC_STANCES"]
    for t in doc_targets:
        if t not in ds:
            errors.append(f"missing doc stance for {t}")
    for t, s in ds.items():
        if t not in doc_targets:
            errors.append(f"doc stance for unknown target {t}")
        if s not in stances:
            errors.append(f"bad doc stance {s} for {t}")
    # consistency check of doc stances against the rule in GUIDELINES section 3 (warning only)
    for t in doc_targets:
        got = {c["stance"] for c in claims if c["target"] == t and c["stance"] != "no_position"}
        if not got:
            exp = "no_position"
        elif "support" in got and "oppose" in got:
            exp = "mixed"
        elif "support" in got:
            exp = "support"
        elif "oppose" in got:
            exp = "oppose"
        else:
            exp = "mixed"
        if ds.get(t) != exp:
            print(f"  WARNING {doc_id}: doc stance {t}={ds.get(t)} but statements give {exp}")
    if errors:
        print("\n".join(f"  ERROR {doc_id}: {e}" for e in errors))
        return False
    rec = {"doc_id": doc_id, "actors": actors, "claims": claims,
           "doc_stances": {t: ds[t] for t in sorted(doc_targets)}}
    (OUT / f"{doc_id}.json").write_text(json.dumps(rec, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")
    print(f"{doc_id}: {len(actors)} actors, {len(claims)} claims -> output/{doc_id}.json")
    if verbose:
        for a in actors:
            print(f"   A {a['id']:<12} {a['start']:>5}-{a['end']:<5} {a['label']:<11} ...{text[max(0,a['start']-20):a['start']]!r}[{a['text']}]")
        for c in claims:
            print(f"   C {c['id']:<18} {c['start']:>5}-{c['end']:<5} {c['speaker']:<10} {c['target']}/{c['stance']}\n      before={text[max(0,c['start']-15):c['start']]!r} after={text[c['end']:c['end']+8]!r}")
    return True


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv
    docs = args or sorted(p.stem[len("decisions_"):] for p in BASE.glob("decisions_*.py"))
    ok = all([build(doc, verbose) for doc in docs])
    sys.exit(0 if ok else 1)
