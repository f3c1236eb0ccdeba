import json

import pytest
import yaml
from label_studio_sdk.label_interface import LabelInterface
from typer.testing import CliRunner

from conftest import ROOT
from toolkit.cli import app
from toolkit.errors import SchemaError
from toolkit.schema import labeling_config, load_schema, parse_schema, validate_config

RAW = yaml.safe_load((ROOT / "schemas" / "schema.yaml").read_text())


def test_committed_config_is_up_to_date(schema):
    committed = (ROOT / "schemas" / "labeling_config.xml").read_text(encoding="utf-8")
    assert committed == labeling_config(schema), "run `toolkit schema config`"


def test_config_has_every_label_of_the_schema(schema):
    interface = LabelInterface(labeling_config(schema))
    assert set(interface.get_control("actor").labels) == set(schema.actor_types)
    assert interface.get_control("claim").labels == [schema.claim_label]
    assert interface.get_control("claim_target").labels == schema.claim_targets
    assert interface.get_control("claim_stance").labels == ["favor", "against", "neutral", "none"]
    for target in schema.targets:
        assert interface.get_control(f"doc_stance__{target}").labels == list(schema.stance_labels)


def test_stance_labels_keep_neutral_and_none_apart(schema):
    assert {"neutral", "none"} <= set(schema.stance_labels)
    assert schema.stance_labels["neutral"] != schema.stance_labels["none"]


def test_validate_config_rejects_broken_xml():
    with pytest.raises(SchemaError, match="LabelInterface"):
        validate_config("<View><Labels name='x' toName='missing'>")


@pytest.mark.parametrize(
    "change, key",
    [
        (lambda r: r.update(colour="red"), "colour"),
        (lambda r: r["claim"].update(speaker="x"), "claim.speaker"),
        (lambda r: r.update(targets={}), "targets"),
        (lambda r: r.update(actor_types=["PERSON", "STATE", "person"]), "actor_types"),
        (lambda r: r.pop("stance_labels"), "stance_labels"),
        (lambda r: r["claim"].update(label="PERSON"), "claim.label"),
    ],
)
def test_bad_schema_names_the_key(change, key):
    raw = json.loads(json.dumps(RAW))
    change(raw)
    with pytest.raises(SchemaError) as info:
        parse_schema(raw)
    assert f"'{key}'" in str(info.value)
    assert "\n" not in str(info.value)


def test_cli_check_fails_when_out_of_date(tmp_path):
    runner = CliRunner()
    stale = tmp_path / "config.xml"
    stale.write_text("<View/>")
    result = runner.invoke(app, ["schema", "config", "--check", "-o", str(stale)])
    assert result.exit_code == 1
    assert "out of date" in result.output
    assert runner.invoke(app, ["schema", "config", "-o", str(stale)]).exit_code == 0
    assert runner.invoke(app, ["schema", "config", "--check", "-o", str(stale)]).exit_code == 0


def test_cli_bad_schema_is_one_line(tmp_path):
    bad = tmp_path / "schema.yaml"
    bad.write_text(yaml.safe_dump({**RAW, "extra": 1}))
    result = CliRunner().invoke(app, ["schema", "config", "--schema", str(bad), "-o", str(tmp_path / "x.xml")])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "unknown key 'extra'" in result.output
    assert not (tmp_path / "x.xml").exists()


def test_load_schema_missing_file(tmp_path):
    with pytest.raises(SchemaError, match="not found"):
        load_schema(tmp_path / "nope.yaml")


# --- presentation: colours, hotkeys, instructions (the control names above stay as they are) ---

# Label Studio 1.23.2's own shortcuts (its keymap.json, and the keys its automatic hotkeys skip).
LS_RESERVED = {"u", "h", "r", "shift+r", "shift+1", "shift+2", "enter", "escape", "backspace", "delete", "[", "]"}


def _config_tags(config: str):
    import xml.etree.ElementTree as ET

    return ET.fromstring(config.split("-->", 1)[1])


def _hotkeys_of(config: str) -> dict[tuple[str, str], str | None]:
    """(control name, value) -> hotkey, for every Label and Choice."""
    root = _config_tags(config)
    return {
        (group.get("name"), item.get("value")): item.get("hotkey")
        for group in root.iter()
        if group.tag in ("Labels", "Choices")
        for item in group
        if item.tag in ("Label", "Choice")
    }


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #RRGGBB colours."""

    def luminance(colour: str) -> float:
        rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _lab(colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of a #RRGGBB colour."""
    rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def test_label_colours_are_distinct_and_readable(schema):
    import math

    root = _config_tags(labeling_config(schema))
    colours = {label.get("value"): label.get("background") for label in root.iter("Label")}
    assert list(colours) == [*schema.actor_types, schema.claim_label]
    for value, colour in colours.items():
        # white text on the colour: Label Studio's selected label button
        assert _contrast(colour, "#FFFFFF") >= 4.5, (value, colour)
    pairs = [(a, b) for i, a in enumerate(colours) for b in list(colours)[i + 1 :]]
    for a, b in pairs:
        assert math.dist(_lab(colours[a]), _lab(colours[b])) >= 25, (a, b)  # CIE76 colour difference


def test_palette_before_it_repeats():
    import math

    from toolkit.schema import ACTOR_COLOURS, CLAIM_COLOUR

    palette = [*ACTOR_COLOURS, CLAIM_COLOUR]
    assert len(set(palette)) == len(palette)
    assert all(_contrast(c, "#FFFFFF") >= 4.5 for c in palette)
    assert min(math.dist(_lab(a), _lab(b)) for i, a in enumerate(palette) for b in palette[i + 1 :]) >= 25


def test_every_label_and_choice_has_its_own_hotkey(schema):
    keys = _hotkeys_of(labeling_config(schema))
    assert len(keys) == len(schema.actor_types) + 1 + len(schema.claim_targets) + len(schema.stance_labels) * (
        1 + len(schema.targets)
    )
    assert None not in keys.values()
    assert len(set(keys.values())) == len(keys)  # Label Studio binds them globally: no two alike
    assert not set(keys.values()) & LS_RESERVED
    assert not [k for k in keys.values() if k.startswith(("ctrl+", "alt+", "command+"))]
    # span labels on digits (as the browser tests press them), per-region choices on letters,
    # document stances on shift+key
    assert [keys["actor", a] for a in schema.actor_types] + [keys["claim", schema.claim_label]] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert all(len(keys["claim_target", t]) == 1 and keys["claim_target", t].isalpha() for t in schema.claim_targets)
    assert all(keys[f"doc_stance__{t}", s].startswith("shift+") for t in schema.targets for s in schema.stance_labels)


def test_hotkeys_never_collide_and_run_out_last_on_document_stances():
    raw = json.loads(json.dumps(RAW))
    raw["targets"] = {f"target_{i}": "" for i in range(19)}  # 20 targets x 4 stances: more keys than there are
    raw["targets"]["a--b"] = "a name that cannot stand in an XML comment as it is"
    raw["actor_types"] = [f"TYPE_{i}" for i in range(12)]
    schema = parse_schema(raw)
    config = labeling_config(schema)
    validate_config(config)
    keys = _hotkeys_of(config)
    given = [k for k in keys.values() if k]
    assert len(given) == len(set(given)) == 64 and not set(given) & LS_RESERVED
    assert all(keys["actor", a] for a in schema.actor_types) and keys["claim", schema.claim_label]
    assert all(keys["claim_target", t] for t in schema.claim_targets)
    assert all(keys["claim_stance", s] for s in schema.stance_labels)
    assert next(name for (name, _), k in keys.items() if not k).startswith("doc_stance__")
    missing = sum(not k for k in keys.values())
    assert f"{missing} choices have no hotkey" in config
    root = _config_tags(config)
    colours = [label.get("background") for label in root.find(".//Labels[@name='actor']")]
    assert colours[:8] == list(dict.fromkeys(colours))[:8]  # eight distinct colours, then they repeat


def test_config_explains_the_speaker_relation_and_hides_labels_on_a_selected_region(schema):
    config = labeling_config(schema)
    root = _config_tags(config)
    headers = [h.get("value") for h in root.iter("Header")]
    assert (
        "Claim → speaker: select the claim, press Alt+R (or click 'Create Relation' in its details), "
        "then click the speaker. The relation needs no label."
    ) in headers
    assert root.find("Relations").get("choice") == "single"
    assert [r.get("value") for r in root.iter("Relation")] == [schema.speaker_relation]
    # Both <Labels> sit in a view shown only while no region is selected: a click on a label cannot
    # add a second group's label to a selected region (Label Studio 1.23.2 has no other setting).
    views = [v for v in root.iter("View") if v.get("visibleWhen") == "no-region-selected"]
    holders = [v for v in views if v.find(".//Labels") is not None]
    assert len(holders) == 1
    assert {lab.get("name") for lab in holders[0].iter("Labels")} == {"actor", "claim"}
    # readable titles over the per-region choices
    assert "Claim target: what the CLAIM is about" in headers
    assert "Claim stance: the position of the CLAIM on its target" in headers
