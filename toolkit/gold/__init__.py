"""Label Studio native JSON export <-> toolkit records, with validation.

Reading: each completed annotation becomes a :class:`~toolkit.records.Record`. Label
Studio stores a span as a ``labels`` result, the per-region claim target and stance as
``choices`` results that share the span's ``id``, the speaker link as a ``relation``
result (``from_id``/``to_id``), and the document stance per target as ``choices``
results without offsets. Nothing in an export is trusted: every field is type-checked, and
every problem becomes a :class:`Problem` naming file, task and region and saying what was
kept and what was dropped. Bad regions are skipped and counted, never dropped silently.

What is kept when an annotation is odd:

- a region's ``value.text`` may differ from the text at its offsets only by whitespace (Label
  Studio collapses runs of it) and by Label Studio writing a line break as ``\\n`` (backslash
  and n); otherwise the region is skipped;
- a region labelled from both label groups (an actor type and ``CLAIM`` on one region id, as
  Label Studio makes when a label is clicked while a region is selected) is a problem naming
  both labels, and is kept as both an actor and a claim over the same text;
- a second result for the same region and field (span, claim target, claim stance, document
  stance) is a problem; the first is kept;
- a claim without target, stance or speaker is a problem and is kept with that field null;
- a document-stance target left unanswered is a problem (evaluation leaves it out;
  agreement counts it as the no-stance label);
- drafts (``drafts``) are not imported and cancelled (skipped) annotations are left out;
  both are counted.

Writing (:func:`record_to_results`) is the inverse, used to push gold passes and
extractor predictions into Label Studio.

The import is split by the way data flows through it; this module gathers its public names:

- :mod:`toolkit.gold.read`: reading an export (JSON exactly as ``json`` reads it, fast);
- :mod:`toolkit.gold.values`: checks of single values, :class:`Problem` and :class:`Imported`;
- :mod:`toolkit.gold.parse`: one annotation -> one record, in named steps (the full reader);
- :mod:`toolkit.gold.convert`: tasks and exports -> records (annotation policy, counts);
- :mod:`toolkit.gold.fast`: the one-pass import of large exports, for tasks with no problem;
- :mod:`toolkit.gold.check`: records checked as if Label Studio had exported them;
- :mod:`toolkit.gold.results`: records -> Label Studio results.
"""

from __future__ import annotations

from .check import check_record, validate_record
from .convert import import_exports, import_tasks
from .fast import import_task_chunks
from .parse import parse_annotation
from .read import load_export, parse_json
from .results import record_to_results
from .values import (
    POLICIES,
    Imported,
    Problem,
    is_int,
    short,
    valid_string,
)

__all__ = [
    "POLICIES",
    "Imported",
    "Problem",
    "check_record",
    "import_exports",
    "import_task_chunks",
    "import_tasks",
    "is_int",
    "load_export",
    "parse_annotation",
    "parse_json",
    "record_to_results",
    "short",
    "valid_string",
    "validate_record",
]
