"""Kubernetes object names: DNS-1123, at most 63 characters, stable when trimmed.

Every `metadata.name` gpudc writes comes from `k8s_name`, so a long site or pool name can never
produce an object the API server rejects, and two long names that share a prefix never collide:
a trimmed name ends in a short hash of the full one.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["MAX_NAME_LENGTH", "k8s_name"]

MAX_NAME_LENGTH = 63
_HASH_LENGTH = 6
_INVALID = re.compile(r"[^a-z0-9-]+")
_DASHES = re.compile(r"-{2,}")


def k8s_name(*parts: str, max_length: int = MAX_NAME_LENGTH) -> str:
    """Join `parts` with '-' into a DNS-1123 label of at most `max_length` characters.

    Characters outside [a-z0-9-] become '-', case is folded, and a name longer than the limit is
    cut and given a 6-character hash of the untrimmed name, so the result is deterministic.
    """
    if not parts or not any(parts):
        raise ValueError("k8s_name needs at least one non-empty part")
    if max_length <= _HASH_LENGTH + 1:
        raise ValueError(f"max_length must be > {_HASH_LENGTH + 1}, got {max_length}")
    full = "-".join(part for part in parts if part)
    name = _DASHES.sub("-", _INVALID.sub("-", full.lower())).strip("-")
    if not name:
        raise ValueError(f"no DNS-1123 characters in {full!r}")
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(full.encode()).hexdigest()[:_HASH_LENGTH]
    head = name[: max_length - _HASH_LENGTH - 1].rstrip("-")
    return f"{head}-{digest}"
