"""Names a package loads on first use (PEP 562), so importing the package stays light.

`gpudc` and `gpudc.core` export their public names this way: `import gpudc.cli` (for `gpudc
--help`) or `import gpudc.core.findings` imports neither pydantic nor Pulumi until a name that
needs them is read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(namespace: dict[str, Any], exports: Mapping[str, str]) -> Callable[[str], Any]:
    """The module `__getattr__` for the package whose `globals()` is `namespace`: `exports` maps
    each public name to the module that defines it."""

    def getattr_(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later lookups skip this function
        return value

    return getattr_
