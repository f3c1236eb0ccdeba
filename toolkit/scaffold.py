"""``toolkit init``: a new project folder for a team, and guidelines drafted from a schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from .errors import ProjectError
from .files import atomic_write_text
from .project import PROJECT_FILE, example_dir
from .schema import Schema, labeling_config, load_schema, parse_schema, validate_config

BLANK_SCHEMA = """\
# The schema: the single source of truth for your labels. Edit it, then run
# `toolkit schema config` to regenerate labeling_config.xml for Label Studio.
# Bump `version` whenever a label is added, removed or redefined.
version: "0.1.0"
name: {name}
description: >-
  What is annotated in this project, in one paragraph.

# Stance labels. The first two are the polar pair (F_avg averages their F1, as SemEval-2016
# Task 6 does for favor/against); `no_stance` names the label meaning "no position".
stance_labels:
  favor: The speaker supports the target, asks for it, or defends it.
  against: The speaker opposes, condemns or criticises the target.
  neutral: The speaker takes an explicit, balanced position on the target.
  none: No position on the target is expressed.
no_stance: none

# What positions are taken about: one line each, as you would explain it to an annotator.
targets:
  target_one: Replace with the first thing positions are taken on.
  target_two: Replace with the second.
# A claim about none of the targets gets this target.
other_target: other

# Who speaks. `covers` maps each type onto general English entity kinds, so the built-in
# extractors can find them in any text: PERSON, GPE (a country, region or city, or its
# government), ORG (an organisation).
actor_types:
  PERSON:
    definition: A named individual.
    covers: [PERSON]
  GOVERNMENT:
    definition: A country, region or city, or its government and its bodies.
    covers: [GPE]
  ORGANIZATION:
    definition: A company, NGO, international body, party, union or media outlet.
    covers: [ORG]

# The claim label: a span of what an actor said, linked to its speaker by a relation.
claim:
  label: CLAIM
  definition: A statement or position attributed to an actor, in direct or reported speech.
  fields: [target, stance]
  speaker_relation: speaker
"""

PROJECT_TEMPLATE = """\
# Project file of the annotation toolkit: every `toolkit` command run in this folder (or
# below it) takes its defaults from here; flags override them. Paths are relative to this
# file. The Label Studio token never goes here: use LABEL_STUDIO_API_KEY or --token.
name: {name}
schema: schema.yaml
guidelines: GUIDELINES.md
labeling_config: labeling_config.xml
# Your articles: a folder of .txt files (doc id = file stem) or a .jsonl of {{doc_id, text, meta}}.
sources: articles
# `toolkit export` writes the Label Studio import file here.
tasks: build/tasks.json
# `toolkit studio pull` writes Label Studio's native JSON export here (atomically: a failed
# pull leaves the previous file as it was).
pull: annotations/export.json
# What `toolkit evaluate`, `toolkit agreement` and `toolkit dataset build` read: Label Studio
# exports, records JSONL files, or dataset folders.
gold:
  - {gold}
dataset: build/dataset
hub: build/hub
report: build/report.html
# Markdown on how the data was annotated, for the dataset card.
annotation_notes: GUIDELINES.md
studio:
  title: {title}
{url_line}"""

README_TEMPLATE = """\
# {name}

An annotation project of the stance toolkit: who says what, and for or against what.

| file | what |
|---|---|
| `toolkit.yaml` | the project file: every `toolkit` command here takes its defaults from it |
| `schema.yaml` | the labels (actor types, claim fields, stance targets); edit it first |
| `GUIDELINES.md` | the annotation guidelines, drafted from the schema: complete them |
| `labeling_config.xml` | the Label Studio config, generated: `toolkit schema config` |
| `articles/` | your articles, one `.txt` each (or point `sources` at a `.jsonl`) |
| `annotations/` | Label Studio exports pulled with `toolkit studio pull` |

## The loop

    toolkit schema config                      # after every schema change
    export LABEL_STUDIO_API_KEY=...            # your Label Studio token (never in toolkit.yaml)
    toolkit studio setup                       # create or update the Label Studio project
    toolkit studio push                        # push articles/ (never twice)
    toolkit studio predict -e rules            # optional: pre-annotate
    # ... annotate in Label Studio ...
    toolkit studio pull                        # annotations/export.json
    toolkit agreement                          # inter-annotator agreement
    toolkit dataset build                      # build/dataset (typed Hugging Face dataset)
    toolkit publish --to build/hub             # or --repo-id ORG/NAME
    toolkit evaluate -e rules                  # score extractors against the gold
    toolkit report -e rules                    # build/report.html
"""


def guidelines_markdown(schema: Schema) -> str:
    """A first draft of annotation guidelines from the schema's labels and definitions."""

    def items(labels: dict[str, str]) -> list[str]:
        return [f"- **`{label}`**: {definition or '(define this label)'}" for label, definition in labels.items()]

    lines = [
        f"# Annotation guidelines: {schema.name or 'this project'} (schema {schema.version})",
        "",
        "A draft generated from the schema by `toolkit init`: complete it with examples and the",
        "decisions your team takes while annotating.",
        "",
        schema.description,
        "",
        "## Actors",
        "",
        "Mark every mention of an actor by name (repeated and surname-only mentions too; not",
        "pronouns). The span is the name only: no title, no article, no possessive 's.",
        "",
        *items(schema.actor_types),
        "",
        f"## Claims (`{schema.claim_label}`)",
        "",
        schema.claim_definition or "A statement attributed to an actor.",
        "",
        "The span is the content of what was said, without the reporting verb and the quotation",
        f"marks. Link each claim to its speaker with a `{schema.speaker_relation}` relation (click the",
        "claim, then the relation button, then the speaker); a pronoun speaker links to the",
        "latest mention of that actor by name. Then choose the claim's target and stance.",
        "",
        "### Targets",
        "",
        *items(schema.targets),
        f"- **`{schema.other_target}`**: the claim is about none of the targets above.",
        "",
        "### Stance labels",
        "",
        *items(schema.stance_labels),
        "",
        "## Document stance",
        "",
        "For every target, the stance the article as a whole expresses through its quoted actors",
        f"and its own evaluative wording; `{schema.no_stance}` when the target is not addressed.",
        "",
    ]
    return "\n".join(lines)


def create_project(
    folder: str | Path,
    *,
    example: bool = False,
    name: str | None = None,
    title: str | None = None,
    url: str | None = None,
) -> list[Path]:
    """Write a new project into ``folder``; returns the files written.

    Refuses (:class:`ProjectError`) if any file it would write exists already, so nothing of
    an existing project is overwritten; the schema is checked before anything is written.
    """
    folder = Path(folder).resolve()
    name = name or folder.name
    gold = "annotations/example-gold.json" if example else "annotations/export.json"
    url_line = f"  url: {url}\n" if url else "  # url: http://127.0.0.1:8080\n"
    ex = example_dir()
    files: dict[str, str] = {
        "schema.yaml": (ex / "schema.yaml").read_text(encoding="utf-8") if example else BLANK_SCHEMA.format(name=name),
        PROJECT_FILE: PROJECT_TEMPLATE.format(name=name, title=_yaml_str(title or name), gold=gold, url_line=url_line),
        "README.md": README_TEMPLATE.format(name=name),
    }
    schema = parse_schema(yaml.safe_load(files["schema.yaml"]), str(folder / "schema.yaml"))
    config = labeling_config(schema)
    validate_config(config)
    files["labeling_config.xml"] = config
    files["GUIDELINES.md"] = (
        (ex / "GUIDELINES.md").read_text(encoding="utf-8") if example else guidelines_markdown(schema)
    )
    copies: dict[str, Path] = {}
    if example:
        copies = {f"articles/{p.name}": p for p in sorted((ex / "seeds").glob("*.txt"))}
        copies[gold] = ex / "gold" / "export.json"
    existing = [folder / rel for rel in [*files, *copies] if (folder / rel).exists()]
    if existing:
        raise ProjectError(f"{existing[0]} exists already: `toolkit init` never overwrites a project")
    written = []
    for rel, text in files.items():
        written.append(atomic_write_text(folder / rel, text))
    for rel, source in copies.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / rel)
        written.append(folder / rel)
    for sub in ("articles", "annotations"):
        (folder / sub).mkdir(exist_ok=True)
    load_schema(folder / "schema.yaml")  # what was written reads back
    return written


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string
