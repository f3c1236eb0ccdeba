"""Build the Hugging Face Hub repository folder (parquet + dataset card) and upload it."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from datasets import DatasetDict
from datasets.info import DatasetInfosDict
from datasets.splits import SplitDict, SplitInfo
from huggingface_hub import DatasetCard, DatasetCardData

from . import __version__
from .dataset import write_schema
from .errors import PublishError
from .files import atomic_dir
from .schema import Schema

CARD_TEMPLATE = """---
{card_data}
---

# {pretty_name}

{description}

Made with the annotation and evaluation toolkit (version {toolkit_version}) from Label
Studio annotations; labels follow schema `{schema_name}` version {schema_version}
(fingerprint `{schema_fingerprint}`), stored beside the data as `schema.yaml`.

## Configurations

- `documents`: one row per {row_unit}: `text`, `actors` (spans with `start`/`end`
  code-point offsets, half-open, `text` and `label`), `claims` (span, `speaker` = id of an
  actor in the same row, `target`, `stance`) and `doc_stances` (one stance per target),
  plus provenance (`task_id`, `annotation_id`, `annotator`, `ground_truth`,
  `schema_version`).
- `claims`: one row per claim with its speaker resolved (`speaker_text`,
  `speaker_type`), target and stance.
- `actor_tokens` and `claim_tokens`: token classification in the usual Hugging Face shape,
  one row per document: `tokens` (words, numbers and single punctuation marks, with their
  character offsets in `token_starts`/`token_ends`) and `ner_tags`, a `Sequence(ClassLabel)`
  of BIO tags (`O`, `B-<label>`, `I-<label>`) for the actor spans or the claim spans, ready
  for a token-classification trainer. {bio_note}

There is one split, `test`: the data is meant for evaluating extractors.

## Labels

### Actor types
{actor_table}

### Stance labels
{stance_table}

### Targets
{target_table}

Claims whose subject is none of the targets have target `{other_target}`.

## Counts

| what | count |
|---|---|
{count_rows}

## How it was annotated

{how}

## How to load

```python
from datasets import load_dataset

docs = load_dataset("{repo_ref}", "documents", split="test")
claims = load_dataset("{repo_ref}", "claims", split="test")
print(docs.features["actors"].feature["label"].names)
tagged = load_dataset("{repo_ref}", "actor_tokens", split="test")   # tokens + BIO ner_tags
print(tagged.features["ner_tags"].feature.names)
```

## Licence

Annotations: {license}. The article texts remain the property of their publishers and
are included for research use.
"""


def _bio_note(counts: dict) -> str:
    """What BIO could not hold, for the card."""
    dropped = sum(c.get("dropped", 0) for c in counts.values())
    widened = sum(c.get("widened", 0) for c in counts.values())
    if not dropped and not widened:
        return "Every span is represented exactly."
    return (
        f"BIO cannot hold nested spans: {dropped} span(s) nested in another were left out of the tags, and "
        f"{widened} span(s) whose edges fall inside a token were widened to the token."
    )


def _table(labels: dict[str, str]) -> str:
    return "\n".join(["| label | definition |", "|---|---|", *(f"| `{k}` | {v} |" for k, v in labels.items())])


def label_counts(datasets: dict[str, DatasetDict]) -> Counter:
    """Counts per label (actors by type, claims by target and stance, document stances)."""
    docs = datasets["documents"]["test"]
    feats = docs.features
    actor_names = feats["actors"].feature["label"].names
    claim = feats["claims"].feature
    counts: Counter = Counter()
    counts["documents"] = len(docs)
    for row in docs:
        counts.update(f"actor {actor_names[a['label']]}" for a in row["actors"])
        counts["claims"] += len(row["claims"])
        counts.update(
            f"claim stance {claim['stance'].names[c['stance']]}" for c in row["claims"] if c["stance"] is not None
        )
        counts.update(
            f"claim target {claim['target'].names[c['target']]}" for c in row["claims"] if c["target"] is not None
        )
        counts.update(f"document stance {claim['stance'].names[d['stance']]}" for d in row["doc_stances"])
    return counts


def _card_data(datasets: dict[str, DatasetDict], license: str, pretty_name: str) -> DatasetCardData:
    """The card's YAML metadata: licence, language, task, one config per dataset (``documents``
    the default) and each config's features and split sizes."""
    configs = [
        {"config_name": name, "data_files": [{"split": "test", "path": f"data/{name}/test-*.parquet"}],
         **({"default": True} if name == "documents" else {})}
        for name in datasets
    ]  # fmt: skip
    card_data = DatasetCardData(
        license=license,
        language=["en"],
        pretty_name=pretty_name,
        task_categories=["token-classification", "text-classification"],
        task_ids=["named-entity-recognition"],
        annotations_creators=["expert-generated"],
        language_creators=["found"],
        multilinguality=["monolingual"],
        size_categories=["n<1K"],
        source_datasets=["original"],
        tags=["stance-detection", "claim-detection", "news", "label-studio"],
        configs=configs,
    )
    infos = {}
    for name, dsd in datasets.items():
        info = dsd["test"].info.copy()
        info.config_name = name
        info.splits = SplitDict()
        info.splits.add(SplitInfo(name="test", num_examples=len(dsd["test"]), dataset_name=name))
        infos[name] = info
    DatasetInfosDict(infos).to_dataset_card_data(card_data)
    return card_data


def dataset_card(
    datasets: dict[str, DatasetDict],
    schema: Schema,
    repo_ref: str,
    how: str,
    *,
    license: str = "cc-by-4.0",
    pretty_name: str | None = None,
    bio_counts: dict | None = None,
) -> DatasetCard:
    """The dataset card: YAML metadata (licence, language, configs, features) and a body."""
    pretty_name = pretty_name or f"{schema.name}: stance, actors and claims"
    card_data = _card_data(datasets, license, pretty_name)
    counts = label_counts(datasets)
    policy_all = len({r["doc_id"] for r in datasets["documents"]["test"]}) != counts["documents"]
    body = CARD_TEMPLATE.format(
        card_data=card_data.to_yaml(),
        pretty_name=pretty_name,
        description=schema.description,
        toolkit_version=__version__,
        schema_name=schema.name,
        schema_version=schema.version,
        schema_fingerprint=schema.fingerprint,
        row_unit="annotation" if policy_all else "document",
        actor_table=_table(schema.actor_types),
        stance_table=_table(schema.stance_labels),
        target_table=_table(schema.targets),
        other_target=schema.other_target,
        count_rows="\n".join(f"| {k} | {v} |" for k, v in sorted(counts.items())),
        bio_note=_bio_note(bio_counts or {}),
        how=how.strip() or "See the project's annotation guidelines.",
        repo_ref=repo_ref,
        license=license,
    )
    return DatasetCard(body)


TOKEN_CONFIGS = {"actor_tokens": "actors", "claim_tokens": "claims"}


def token_datasets(datasets: dict[str, DatasetDict], schema: Schema) -> tuple[dict[str, DatasetDict], dict]:
    """The token-classification configurations (``tokens`` + BIO ``ner_tags``), one for actors
    and one for claims, made from the ``documents`` configuration; plus the counts of spans
    BIO could not hold (nested: dropped; edges inside a token: widened)."""
    from datasets import Dataset

    from .bio import token_features, token_rows

    docs = datasets["documents"]["test"]
    actor_label = docs.features["actors"].feature["label"]
    records = [{"doc_id": r["doc_id"], "text": r["text"], "actors": r["actors"], "claims": r["claims"]} for r in docs]
    layers = {
        "actor_tokens": ("actors", list(schema.actor_types), lambda span: actor_label.int2str(span["label"])),
        "claim_tokens": ("claims", [schema.claim_label], lambda span: schema.claim_label),
    }
    out, counts = {}, {}
    for name, (layer, labels, label_of) in layers.items():
        rows, counts[name] = token_rows(records, layer, label_of)
        out[name] = DatasetDict({"test": Dataset.from_list(rows, features=token_features(labels))})
    return out, counts


def build_hub_folder(
    datasets: dict[str, DatasetDict],
    schema: Schema,
    out_dir: str | Path,
    repo_ref: str,
    *,
    how: str = "",
    license: str = "cc-by-4.0",
) -> Path:
    """Write ``data/<config>/test-00000-of-00001.parquet`` and ``README.md`` into ``out_dir``,
    atomically: the configurations of ``datasets`` plus the token-classification ones."""
    tokens, bio_counts = token_datasets(datasets, schema)
    datasets = {**datasets, **tokens}
    with atomic_dir(out_dir) as tmp:
        for name, dsd in datasets.items():
            for split, dataset in dsd.items():
                target = tmp / "data" / name / f"{split}-00000-of-00001.parquet"
                target.parent.mkdir(parents=True, exist_ok=True)
                dataset.to_parquet(str(target))
        dataset_card(datasets, schema, repo_ref, how, license=license, bio_counts=bio_counts).save(tmp / "README.md")
        write_schema(tmp, schema)
    return Path(out_dir)


def annotation_notes(path: Path | None) -> str:
    """The text of the annotation notes for the card (``--how``), or "" when there is no such file."""
    return path.read_text(encoding="utf-8") if path and path.exists() else ""


def publish(
    datasets: dict[str, DatasetDict],
    schema: Schema,
    *,
    to: str | Path | None = None,
    repo_id: str | None = None,
    how: str = "",
    license: str = "cc-by-4.0",
    private: bool = False,
    token: str | None = None,
) -> str | None:
    """Write the Hub folder (:func:`build_hub_folder`) to ``to``, or build it in a temporary
    folder and :func:`upload` it to ``repo_id``: exactly one of the two. Returns the upload's
    commit URL (None when written to a folder)."""
    if (to is None) == (repo_id is None):
        raise PublishError("publish needs exactly one of a folder to write to and a Hub repository id")
    if to is not None:
        build_hub_folder(datasets, schema, to, str(to), how=how, license=license)
        return None
    assert repo_id is not None  # exactly one of the two
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_hub_folder(datasets, schema, Path(tmp) / "repo", repo_id, how=how, license=license)
        return upload(folder, repo_id, private, token)


def upload(folder: str | Path, repo_id: str, private: bool = False, token: str | None = None) -> str:
    """Upload the folder to the Hub as a dataset repository; returns the commit URL.

    The token comes from the argument, ``HF_TOKEN`` or the user's ``huggingface-cli login``.
    """
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            repo_type="dataset",
            folder_path=str(folder),
            commit_message="Publish dataset with the annotation toolkit",
        )
    except Exception as exc:  # noqa: BLE001 - network, auth, offline mode: say which without the token
        raise PublishError(f"upload to {repo_id} failed: {redact(exc, token)}") from None
    return str(commit)


def redact(exc: Exception, token: str | None, limit: int = 200) -> str:
    """``ExceptionName: message`` on one line, with the token removed before shortening."""
    message = " ".join(str(exc).split())
    if token:
        message = message.replace(token, "***")
    return f"{exc.__class__.__name__}: {message[:limit]}"
