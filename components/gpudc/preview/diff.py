"""`gpudc diff`: what a change does, from two plan.json files alone, for a pull-request comment.

Resources are matched the way the Pulumi engine matches them: by URN, or by an alias the new
resource records (a move, not a replacement). What is left over is paired where it is the same
thing under a new URN (same parent, same type, mostly the same inputs): Pulumi creates the new
one and deletes the old, so the pair is flagged REPLACE with the reason. A matched resource is
also replaced when its Kubernetes name, namespace or kind changes, or a field it records in
`replaceOnChanges` changes. Deletes and replaces of protected resources (`protect`,
`retainOnDelete`) come first. Capacity deltas and findings come from the `derived` blocks.

Plans are redacted when recorded; the diff redacts again wherever either side holds `[secret]`
(a value that stops being secret must not be printed because it changed). Knows no domain: it
reads plans and the derived block only.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from gpudc.core.text import render_template
from gpudc.environment.derived import Derived, FindingRecord, SiteFigures
from gpudc.preview.plan import Plan
from gpudc.preview.recorder import SECRET, Registration

__all__ = [
    "COMMENT_LIMIT",
    "Action",
    "FieldChange",
    "PlanDiff",
    "ResourceChange",
    "comment_marker",
    "diff_plans",
    "render_json",
    "render_markdown",
]

COMMENT_LIMIT = 65_536
"""GitHub refuses an issue or pull-request comment body longer than this many characters."""
_BUDGET = COMMENT_LIMIT - 1_536  # room for the truncation note and any wrapper a workflow adds

_VALUE_WIDTH = 80
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PAIRING_SIMILARITY = 0.5
"""Share of input leaves two resources must have in common to be called one thing renamed,
when their parents are the same (under a renamed parent, the same type is enough)."""


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    MOVE = "move"
    """A new URN the old one is an alias of: state moves, nothing in the cluster changes."""


_SYMBOL = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REPLACE: "+-",
    Action.DELETE: "-",
    Action.MOVE: ">",
}
_ORDER = (Action.REPLACE, Action.DELETE, Action.UPDATE, Action.CREATE, Action.MOVE)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One input path that differs, values rendered short (`spec.nodes: 4 -> 8`)."""

    path: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class ResourceChange:
    action: Action
    urn: str
    """HEAD's URN (BASE's for a delete)."""
    type: str
    name: str
    component: str
    """The component it belongs to, `Type name` (its own for a component)."""
    was: str = ""
    """BASE's URN when it differs (a move or a replacement under a new URN)."""
    changes: tuple[FieldChange, ...] = ()
    reasons: tuple[str, ...] = ()
    """Why it is replaced."""
    protection: str = ""
    """`protect` or `retainOnDelete` as BASE (what is deployed) records it, else empty."""

    @property
    def at_risk(self) -> bool:
        """A protected resource this change deletes or replaces: listed first, in bold."""
        return bool(self.protection) and self.action in (Action.DELETE, Action.REPLACE)

    @property
    def symbol(self) -> str:
        return _SYMBOL[self.action]

    @property
    def kind(self) -> str:
        """The type's last segment: `ConfigMap`, `GpuNodePool`."""
        return self.type.rsplit(":", 1)[-1]

    @property
    def protection_note(self) -> str:
        if self.protection == "protect":
            return "protected: `pulumi up` stops here until `pulumi state unprotect` is run for it"
        if self.protection == "retainOnDelete":
            return "retained: the old object stays in the cluster, no longer managed"
        return ""


@dataclass(frozen=True, slots=True)
class FigureDelta:
    label: str
    before: float
    after: float
    decimals: int

    def show(self, value: float) -> str:
        return f"{value:,.{self.decimals}f}"

    @property
    def delta(self) -> str:
        change = self.after - self.before
        return ("+" if change > 0 else "") + f"{change:,.{self.decimals}f}"


@dataclass(frozen=True, slots=True)
class SiteDelta:
    site: str
    status: str
    """`added`, `removed` or `changed`."""
    figures: tuple[FigureDelta, ...]


@dataclass(frozen=True, slots=True)
class PlanDiff:
    stack: str
    changes: tuple[ResourceChange, ...]
    unchanged: int
    sites: tuple[SiteDelta, ...]
    new_findings: tuple[FindingRecord, ...]
    resolved_findings: tuple[FindingRecord, ...]

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action is action)

    @property
    def counts(self) -> dict[str, int]:
        return {action.value: self.count(action) for action in _ORDER} | {"unchanged": self.unchanged}

    @property
    def at_risk(self) -> tuple[ResourceChange, ...]:
        return tuple(change for change in self.changes if change.at_risk)

    @property
    def empty(self) -> bool:
        return not (self.changes or self.sites or self.new_findings or self.resolved_findings)


# Site figures a reviewer weighs, with the decimals the report shows.
_FIGURES = (
    ("nodes", "nodes", 0),
    ("GPUs", "gpus", 0),
    ("IT power (kW)", "it_power_kw", 1),
    ("peak facility power (kW)", "facility_power_kw", 1),
    ("facility energy (MWh/yr)", "facility_energy_mwh_per_year", 1),
    ("CO2 (t/yr)", "co2_tonnes_per_year", 1),
    ("water (m3/yr)", "water_m3_per_year", 1),
)


def comment_marker(stack: str) -> str:
    """The hidden first line of a stack's comment: a workflow finds and edits it by this."""
    return f"<!-- gpudc-diff:{stack} -->"


# ---------------------------------------------------------------------------------------------
# Matching


def diff_plans(base: Plan, head: Plan) -> PlanDiff:
    """Compare two plans of one stack (BASE: what is deployed; HEAD: what the change plans)."""
    base_by_urn = {resource.urn: resource for resource in base.resources}
    matched: dict[str, str] = {}  # head urn -> base urn
    for resource in head.resources:
        if resource.urn in base_by_urn:
            matched[resource.urn] = resource.urn
    taken = set(matched.values())
    for resource in head.resources:
        if resource.urn in matched:
            continue
        for alias in resource.options.get("aliases", ()):
            if alias in base_by_urn and alias not in taken:
                matched[resource.urn] = alias
                taken.add(alias)
                break
    renamed = _pair_renames(base_by_urn, head, matched, taken)
    matched.update(renamed)
    taken.update(renamed.values())
    components = _components(base.resources) | _components(head.resources)

    changes: list[ResourceChange] = []
    unchanged = 0
    for resource in head.resources:
        old_urn = matched.get(resource.urn)
        if old_urn is None:
            changes.append(_change(Action.CREATE, resource, components))
            continue
        change = _compare(base_by_urn[old_urn], resource, components, renamed=resource.urn in renamed)
        if change is None:
            unchanged += 1
        else:
            changes.append(change)
    for resource in base.resources:
        if resource.urn not in taken:
            changes.append(_change(Action.DELETE, resource, components, protection=_protection(resource)))
    return PlanDiff(
        stack=head.stack,
        changes=tuple(sorted(changes, key=lambda c: (not c.at_risk, _ORDER.index(c.action), c.urn))),
        unchanged=unchanged,
        sites=_site_deltas(base.derived, head.derived),
        new_findings=_findings_minus(head.derived, base.derived),
        resolved_findings=_findings_minus(base.derived, head.derived),
    )


def _depth(urn: str) -> int:
    return urn.split("::")[2].count("$")


def _pair_renames(
    base_by_urn: Mapping[str, Registration], head: Plan, matched: Mapping[str, str], taken: set[str]
) -> dict[str, str]:
    """Pair what was deleted with what was created when it is the same thing under a new URN.

    Parents first, so a renamed component's children pair under it: a child whose name is its
    parent's old name with the same suffix pairs at once, any other by the most equal inputs.
    Under the same parent a pair needs mostly equal inputs; a created resource and a deleted one
    of the same logical name but another type (a Kubernetes kind or API version changed) pair too.
    """
    pairs: dict[str, str] = {}
    orphans: dict[str, dict[str, Registration]] = {}  # parent urn -> urn -> deleted resource
    for urn, resource in base_by_urn.items():
        if urn not in taken:
            orphans.setdefault(resource.parent, {})[urn] = resource
    names = {resource.urn: resource.name for resource in head.resources}
    leaves: dict[str, dict[str, Any]] = {}

    def flat(resource: Registration) -> dict[str, Any]:
        if resource.urn not in leaves:
            leaves[resource.urn] = dict(_leaves(resource.inputs))
        return leaves[resource.urn]

    for resource in sorted(head.resources, key=lambda r: (_depth(r.urn), r.urn)):
        if resource.urn in matched:
            continue
        parent = pairs.get(resource.parent) or matched.get(resource.parent) or resource.parent
        candidates = orphans.get(parent, {})
        if not candidates:
            continue
        parent_renamed = resource.parent in pairs
        found = None
        if parent_renamed:
            old_parent, new_parent = base_by_urn[parent].name, names[resource.parent]
            if resource.name.startswith(new_parent):
                expected = _urn_with_name(resource, parent, old_parent + resource.name[len(new_parent) :])
                found = expected if expected in candidates else None
        if found is None:
            best: tuple[float, str] | None = None
            for urn, old in candidates.items():
                if not _same_thing(old, resource):
                    continue
                score = _similarity(flat(old), flat(resource))
                enough = parent_renamed or old.name == resource.name or score >= _PAIRING_SIMILARITY
                if enough and (best is None or score > best[0]):
                    best = (score, urn)
            found = best[1] if best else None
        if found is not None:
            pairs[resource.urn] = found
            del candidates[found]
    return pairs


def _urn_with_name(resource: Registration, parent: str, name: str) -> str:
    """The URN `resource` would have under the component `parent` with `name` (the engine's form:
    the parent's whole type chain, then the resource's type)."""
    stack_project = resource.urn.split("::")[0:2]
    return "::".join([*stack_project, f"{parent.split('::')[2]}${resource.type}", name])


def _same_thing(old: Registration, new: Registration) -> bool:
    if old.type == new.type:
        return True
    # Another kind or API version of a Kubernetes object with the same logical name.
    return old.name == new.name and old.type.startswith("kubernetes:") and new.type.startswith("kubernetes:")


def _similarity(old: Mapping[str, Any], new: Mapping[str, Any]) -> float:
    """Share of input leaves (path and value) two resources have in common."""
    keys = old.keys() | new.keys()
    if not keys:
        return 1.0
    return sum(1 for key in keys if key in old and key in new and old[key] == new[key]) / len(keys)


def _components(resources: Iterable[Registration]) -> dict[str, str]:
    """URN -> `Type name` for every component (non-custom resource)."""
    return {
        resource.urn: f"{resource.type.rsplit(':', 1)[-1]} {resource.name}"
        for resource in resources
        if not resource.custom
    }


def _group(resource: Registration, components: Mapping[str, str]) -> str:
    if not resource.custom:
        return components[resource.urn]
    if resource.type.startswith("pulumi:providers:"):
        return "providers"
    return components.get(resource.parent, "stack")


def _protection(resource: Registration) -> str:
    if resource.options.get("protect"):
        return "protect"
    if resource.options.get("retainOnDelete"):
        return "retainOnDelete"
    return ""


def _change(
    action: Action, resource: Registration, components: Mapping[str, str], **more: Any
) -> ResourceChange:
    return ResourceChange(
        action=action,
        urn=resource.urn,
        type=resource.type,
        name=resource.name,
        component=_group(resource, components),
        **more,
    )


def _compare(
    old: Registration, new: Registration, components: Mapping[str, str], *, renamed: bool
) -> ResourceChange | None:
    changes = list(_field_changes(old.inputs, new.inputs))
    changed = {change.path for change in changes}
    changes.extend(_option_changes(old, new))
    if old.provider != new.provider:
        changes.append(FieldChange("provider", _short_urn(old.provider), _short_urn(new.provider)))
    reasons = []
    if renamed:
        reasons.append(f"URN changed without an alias (was `{old.name}`)")
    reasons.extend(_kubernetes_identity(old, new, changed))
    for path in new.options.get("replaceOnChanges", ()):
        hit = sorted(p for p in changed if path == "*" or p == path or p.startswith((f"{path}.", f"{path}[")))
        if hit:
            reasons.append(
                f"`{path}` changed, and the resource is replaced when it changes (replaceOnChanges)"
            )
    if reasons and new.options.get("deleteBeforeReplace"):
        reasons.append("the old one is deleted before the new one is created (deleteBeforeReplace)")
    if reasons:
        action = Action.REPLACE
    elif changes:
        action = Action.UPDATE
    elif old.urn != new.urn:
        action = Action.MOVE
    else:
        return None
    return _change(
        action,
        new,
        components,
        was=old.urn if old.urn != new.urn else "",
        changes=tuple(changes),
        reasons=tuple(reasons),
        protection=_protection(old) if action is Action.REPLACE else "",
    )


def _kind(type_: str) -> str:
    return type_.rsplit(":", 1)[-1]


def _short_urn(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if urn else "(default)"


def _kubernetes_identity(old: Registration, new: Registration, changed: set[str]) -> list[str]:
    """A Kubernetes object is a new object when its name, namespace, kind or API group changes."""
    if not (old.type.startswith("kubernetes:") and new.type.startswith("kubernetes:")):
        return []
    reasons = []
    if old.type != new.type:
        old_group, new_group = old.type.split(":")[1], new.type.split(":")[1]
        if _kind(old.type) != _kind(new.type):
            reasons.append(f"Kubernetes kind changed ({_kind(old.type)} -> {_kind(new.type)})")
        elif old_group != new_group:
            reasons.append(f"Kubernetes API version changed ({old_group} -> {new_group})")
    for key, label in (("metadata.name", "name"), ("metadata.namespace", "namespace")):
        if key in changed:
            before = _value(_lookup(old.inputs, key))
            after = _value(_lookup(new.inputs, key))
            reasons.append(f"Kubernetes {label} changed ({before} -> {after})")
    return reasons


def _lookup(inputs: Mapping[str, Any], path: str) -> Any:
    value: Any = inputs
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _option_changes(old: Registration, new: Registration) -> Iterator[FieldChange]:
    for key in ("protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges", "replaceOnChanges"):
        before, after = old.options.get(key), new.options.get(key)
        if before != after:
            yield FieldChange(f"options.{key}", _value(before), _value(after))


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every scalar of an input tree with its path (`spec.pools[0].nodes`); empty containers too."""
    if isinstance(value, Mapping) and value:
        for key in sorted(value):
            # A key that is not a plain word (a label key such as gpudc.io/pool) is quoted.
            part = str(key) if _PLAIN_KEY.fullmatch(str(key)) else f"[{json.dumps(str(key))}]"
            yield from _leaves(value[key], f"{path}.{part}" if path and part[0] != "[" else f"{path}{part}")
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def _field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[FieldChange]:
    old, new = dict(_leaves(before)), dict(_leaves(after))
    # A path is secret on both sides when it is under a value either side holds as `[secret]`.
    secret = [path for path, value in (*old.items(), *new.items()) if value == SECRET]
    for path in sorted(old.keys() | new.keys(), key=_path_key):
        missing = object()
        was, now = old.get(path, missing), new.get(path, missing)
        if was == now:
            continue
        if any(path == s or path.startswith((f"{s}.", f"{s}[")) for s in secret):
            # Secret on one side: say it changed, never what to.
            yield FieldChange(path, SECRET, SECRET)
            continue
        if isinstance(was, str) and isinstance(now, str) and ("\n" in was or "\n" in now):
            yield from _text_changes(path, was, now)
            continue
        yield _pair(path, None if was is missing else was, None if now is missing else now)


def _pair(path: str, was: Any, now: Any) -> FieldChange:
    """Two values; long strings are shown from a little before where they start to differ."""
    if isinstance(was, str) and isinstance(now, str) and max(len(was), len(now)) > _VALUE_WIDTH:
        start = next(
            (i for i, (a, b) in enumerate(zip(was, now, strict=False)) if a != b), min(len(was), len(now))
        )
        if start > 20:
            return FieldChange(path, _value("..." + was[start - 17 :]), _value("..." + now[start - 17 :]))
    return FieldChange(path, _value(was), _value(now))


def _text_changes(path: str, before: str, after: str) -> Iterator[FieldChange]:
    """A multi-line text (a rendered file) changes line by line: `data.env (line 3)`."""
    old, new = before.splitlines(), after.splitlines()
    for index in range(max(len(old), len(new))):
        was = old[index] if index < len(old) else None
        now = new[index] if index < len(new) else None
        if was != now:
            yield _pair(f"{path} (line {index + 1})", was, now)


def _path_key(path: str) -> list[Any]:
    """Sort `a[10]` after `a[9]`."""
    key: list[Any] = []
    for part in path.replace("[", ".[").split("."):
        if part.startswith("[") and part.endswith("]") and part[1:-1].isdigit():
            key.append((1, int(part[1:-1])))
        else:
            key.append((0, part))
    return key


def _value(value: Any) -> str:
    """A value on one line, at most `_VALUE_WIDTH` characters, inside backticks in markdown."""
    if value is None:
        return "(none)"
    if isinstance(value, str) and "\n" in value:
        lines = value.count("\n") + (not value.endswith("\n"))
        return f"(text, {lines} lines)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else value
    text = text.replace("`", "'")
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 3] + "..."


# ---------------------------------------------------------------------------------------------
# Capacity and findings


def _site_deltas(base: Derived | None, head: Derived | None) -> tuple[SiteDelta, ...]:
    old = {site.name: site for site in (base.sites if base else [])}
    new = {site.name: site for site in (head.sites if head else [])}
    deltas = []
    for name in sorted(old.keys() | new.keys()):
        figures = tuple(
            FigureDelta(label, _figure(old.get(name), key), _figure(new.get(name), key), decimals)
            for label, key, decimals in (
                *_FIGURES,
                ("racks used", "racks", 0),
                ("addresses carved", "addresses", 0),
            )
        )
        changed = tuple(figure for figure in figures if figure.before != figure.after)
        if name not in old or name not in new or changed:
            status = "added" if name not in old else "removed" if name not in new else "changed"
            deltas.append(SiteDelta(name, status, changed))
    return tuple(deltas)


def _figure(site: SiteFigures | None, key: str) -> float:
    if site is None:
        return 0.0
    if key == "racks":  # racks pools stand in, across the site's halls
        return float(sum(hall.racks_used for hall in site.halls))
    if key == "addresses":  # the site's address plan: every carved subnet's size
        return float(sum(subnet.addresses for subnet in site.subnets))
    return float(getattr(site, key))


def _findings_minus(first: Derived | None, second: Derived | None) -> tuple[FindingRecord, ...]:
    """Findings of `first` that `second` does not report (a finding is its code at its path)."""
    seen = {(finding.code, finding.path) for finding in (second.findings if second else [])}
    return tuple(
        finding for finding in (first.findings if first else []) if (finding.code, finding.path) not in seen
    )


# ---------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True, slots=True)
class _Group:
    component: str
    listed: tuple[ResourceChange, ...]
    hidden: Counter[str] = field(default_factory=Counter)


def render_markdown(diff: PlanDiff, *, limit: int = _BUDGET) -> str:
    """The pull-request comment: under `limit` characters whatever the change's size.

    A large diff is cut in steps (fewer field changes per resource, then fewer resources per
    component, then no per-resource list at all); every cut says what it left out, with counts.
    """
    text = ""
    for fields_shown, per_group in ((40, 200), (10, 50), (5, 20), (3, 5), (0, 0)):
        text = _render(diff, fields_shown, per_group)
        if len(text) <= limit:
            return text
    # Even the summary is too long (thousands of findings or sites): cut it, and say so.
    note = "\n\n... (cut at the comment size limit; the full diff is in the workflow's artifacts)\n"
    return text[: limit - len(note)] + note


def _render(diff: PlanDiff, fields_shown: int, per_group: int) -> str:
    groups: dict[str, list[ResourceChange]] = {}
    for change in diff.changes:
        groups.setdefault(change.component, []).append(change)
    shown = [
        _Group(name, tuple(items[:per_group]), Counter(item.action.value for item in items[per_group:]))
        for name, items in sorted(groups.items())
    ]
    return render_template(
        "gpudc.preview",
        "diff.md.j2",
        marker=comment_marker(diff.stack),
        diff=diff,
        counts=diff.counts,
        at_risk=diff.at_risk,
        replaced=[c for c in diff.changes if c.action is Action.REPLACE and not c.at_risk],
        groups=shown,
        fields_shown=fields_shown,
        per_group=per_group,
        truncated=any(group.hidden for group in shown)
        or any(len(change.changes) > fields_shown for group in shown for change in group.listed),
    )


def render_json(diff: PlanDiff) -> str:
    """The whole diff as data (never truncated), for tools and CI."""
    document = {
        "format": "gpudc.diff/v1",
        "stack": diff.stack,
        "counts": diff.counts,
        "changes": [
            {**asdict(change), "at_risk": change.at_risk, "changes": [asdict(c) for c in change.changes]}
            for change in diff.changes
        ],
        "sites": [asdict(site) for site in diff.sites],
        "new_findings": [finding.model_dump(mode="json") for finding in diff.new_findings],
        "resolved_findings": [finding.model_dump(mode="json") for finding in diff.resolved_findings],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
