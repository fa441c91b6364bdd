"""Text artifacts (bootstrap files, reports) from jinja2 templates shipped inside the package."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

__all__ = ["render_template"]


@cache
def _environment(package: str) -> jinja2.Environment:
    # StrictUndefined: a template naming a value nobody passed fails loudly instead of printing "".
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # HTML templates (`*.html.j2`) escape every value; text and YAML ones write it as it is.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",), default_for_string=False, default=False
        ),
    )


def render_template(package: str, name: str, **context: Any) -> str:
    """Render `templates/<name>` of `package` (e.g. `gpudc.nodepool`) with `context`."""
    return _environment(package).get_template(name).render(**context)
