"""JSON Schema of a stack file, generated from `EnvironmentSpec` (never written by hand).

Point an editor at `schema/stack-file.schema.json` (e.g. `# yaml-language-server: $schema=...`)
for completion and inline docs of every field; a test keeps the committed file current. The
whole file is described, not only the environment: an editor flags `confg:` at the top and a
`gpudc:enviroment` typo under `config:`, and offers the catalog's model keys.
"""

from __future__ import annotations

import json
from typing import Any

from gpudc.catalog.gpus import GPU_MODELS
from gpudc.catalog.nodes import NODE_MODELS
from gpudc.core.project import STACK_FILE_KEYS
from gpudc.environment.load import CONFIG_KEY, CONFIG_NAMESPACE
from gpudc.environment.spec import EnvironmentSpec

__all__ = ["stack_file_schema", "stack_file_schema_json"]


def stack_file_schema() -> dict[str, Any]:
    """A `Pulumi.<stack>.yaml` whose `config:` holds `gpudc:environment` and the secrets it names."""
    environment = EnvironmentSpec.model_json_schema()
    definitions = environment.pop("$defs", {})
    pool = definitions.get("NodePoolSpec", {}).get("properties", {})
    if "node_model" in pool:
        pool["node_model"]["examples"] = sorted(NODE_MODELS)
    node = definitions.get("NodeModel", {}).get("properties", {})
    if "gpu_model" in node:
        node["gpu_model"]["examples"] = sorted(GPU_MODELS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "gpudc stack file",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": {CONFIG_KEY: environment},
                "required": [CONFIG_KEY],
                # Other gpudc: keys are kubeconfig secrets (`secure:` values); other namespaces
                # belong to other programs and providers.
                "patternProperties": {
                    f"^{CONFIG_NAMESPACE}:(?!environment$)": {
                        "type": "object",
                        "properties": {"secure": {"type": "string"}},
                        "required": ["secure"],
                        "additionalProperties": False,
                    }
                },
            },
            **{
                key: {"description": f"Pulumi's own stack setting `{key}`."}
                for key in sorted(STACK_FILE_KEYS - {"config"})
            },
        },
        "required": ["config"],
        "additionalProperties": False,
        "$defs": definitions,
    }


def stack_file_schema_json() -> str:
    return json.dumps(stack_file_schema(), indent=2, sort_keys=True) + "\n"
