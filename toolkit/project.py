"""A team's project: the project file ``toolkit.yaml``, found from the current folder upwards.

The project file names everything the commands need by default: the schema, guidelines and
labeling config, the source articles, the gold (Label Studio exports, records JSONL or
dataset folders), where ``studio pull``, ``export``, ``dataset build``, ``publish --to`` and
``report`` write, and the Label Studio project (title and URL, never the token). Paths in it
are relative to the folder that holds it. Flags given on the command line override it.

Without a project file the commands run on the **bundled example project** (the Gaza
diplomacy schema, its five seed articles and their gold), which ships inside the package and
is read with :mod:`importlib.resources`; its outputs go to the current folder, never into
the installed package.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ProjectError

PROJECT_FILE = "toolkit.yaml"
EXAMPLE_TITLE = "Gaza diplomacy: stance, actors, claims"

_KEYS = {
    "name",
    "schema",
    "guidelines",
    "labeling_config",
    "sources",
    "gold",
    "pull",
    "tasks",
    "dataset",
    "hub",
    "report",
    "annotation_notes",
    "studio",
}
_STUDIO_KEYS = {"url", "title"}


def example_dir() -> Path:
    """The bundled example project inside the installed package (read-only)."""
    return Path(str(importlib.resources.files("toolkit") / "example"))


def package_dir() -> Path:
    """The installed package's folder: the toolkit never writes below it."""
    return Path(str(importlib.resources.files("toolkit"))).resolve()


@dataclass(frozen=True)
class Project:
    """Resolved defaults of one project (absolute paths); ``file`` is None for the bundled example."""

    name: str
    root: Path
    file: Path | None
    schema: Path
    guidelines: Path | None
    labeling_config: Path | None
    sources: Path | None
    gold: tuple[Path, ...]
    pull: Path | None
    tasks: Path
    dataset: Path
    hub: Path
    report: Path
    annotation_notes: Path | None
    studio_url: str | None = None
    studio_title: str = EXAMPLE_TITLE
    notes: tuple[str, ...] = field(default=())

    @property
    def is_example(self) -> bool:
        return self.file is None

    def describe(self) -> str:
        """One line saying which project the command runs on."""
        if self.is_example:
            return (
                "no toolkit.yaml here or above: using the bundled example project (Gaza diplomacy, 5 articles); "
                "`toolkit init DIR` starts your own"
            )
        return f"project '{self.name}' ({self.file})"


def bundled_example(cwd: Path | None = None) -> Project:
    """The bundled example project; its outputs go to ``cwd`` (default: the current folder)."""
    here = (cwd or Path.cwd()).resolve()
    ex = example_dir()
    return Project(
        name="gaza-diplomacy-example",
        root=ex,
        file=None,
        schema=ex / "schema.yaml",
        guidelines=ex / "GUIDELINES.md",
        labeling_config=None,  # the packaged copy is read-only: `schema config` needs -o here
        sources=ex / "seeds",
        gold=(ex / "gold" / "export.json",),
        pull=None,
        tasks=here / "tasks.json",
        dataset=here / "build" / "dataset",
        hub=here / "build" / "hub",
        report=here / "report.html",
        annotation_notes=ex / "gold" / "README.md",
    )


def find_project_file(start: Path | None = None) -> Path | None:
    """The nearest ``toolkit.yaml`` in ``start`` (default: the current folder) or a parent."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
    return None


def _path(raw: dict, key: str, root: Path, source: Path, default: str | None) -> Path | None:
    value = raw.get(key, default)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ProjectError(f"{source}: key '{key}': expected a path (a string)")
    return (root / value).resolve()


def load_project(path: Path) -> Project:
    """Read and check a project file; :class:`ProjectError` names the bad key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ProjectError(f"{path}: expected a mapping at the top level")
    unknown = sorted(set(map(str, raw)) - _KEYS)
    if unknown:
        raise ProjectError(f"{path}: unknown key '{unknown[0]}' (known: {', '.join(sorted(_KEYS))})")
    root = path.parent.resolve()
    gold = raw.get("gold", [])
    if isinstance(gold, str):
        gold = [gold]
    if not isinstance(gold, list) or not all(isinstance(g, str) and g.strip() for g in gold):
        raise ProjectError(f"{path}: key 'gold': expected a path or a list of paths")
    studio = raw.get("studio") or {}
    if not isinstance(studio, dict) or set(map(str, studio)) - _STUDIO_KEYS:
        raise ProjectError(f"{path}: key 'studio': expected a mapping with 'url' and 'title' (never the token)")
    name = str(raw.get("name") or root.name)
    p = lambda key, default: _path(raw, key, root, path, default)  # noqa: E731
    return Project(
        name=name,
        root=root,
        file=path.resolve(),
        schema=p("schema", "schema.yaml"),  # type: ignore[arg-type]
        guidelines=p("guidelines", None),
        labeling_config=p("labeling_config", "labeling_config.xml"),
        sources=p("sources", None),
        gold=tuple((root / g).resolve() for g in gold),
        pull=p("pull", None),
        tasks=p("tasks", "build/tasks.json"),  # type: ignore[arg-type]
        dataset=p("dataset", "build/dataset"),  # type: ignore[arg-type]
        hub=p("hub", "build/hub"),  # type: ignore[arg-type]
        report=p("report", "build/report.html"),  # type: ignore[arg-type]
        annotation_notes=p("annotation_notes", None),
        studio_url=str(studio["url"]) if studio.get("url") else None,
        studio_title=str(studio.get("title") or name),
    )


def current_project(start: Path | None = None) -> Project:
    """The project whose file is in ``start`` or above, else the bundled example."""
    found = find_project_file(start)
    return load_project(found) if found else bundled_example(start)
