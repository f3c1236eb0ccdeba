"""Scoring of predictions against gold: actor spans, claims, and document stance.

One module per kind, each reading as its matching rules: :mod:`.actors` (nervaluate's
SemEval-2013 schemas, vectorised), :mod:`.claims` (one-to-one span matching under a
:class:`MatchRule`, speaker, target, stance), :mod:`.stance` (document stance per target);
:mod:`.matching` holds the span rule and the pairing of documents, :mod:`.table` the shared
count table and arithmetic.

Every scorer works in two steps, so that :mod:`toolkit.stats` can resample documents:

1. ``*_counts(gold, pred)`` returns a :class:`CountTable`: one row of summable integer
   counts per gold document (``rows``, shape ``docs x count-fields``);
2. ``*_scores_from_counts(table)`` sums the rows and turns the sums into a JSON-ready dict.

``*_scores(gold, pred)`` does both. ``*_metric(table, ...)`` gives one metric as a vectorised
function of summed rows (shape ``(batch, fields)`` -> ``(batch,)``, NaN where undefined),
which is what the bootstrap and the significance tests call. In the dicts, a value that is
undefined (0/0) is ``None``, never ``0.0``.
"""

from .actors import (
    ACTOR_FIELDS,
    SCHEMAS,
    ActorOutcomes,
    Spans,
    actor_counts,
    actor_counts_from_arrays,
    actor_metric,
    actor_outcomes,
    actor_scores,
    actor_scores_from_counts,
    spans_from_arrow,
)
from .claims import CLAIM_FIELDS, claim_counts, claim_metric, claim_scores, claim_scores_from_counts, speaker_matches
from .matching import MatchRule, align_records, match_spans
from .stance import (
    STANCE_LABELS,
    doc_stance_counts,
    doc_stance_metric,
    doc_stance_scores,
    doc_stance_scores_from_counts,
)
from .table import PRF, CountTable, Metric, as_number

__all__ = [
    "ACTOR_FIELDS",
    "CLAIM_FIELDS",
    "PRF",
    "SCHEMAS",
    "STANCE_LABELS",
    "ActorOutcomes",
    "CountTable",
    "MatchRule",
    "Metric",
    "Spans",
    "actor_counts",
    "actor_counts_from_arrays",
    "actor_metric",
    "actor_outcomes",
    "actor_scores",
    "actor_scores_from_counts",
    "align_records",
    "as_number",
    "claim_counts",
    "claim_metric",
    "claim_scores",
    "claim_scores_from_counts",
    "doc_stance_counts",
    "doc_stance_metric",
    "doc_stance_scores",
    "doc_stance_scores_from_counts",
    "match_spans",
    "spans_from_arrow",
    "speaker_matches",
]
