"""The toolkit's exceptions. The CLI turns each into a one-line message and exit code 1."""


class ToolkitError(Exception):
    """Base class: the message is shown to the user as it is, on one line."""


class SchemaError(ToolkitError):
    """The schema file is malformed (names the key that is wrong)."""


class SourceError(ToolkitError):
    """A source document cannot be read (names the file or line)."""


class StudioError(ToolkitError):
    """Label Studio is unreachable, refuses the token, or answers unexpectedly."""


class GoldError(ToolkitError):
    """A Label Studio export is malformed (names the task and region)."""


class ExtractorError(ToolkitError):
    """An extractor is unknown, cannot run, or a predictions file is malformed."""


class PublishError(ToolkitError):
    """The dataset cannot be written or uploaded."""


class ProjectError(ToolkitError):
    """The project file (toolkit.yaml) is malformed, or a project cannot be created."""
