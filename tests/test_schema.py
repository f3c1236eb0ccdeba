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
