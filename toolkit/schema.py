"""Load the schema file, check it, and generate the Label Studio labeling config from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
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

_TOP_KEYS = {
    "version",
    "name",
    "description",
    "stance_labels",
    "no_stance",
    "targets",
    "other_target",
    "actor_types",
    "claim",
    "extractor_data",
}
_REQUIRED = {"version", "stance_labels", "targets", "actor_types", "claim"}
_CLAIM_KEYS = {"label", "definition", "fields", "speaker_relation"}
_ACTOR_KEYS = {"definition", "covers"}

#: The general English entity kinds an actor type can cover (OntoNotes names): a person, a
#: geo-political entity (a country, region or city, or its government), an organisation.
ENTITY_KINDS = ("PERSON", "GPE", "ORG")
#: Actor type names that cover a general kind without saying so (the bundled schema's names).
_DEFAULT_COVERS = {
    "PERSON": ("PERSON",),
    "STATE": ("GPE",),
    "COUNTRY": ("GPE",),
    "GPE": ("GPE",),
    "ORGANIZATION": ("ORG",),
    "ORGANISATION": ("ORG",),
    "ORG": ("ORG",),
}


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
        from .files import fingerprint

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
                    raise SchemaError(
                        f"{source}: key 'actor_types.{label}.covers': expected a list of {', '.join(ENTITY_KINDS)}"
                    )
                definitions[label] = spec.get("definition")
                covers[str(label)] = tuple(kinds)
            else:
                definitions[label] = spec
                covers[str(label)] = _DEFAULT_COVERS.get(str(label).upper(), ())
    else:
        definitions = value
    return _label_map({"actor_types": definitions}, "actor_types"), covers


def _top_level(raw: object, source: str) -> dict:
    """``raw`` as a mapping with only known keys and every required one."""
    if not isinstance(raw, dict):
        raise SchemaError(f"{source}: expected a mapping at the top level")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise SchemaError(f"{source}: unknown key '{unknown[0]}'")
    missing = sorted(_REQUIRED - set(raw))
    if missing:
        raise SchemaError(f"{source}: missing key '{missing[0]}'")
    return raw


def _claim_section(raw: dict, source: str) -> dict:
    """The ``claim`` mapping, checked: known keys only, and its fields exactly target and stance."""
    claim = raw["claim"]
    if not isinstance(claim, dict):
        raise SchemaError(f"{source}: key 'claim': expected a mapping")
    unknown = sorted(set(claim) - _CLAIM_KEYS)
    if unknown:
        raise SchemaError(f"{source}: unknown key 'claim.{unknown[0]}'")
    fields = claim.get("fields", ["target", "stance"])
    if sorted(fields) != ["stance", "target"]:
        raise SchemaError(f"{source}: key 'claim.fields' must be [target, stance]")
    return claim


def _stance_labels(raw: dict, source: str) -> tuple[dict[str, str], str]:
    """The stance labels (at least two) and the one of them that means no position."""
    stance = _label_map(raw, "stance_labels")
    if len(stance) < 2:
        raise SchemaError(f"{source}: key 'stance_labels': needs at least two labels")
    no_stance = str(raw.get("no_stance", "none"))
    if no_stance not in stance:
        raise SchemaError(
            f"{source}: key 'no_stance': '{no_stance}' is not one of the stance_labels "
            "(name the label that means 'no position')"
        )
    return stance, no_stance


def _extractor_data(raw: dict, source: str) -> dict:
    extractor_data = raw.get("extractor_data") or {}
    if not isinstance(extractor_data, dict):
        raise SchemaError(f"{source}: key 'extractor_data': expected a mapping")
    return extractor_data


def _check_distinct(other: str, targets: dict[str, str], claim_label: str, actors: dict[str, str], source: str) -> None:
    """The catch-all target is not also a target, and the claim label not also an actor type."""
    if other in targets:
        raise SchemaError(f"{source}: key 'other_target': duplicate label '{other}'")
    if claim_label in actors:
        raise SchemaError(f"{source}: key 'claim.label': duplicate label '{claim_label}' (also an actor type)")


def parse_schema(raw: object, source: str = "schema") -> Schema:
    """Check a parsed schema document and return a :class:`Schema`; raise :class:`SchemaError`."""
    top = _top_level(raw, source)
    claim = _claim_section(top, source)
    stance, no_stance = _stance_labels(top, source)
    targets = _label_map(top, "targets")
    actors, covers = _actor_types(top, source)
    extractor_data = _extractor_data(top, source)
    other = str(top.get("other_target", "other"))
    claim_label = str(claim.get("label", "CLAIM"))
    _check_distinct(other, targets, claim_label, actors, source)
    return Schema(
        version=str(top["version"]),
        name=str(top.get("name", "")),
        description=" ".join(str(top.get("description", "")).split()),
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
        raw=top,
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


#: Label colours (``background``): the Okabe-Ito colour-blind-safe hues, darkened where needed so
#: that white text on them (Label Studio's selected label button) has a WCAG contrast of at least
#: 4.5, sky blue dropped (too close to blue once darkened), then violet, dark red and teal. Actor
#: types take them in schema order (they repeat after eight types); the claim label has its own.
ACTOR_COLOURS = ("#0072B2", "#C35600", "#008762", "#BC4F8B", "#6A4FC9", "#80770A", "#A02C2C", "#00778A")
CLAIM_COLOUR = "#333333"

# Hotkeys. Label Studio 1.23.2 binds every <Label>/<Choice> hotkey globally (whatever is visible)
# and auto-assigns the keys "1234567890qwetasdfgzxcvbyiopjklnm" to anything without one, skipping
# its own r, u (unselect) and h; its other shortcuts are ctrl/alt combinations, alt+shift+digit
# (select a region), shift+1/shift+2 (zoom), shift+r, enter, escape, backspace and delete.
_DIGITS = tuple("1234567890")
_LETTERS = tuple("qwetyiopasdfgjklzxcvbnm")  # keyboard order, without r, u, h
_SHIFTED = tuple(f"shift+{k}" for k in (*_LETTERS, *"34567890"))


def _hotkeys(groups: list[tuple[str, int]]) -> list[list[str | None]]:
    """Collision-free hotkeys for ``groups`` of ``(kind, size)``: span labels (``label``) take
    digits first, per-region choices (``region``) letters, document stances (``doc``) shift+key;
    each falls back to the other pools, and ``None`` once all 64 keys are taken."""
    prefer = {
        "label": (*_DIGITS, *_LETTERS, *_SHIFTED),
        "region": (*_LETTERS, *_DIGITS, *_SHIFTED),
        "doc": (*_SHIFTED, *_LETTERS, *_DIGITS),
    }
    used: set[str | None] = set()
    out = []
    for kind, size in groups:
        keys = []
        for _ in range(size):
            key = next((k for k in prefer[kind] if k not in used), None)
            used.add(key)
            keys.append(key)
        out.append(keys)
    return out


# Styles: the box that holds the label buttons (or the selected region's note), its titles, and notes.
_LABEL_BOX = "min-height: 96px; display: flow-root"  # flow-root: its margins stay inside
_TITLE = "margin: 4px 0"
_NOTE = "margin: 4px 0 8px; font-size: 15px; font-weight: normal"
_NOTE_ABOVE_TEXT = "margin: 4px 0 32px; font-size: 15px; font-weight: normal"  # room for the relation arrows


class _ConfigKeys(NamedTuple):
    """The hotkeys of a labeling config, group by group (``None``: no key left)."""

    labels: list[str | None]  # actor types, then the claim label
    claim_target: list[str | None]
    claim_stance: list[str | None]
    doc_stances: list[list[str | None]]  # one group per document target

    def missing(self) -> int:
        return sum(
            k is None for group in (self.labels, self.claim_target, self.claim_stance, *self.doc_stances) for k in group
        )


def _config_keys(schema: Schema) -> _ConfigKeys:
    stances = len(schema.stance_labels)
    labels, target, stance, *docs = _hotkeys(
        [
            ("label", len(schema.actor_types) + 1),
            ("region", len(schema.claim_targets)),
            ("region", stances),
            *[("doc", stances)] * len(schema.targets),
        ]
    )
    return _ConfigKeys(labels, target, stance, docs)


def _hotkey(key: str | None) -> str:
    return f" hotkey={quoteattr(key)}" if key else ""


def _choices(name: str, values: list[str], keys: list[str | None], hints: dict[str, str], extra: str = "") -> list[str]:
    """A ``<Choices>`` of single-radio buttons on the text, with their hotkeys and hints."""
    out = [f'    <Choices name="{name}" toName="{TEXT_NAME}" choice="single-radio" showInline="true"{extra}>']
    out += [
        f"      <Choice value={quoteattr(v)}{_hotkey(k)}{f' hint={quoteattr(hints[v])}' if hints.get(v) else ''}/>"
        for v, k in zip(values, keys, strict=True)
    ]
    return [*out, "    </Choices>"]


def _config_comment(schema: Schema, keys: _ConfigKeys) -> str:
    """The XML comment that heads the config: where it comes from, and which hotkey does what."""

    def listed(group: list[str | None]) -> str:
        return " ".join(k or "-" for k in group)

    missing = keys.missing()
    comment = [
        f"Generated from schema '{schema.name}' version {schema.version} by `toolkit schema config`. Do not edit.",
        "     Hotkeys: Label Studio binds them globally (whatever is shown), so no two are alike.",
        f"       span labels: {listed(keys.labels)}",
        f"       claim target: {listed(keys.claim_target)}; claim stance: {listed(keys.claim_stance)}",
        "       document stances, target by target:",
        *[f"         {t}: {listed(k)}" for t, k in zip(schema.targets, keys.doc_stances, strict=True)],
        "     Never r, u, h, ctrl/alt combinations, shift+1, shift+2: Label Studio's own."
        + (f" {missing} choices have no hotkey: all 64 keys are taken." if missing else ""),
        "     While a region is selected the label buttons are hidden, so a click cannot add a label of",
        "     another group to it (the importer reports such a region); a label's hotkey still can.",
    ]
    return "<!-- " + "\n".join(comment).replace("--", "- -") + " -->"  # "--" may not occur in a comment


def _label_box(schema: Schema, keys: _ConfigKeys) -> list[str]:
    """The label buttons above the text, actors and claims side by side; while a region is
    selected a note on it takes their place, in a box of fixed height, so the text stays put."""
    q = quoteattr
    colours = {a: ACTOR_COLOURS[i % len(ACTOR_COLOURS)] for i, a in enumerate(schema.actor_types)}
    colours[schema.claim_label] = CLAIM_COLOUR
    hotkeys = dict(zip([*schema.actor_types, schema.claim_label], keys.labels, strict=True))

    def label(value: str, hint: str) -> str:
        return f"            <Label value={q(value)} background={q(colours[value])}{_hotkey(hotkeys[value])} hint={q(hint)}/>"

    return [
        f'  <View style="{_LABEL_BOX}">',
        '    <View visibleWhen="no-region-selected">',
        '      <View style="display: flex; flex-wrap: wrap; column-gap: 48px">',
        "        <View>",
        f'          <Header value="Actors" size="5" style="{_TITLE}"/>',
        f'          <Labels name="{ACTOR_TAG}" toName="{TEXT_NAME}">',
        *[label(a, d) for a, d in schema.actor_types.items()],
        "          </Labels>",
        "        </View>",
        "        <View>",
        f'          <Header value="Claims" size="5" style="{_TITLE}"/>',
        f'          <Labels name="{CLAIM_TAG}" toName="{TEXT_NAME}">',
        label(schema.claim_label, schema.claim_definition),
        "          </Labels>",
        "        </View>",
        "      </View>",
        "    </View>",
        f'    <View visibleWhen="region-selected" whenTagName="{ACTOR_TAG}">',
        f'      <Header value="Actor selected" size="5" style="{_TITLE}"/>',
        (
            '      <Header value="To change its type, delete it (Backspace) and draw it again. '
            f'Click it again (or press U) to unselect it." style="{_NOTE}"/>'
        ),
        "    </View>",
        f'    <View visibleWhen="region-selected" whenTagName="{CLAIM_TAG}">',
        f'      <Header value={q(f"{schema.claim_label} selected")} size="5" style="{_TITLE}"/>',
        (
            '      <Header value="Choose its target and stance below the text. Click it again (or press U) to unselect it."'
            f' style="{_NOTE}"/>'
        ),
        "    </View>",
        "  </View>",
    ]


def _text_and_relation(schema: Schema) -> list[str]:
    """How to link a claim to its speaker, the text itself, and the (unlabelled) relation."""
    q = quoteattr
    relation = (
        f"Claim → {schema.speaker_relation}: select the claim, press Alt+R (or click 'Create Relation' in its "
        f"details), then click the {schema.speaker_relation}. The relation needs no label."
    )
    return [
        f'  <Header value={q(relation)} style="{_NOTE_ABOVE_TEXT}"/>',
        f'  <Text name="{TEXT_NAME}" value="$text" granularity="symbol"/>',
        '  <Relations choice="single">',
        f"    <Relation value={q(schema.speaker_relation)}/>",
        "  </Relations>",
    ]


def _claim_choices(schema: Schema, keys: _ConfigKeys) -> list[str]:
    """Target and stance of the selected claim, shown only while a claim is selected."""
    q = quoteattr
    hints = {**schema.targets, schema.other_target: "Any other target (not one of the document targets)."}
    return [
        f'  <View visibleWhen="region-selected" whenLabelValue={q(schema.claim_label)}>',
        f"    <Header value={q(f'Claim target: what the {schema.claim_label} is about')}/>",
        *_choices(CLAIM_TARGET_TAG, schema.claim_targets, keys.claim_target, hints, ' perRegion="true"'),
        f"    <Header value={q(f'Claim stance: the position of the {schema.claim_label} on its target')}/>",
        *_choices(
            CLAIM_STANCE_TAG, list(schema.stance_labels), keys.claim_stance, schema.stance_labels, ' perRegion="true"'
        ),
        "  </View>",
    ]


def _doc_stance_choices(schema: Schema, keys: _ConfigKeys) -> list[str]:
    """One required stance per document target, shown while no region is selected."""
    q = quoteattr
    lines = ['  <View visibleWhen="no-region-selected">', '    <Header value="Document stance per target"/>']
    for (target, definition), group_keys in zip(schema.targets.items(), keys.doc_stances, strict=True):
        lines.append(f'    <Header value={q(f"{target}: {definition}" if definition else target)} size="6"/>')
        # required: Label Studio refuses to submit until every target has a stance (it checks
        # this even while a region is selected and this view is hidden); the message says how.
        message = f"Choose a document stance for {target} ({schema.no_stance} if the article takes no position on it)."
        lines += _choices(
            f"{DOC_STANCE_PREFIX}{target}",
            list(schema.stance_labels),
            group_keys,
            schema.stance_labels,
            f' required="true" requiredMessage={q(message)}',
        )
    return [*lines, "  </View>"]


def labeling_config(schema: Schema) -> str:
    """The Label Studio labeling config (XML) for ``schema``; deterministic.

    Presentation only: the control tags' names (``actor``, ``claim``, ``claim_target``,
    ``claim_stance``, ``doc_stance__<target>``) and values are what the importer reads.
    """
    keys = _config_keys(schema)
    lines = [
        _config_comment(schema, keys),
        "<View>",
        *_label_box(schema, keys),
        *_text_and_relation(schema),
        *_claim_choices(schema, keys),
        *_doc_stance_choices(schema, keys),
        "</View>",
        "",
    ]
    return "\n".join(lines)


def validate_config(config: str) -> None:
    """Parse ``config`` with label-studio-sdk's ``LabelInterface``; raise :class:`SchemaError` if it fails."""
    from label_studio_sdk.label_interface import LabelInterface

    try:
        interface = LabelInterface(config)
        interface.validate()
    except Exception as exc:  # noqa: BLE001 - the SDK raises several exception types; all mean a rejected config
        raise SchemaError(f"labeling config rejected by LabelInterface: {' '.join(str(exc).split())}") from None
    if TEXT_NAME not in interface._objects:  # no public accessor for object tags
        raise SchemaError(f"labeling config has no <Text name='{TEXT_NAME}'>")
