"""JSON Schema of a stack file, generated from `EnvironmentSpec` (never written by hand).

Point an editor at `schema/stack-file.schema.json` (e.g. `# yaml-language-server: $schema=...`)
for completion and inline docs of every field; a test keeps the committed file current.
"""

from __future__ import annotations

import json
from typing import Any

from gpudc.environment.load import CONFIG_KEY
from gpudc.environment.spec import EnvironmentSpec

__all__ = ["stack_file_schema", "stack_file_schema_json"]


def stack_file_schema() -> dict[str, Any]:
    """A `Pulumi.<stack>.yaml` whose `config:` holds `gpudc:environment` (other config keys allowed)."""
    environment = EnvironmentSpec.model_json_schema()
    definitions = environment.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "gpudc stack file",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": {CONFIG_KEY: environment},
                "required": [CONFIG_KEY],
            }
        },
        "$defs": definitions,
    }


def stack_file_schema_json() -> str:
    return json.dumps(stack_file_schema(), indent=2, sort_keys=True) + "\n"
