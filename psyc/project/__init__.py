"""Projects on disk: ``psy.toml`` manifests, inputs files (TOML/JSON) and ``psyc new``."""

from psyc.project.inputs import (
    InputError,
    format_value,
    inputs_template,
    parse_inputs,
    read_inputs,
    write_inputs_json,
    write_inputs_toml,
)
from psyc.project.manifest import Project, ProjectError, find_project, load_manifest
from psyc.project.scaffold import new_project

__all__ = [
    "InputError",
    "Project",
    "ProjectError",
    "find_project",
    "format_value",
    "inputs_template",
    "load_manifest",
    "new_project",
    "parse_inputs",
    "read_inputs",
    "write_inputs_json",
    "write_inputs_toml",
]
