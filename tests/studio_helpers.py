"""What the live Label Studio tests (tests/test_studio*.py) share: documents as tasks, a
hand-made annotation, tasks counted per document, and the fault proxy between the SDK and the
server (``faultproxy.FaultProxy``: a real HTTP proxy; nothing in the client is patched)."""

from __future__ import annotations

import gc
import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from faultproxy import FaultProxy
from toolkit.studio import project_tasks
from toolkit.tasks import build_tasks

IMPORT = r"/api/projects/\d+/import$"  # the path of a project's task import


@contextmanager
def fault_proxy(url: str) -> Iterator[FaultProxy]:
    """A :class:`FaultProxy` in front of ``url``; its clients' sockets are collected on exit."""
    with FaultProxy(url) as running:
        yield running
    with warnings.catch_warnings():  # clients of the closed proxy: collect their sockets now,
        warnings.simplefilter("ignore", ResourceWarning)  # not during a later CLI command
        gc.collect()


def annotation_for(text: str, schema) -> dict:
    """A hand-made annotation on the seed 003: an actor, a claim with target/stance, a speaker link."""
    speaker = "Sergey Lavrov"
    claim = "We consider it necessary to take urgent measures to reach an immediate ceasefire"
    s, c = text.index(speaker), text.index(claim)
    return {
        "doc_id": "003",
        "text": text,
        "actors": [{"id": "act1", "start": s, "end": s + len(speaker), "text": speaker, "label": "PERSON"}],
        "claims": [
            {
                "id": "clm1",
                "start": c,
                "end": c + len(claim),
                "text": claim,
                "speaker": "act1",
                "target": "gaza_ceasefire",
                "stance": "favor",
            }
        ],
        "doc_stances": dict.fromkeys(schema.targets, "none") | {"gaza_ceasefire": "favor"},
    }


def make_docs(tmp_path, n: int, prefix: str) -> list[dict]:
    """``n`` small documents as tasks (a JSONL source)."""
    source = tmp_path / f"{prefix}.jsonl"
    lines = [json.dumps({"doc_id": f"{prefix}-{i:04d}", "text": f"Document {i} of {prefix}."}) for i in range(n)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return build_tasks(source)


def tasks_per_doc(client, project_id) -> dict[str, int]:
    """Tasks per doc id, read straight from the server (not through the proxy)."""
    counts: dict[str, int] = {}
    for task in project_tasks(client, project_id):
        counts[task.data["doc_id"]] = counts.get(task.data["doc_id"], 0) + 1
    return counts
