"""Load the schema file, check it, and generate the Label Studio labeling config from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import yaml

from .errors import SchemaError


# Names of the Label Studio control tags; the gold importer reads results by these names.
TEXT_NAME = "text"
ACTOR_TAG = "actor"
CLAIM_TAG = "claim"
CLAIM_TARGET_TAG = "claim_target"
CLAIM_STANCE_TAG = "claim_stance"
DOC_STANCE_PREFIX = "doc_stance__"

_TOP_KEYS = {"version", "name", "description", "stance_labels", "no_stance", "targets", "other_target", "actor_types",
             "claim", "extractor_data"}
_REQUIRED = {"version", "stance_labels", "targets", "actor_types", "claim"}
_CLAIM_KEYS = {"label", "definition", "fields", "speaker_relation"}
_ACTOR_KEYS = {"definition", "covers"}

#: The general English entity kinds an actor type can cover (OntoNotes names): a person, a
#: geo-political entity (a country, region or city, or its government), an organisation.
ENTITY_KINDS = ("PERSON", "GPE", "ORG")
#: Actor type names that cover a general kind without saying so (the bundled schema's names).
_DEFAULT_COVERS = {"PERSON": ("PERSON",), "STATE": ("GPE",), "COUNTRY": ("GPE",), "GPE": ("GPE",),
                   "ORGANIZATION": ("ORG",), "ORGANISATION": ("ORG",), "ORG": ("ORG",)}


@dataclass(frozen=True)
class Schema:
    """The labels of one annotation project, with their definitions."""

    version: str
    name: str
    description: str
    stance_labels: dict[str, str]
    targets: dict[str, str]
    other_target: str
    actor_types: dict[str, str]
    claim_label: str
    claim_definition: str
    speaker_relation: str
    no_stance: str = "none"
    actor_covers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extractor_data: dict = field(default_factory=dict, compare=False, repr=False)
    raw: dict = field(default_factory=dict, compare=False, repr=False)  # the parsed file, to store with data

    @property
    def fingerprint(self) -> str:
        """A short hash of the labels and their definitions (what the data depends on)."""
        from .io import fingerprint

        return fingerprint(self.as_dict())

    def describe(self) -> str:
        """``'name' version (fingerprint)``, for messages."""
        return f"'{self.name}' {self.version} ({self.fingerprint})"

    @property
    def polar_stances(self) -> tuple[str, str]:
        """The first two stance labels: the pair F_avg averages (favor/against in SemEval-2016)."""
        first, second = list(self.stance_labels)[:2]
        return first, second

    def actor_type_for(self, kind: str) -> str | None:
        """The first actor type that covers general entity ``kind`` (see :data:`ENTITY_KINDS`)."""
        return next((label for label, kinds in self.actor_covers.items() if kind in kinds), None)

    @property
    def claim_targets(self) -> list[str]:
        """Targets a claim may have: the document targets plus the catch-all ``other``."""
        return [*self.targets, self.other_target]

    def as_dict(self) -> dict:
        """A JSON-ready copy, for dataset cards and report metadata."""
        return {
            "version": self.version,
            "name": self.name,
            "stance_labels": self.stance_labels,
            "no_stance": self.no_stance,
            "targets": self.targets,
            "other_target": self.other_target,
            "actor_types": self.actor_types,
            "claim": {"label": self.claim_label, "speaker_relation": self.speaker_relation},
        }


def _label_map(raw: dict, key: str) -> dict[str, str]:
    value = raw[key]
    if isinstance(value, list):
        value = {str(v): "" for v in value}
    if not isinstance(value, dict):
        raise SchemaError(f"schema key '{key}': expected a mapping of label to definition")
    if not value:
        raise SchemaError(f"schema key '{key}': the label set is empty")
    labels = [str(k) for k in value]
    seen: set[str] = set()
    for label in labels:
        if not label.strip():
            raise SchemaError(f"schema key '{key}': empty label name")
        if label.lower() in seen:
            raise SchemaError(f"schema key '{key}': duplicate label '{label}'")
        seen.add(label.lower())
    return {str(k): str(v or "").strip() for k, v in value.items()}


def _actor_types(raw: dict, source: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Actor types as ``label: definition`` or ``label: {definition, covers}``."""
    value = raw["actor_types"]
    definitions: dict = {}
    covers: dict[str, tuple[str, ...]] = {}
    if isinstance(value, dict):
        for label, spec in value.items():
            if isinstance(spec, dict):
                unknown = sorted(set(spec) - _ACTOR_KEYS)
                if unknown:
                    raise SchemaError(f"{source}: unknown key 'actor_types.{label}.{unknown[0]}'")
                kinds = spec.get("covers") or []
                if isinstance(kinds, str):
                    kinds = [kinds]
                bad = [k for k in kinds if k not in ENTITY_KINDS]
                if not isinstance(kinds, list) or bad:
                    raise SchemaError(f"{source}: key 'actor_types.{label}.covers': expected a list of "
                                      f"{', '.join(ENTITY_KINDS)}")
                definitions[label] = spec.get("definition")
                covers[str(label)] = tuple(kinds)
            else:
                definitions[label] = spec
                covers[str(label)] = _DEFAULT_COVERS.get(str(label).upper(), ())
    else:
        definitions = value
    return _label_map({"actor_types": definitions}, "actor_types"), covers


def parse_schema(raw: object, source: str = "schema") -> Schema:
    """Check a parsed schema document and return a :class:`Schema`; raise :class:`SchemaError`."""
    if not isinstance(raw, dict):
        raise SchemaError(f"{source}: expected a mapping at the top level")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise SchemaError(f"{source}: unknown key '{unknown[0]}'")
    missing = sorted(_REQUIRED - set(raw))
    if missing:
        raise SchemaError(f"{source}: missing key '{missing[0]}'")
    claim = raw["claim"]
    if not isinstance(claim, dict):
        raise SchemaError(f"{source}: key 'claim': expected a mapping")
    unknown = sorted(set(claim) - _CLAIM_KEYS)
    if unknown:
        raise SchemaError(f"{source}: unknown key 'claim.{unknown[0]}'")
    fields = claim.get("fields", ["target", "stance"])
    if sorted(fields) != ["stance", "target"]:
        raise SchemaError(f"{source}: key 'claim.fields' must be [target, stance]")
    stance = _label_map(raw, "stance_labels")
    if len(stance) < 2:
        raise SchemaError(f"{source}: key 'stance_labels': needs at least two labels")
    no_stance = str(raw.get("no_stance", "none"))
    if no_stance not in stance:
        raise SchemaError(f"{source}: key 'no_stance': '{no_stance}' is not one of the stance_labels "
                          "(name the label that means 'no position')")
    targets = _label_map(raw, "targets")
    actors, covers = _actor_types(raw, source)
    extractor_data = raw.get("extractor_data") or {}
    if not isinstance(extractor_data, dict):
        raise SchemaError(f"{source}: key 'extractor_data': expected a mapping")
    other = str(raw.get("other_target", "other"))
    claim_label = str(claim.get("label", "CLAIM"))
    if other in targets:
        raise SchemaError(f"{source}: key 'other_target': duplicate label '{other}'")
    if claim_label in actors:
        raise SchemaError(f"{source}: key 'claim.label': duplicate label '{claim_label}' (also an actor type)")
    return Schema(
        version=str(raw["version"]),
        name=str(raw.get("name", "")),
        description=" ".join(str(raw.get("description", "")).split()),
        stance_labels=stance,
        targets=targets,
        other_target=other,
        actor_types=actors,
        claim_label=claim_label,
        claim_definition=str(claim.get("definition", "")),
        speaker_relation=str(claim.get("speaker_relation", "speaker")),
        no_stance=no_stance,
        actor_covers={label: covers.get(label, ()) for label in actors},
        extractor_data=extractor_data,
        raw=raw,
    )


def load_schema(path: str | Path | None = None) -> Schema:
    """Read and check the schema file (YAML or JSON); default: the bundled example's schema."""
    from .project import example_dir

    path = Path(path) if path else example_dir() / "schema.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError(f"{path}: schema file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{path}: not valid YAML/JSON ({' '.join(str(exc).split())})") from None
    return parse_schema(raw, source=str(path))


def labeling_config(schema: Schema) -> str:
    """The Label Studio labeling config (XML) for ``schema``; deterministic."""

    def choices(name: str, labels, extra: str = "") -> list[str]:
        out = [f'    <Choices name="{name}" toName="{TEXT_NAME}" choice="single-radio" showInline="true"{extra}>']
        out += [f"      <Choice value={quoteattr(label)}/>" for label in labels]
        return out + ["    </Choices>"]

    lines = [
        f"<!-- Generated from schema '{schema.name}' version {schema.version} by `toolkit schema config`. Do not edit. -->",
        "<View>",
        '  <Header value="Actors"/>',
        f'  <Labels name="{ACTOR_TAG}" toName="{TEXT_NAME}">',
        *[f"    <Label value={quoteattr(a)} hint={quoteattr(d)}/>" for a, d in schema.actor_types.items()],
        "  </Labels>",
        '  <Header value="Claims (link each claim to its speaker with a relation)"/>',
        f'  <Labels name="{CLAIM_TAG}" toName="{TEXT_NAME}">',
        f"    <Label value={quoteattr(schema.claim_label)} hint={quoteattr(schema.claim_definition)}/>",
        "  </Labels>",
        f'  <Text name="{TEXT_NAME}" value="$text" granularity="symbol"/>',
        "  <Relations>",
        f"    <Relation value={quoteattr(schema.speaker_relation)}/>",
        "  </Relations>",
        f'  <View visibleWhen="region-selected" whenLabelValue={quoteattr(schema.claim_label)}>',
        '    <Header value="Claim target"/>',
        *choices(CLAIM_TARGET_TAG, schema.claim_targets, ' perRegion="true"'),
        '    <Header value="Claim stance"/>',
        *choices(CLAIM_STANCE_TAG, schema.stance_labels, ' perRegion="true"'),
        "  </View>",
        '  <View visibleWhen="no-region-selected">',
        '    <Header value="Document stance per target"/>',
    ]
    for target, definition in schema.targets.items():
        lines.append(f"    <Header value={quoteattr(f'{target}: {definition}')} size=\"6\"/>")
        # required: Label Studio refuses to submit until every target has a stance (it checks
        # this even while a region is selected and this view is hidden); the message says how.
        message = f"Choose a document stance for {target} ({schema.no_stance} if the article takes no position on it)."
        lines += choices(f"{DOC_STANCE_PREFIX}{target}", schema.stance_labels,
                         f' required="true" requiredMessage={quoteattr(message)}')
    lines += ["  </View>", "</View>", ""]
    return "\n".join(lines)


def validate_config(config: str) -> None:
    """Parse ``config`` with label-studio-sdk's ``LabelInterface``; raise :class:`SchemaError` if it fails."""
    from label_studio_sdk.label_interface import LabelInterface

    try:
        interface = LabelInterface(config)
        interface.validate()
    except Exception as exc:  # the SDK raises several exception types
        raise SchemaError(f"labeling config rejected by LabelInterface: {' '.join(str(exc).split())}") from None
    if TEXT_NAME not in interface._objects:  # noqa: SLF001 - no public accessor for object tags
        raise SchemaError(f"labeling config has no <Text name='{TEXT_NAME}'>")
