"""toolkit.scoring.matching: the span rule and one-to-one span matching."""

from __future__ import annotations

import pytest

from toolkit.errors import ToolkitError
from toolkit.scoring import MatchRule, match_spans


def test_match_rules():
    assert MatchRule("exact").score((0, 10), (0, 10)) == 1.0
    assert MatchRule("exact").score((0, 10), (0, 9)) is None
    assert MatchRule("overlap", 0.5).score((0, 10), (2, 10)) == 0.8
    assert MatchRule("overlap", 0.9).score((0, 10), (2, 10)) is None
    assert MatchRule("overlap", 0.5).score((0, 10), (10, 20)) is None  # touching is not overlapping
    # one-to-one, best overlap first: pred 1 (Jaccard 0.9) wins gold 0 over pred 0 (0.6)
    assert match_spans([(0, 10)], [(0, 6), (0, 9)], MatchRule()) == [(0, 1)]
    assert match_spans([(0, 10), (0, 10)], [(0, 10)], MatchRule("exact")) == [(0, 0)]
    with pytest.raises(ToolkitError):
        MatchRule("fuzzy")
    with pytest.raises(ToolkitError):
        MatchRule("overlap", 0.0)
