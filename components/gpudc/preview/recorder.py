"""A Pulumi mock monitor that records every registration as it would reach the engine.

Pulumi's `MockMonitor` hands `Mocks.new_resource` only a resource's type, name and inputs; a
reviewable plan also needs its URN, parent, provider and dependencies, which only the raw
`RegisterResource` request carries. So this monitor records from the request itself and answers
every resource with its own inputs as outputs (an echo), which is what a preview can honestly say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import get_project, get_stack

__all__ = ["SECRET", "RecordingMonitor", "Registration"]

SECRET = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True, slots=True)
class Registration:
    """One resource as the program registered it; secrets already replaced by `[secret]`."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    provider: str
    depends_on: tuple[str, ...]
    inputs: dict[str, Any]
    options: dict[str, Any]
    """The options that decide what `pulumi up` does to it: protect, retainOnDelete,
    deleteBeforeReplace, ignoreChanges, replaceOnChanges, and its aliases as URNs."""


class _EchoMocks(Mocks):
    """Every resource's outputs are its inputs; its id is its name (stable across runs)."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.name, args.inputs

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        raise NotImplementedError(
            f"the offline plan cannot answer provider function {args.token}; "
            "gpudc components do not call provider functions"
        )


class RecordingMonitor(MockMonitor):
    """Records registrations and registered outputs; answers like Pulumi's own mock monitor."""

    def __init__(self) -> None:
        super().__init__(_EchoMocks())
        self.registrations: list[Registration] = []
        self.outputs: dict[str, dict[str, Any]] = {}
        self.stack_urn = ""
        self.alias_urns: dict[str, tuple[str, ...]] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the Pulumi engine itself would give (`generateURN`, pkg/resource/deploy).

        Pulumi's mock monitor keeps only the parent's last type and prefixes children of the stack
        with `pulumi:pulumi:Stack$`; the engine qualifies a type with its parent's *whole* type
        chain and leaves the root stack out. URNs are public API, so the plan uses the engine's.
        """
        if parent and parent != self.stack_urn:
            type_ = f"{parent.split('::')[2]}${type_}"
        return f"urn:pulumi:{get_stack()}::{get_project()}::{type_}::{name}"

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == STACK_TYPE:
            self.stack_urn = urn
            return resource_pb2.RegisterResourceResponse(urn=urn)
        if urn in self.resources:
            # The engine refuses a second resource with the same URN; so does the preview.
            raise ValueError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
        inputs = rpc.deserialize_properties(request.object)
        aliases = self._aliases(request, urn)
        self.alias_urns[urn] = aliases
        self.registrations.append(
            Registration(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=bool(request.custom),
                provider=request.provider.rsplit("::", 1)[0] if request.provider else "",
                depends_on=tuple(sorted(set(request.dependencies))),
                inputs=redact(inputs),
                options=_options(request, aliases),
            )
        )
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, request.name, inputs)
        if not request.custom:
            # A component's outputs are what it registers with `register_outputs`, not an echo of
            # its inputs; answering with none also spares the SDK resolving every input again.
            return resource_pb2.RegisterResourceResponse(urn=urn)
        # The outputs are the inputs, so the request's own serialised inputs are the answer; no
        # re-serialisation (which would need an event loop on this executor thread).
        return resource_pb2.RegisterResourceResponse(urn=urn, id=request.name, object=request.object)

    def _aliases(self, request: Any, urn: str) -> tuple[str, ...]:
        """Every old URN the resource answers to, as the engine resolves them: its own aliases,
        and one per alias of its parent (a child moves with its parent, its name re-prefixed)."""
        found: set[str] = set()
        for alias in request.aliases:
            if alias.urn:
                found.add(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else (spec.parentUrn or request.parent)
            found.add(self.make_urn(parent, spec.type or request.type, spec.name or request.name))
        parent_name = request.parent.rsplit("::", 1)[-1] if request.parent else ""
        for parent_alias in self.alias_urns.get(request.parent, ()):
            name = request.name
            if parent_name and name.startswith(parent_name):
                name = parent_alias.rsplit("::", 1)[-1] + name[len(parent_name) :]
            found.add(self.make_urn(parent_alias, request.type, name))
        found.discard(urn)
        return tuple(sorted(found))

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        self.outputs[request.urn] = redact(rpc.deserialize_properties(request.outputs))
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]


def _options(request: Any, aliases: tuple[str, ...]) -> dict[str, Any]:
    """The options a reviewer must see, only where set (a plan lists what differs from defaults)."""
    options: dict[str, Any] = {}
    if request.protect:
        options["protect"] = True
    if request.retainOnDelete:
        options["retainOnDelete"] = True
    if request.deleteBeforeReplace:
        options["deleteBeforeReplace"] = True
    if request.ignoreChanges:
        options["ignoreChanges"] = sorted(request.ignoreChanges)
    if request.replaceOnChanges:
        options["replaceOnChanges"] = sorted(request.replaceOnChanges)
    if aliases:
        options["aliases"] = list(aliases)
    return options


def redact(value: Any) -> Any:
    """Replace every secret-wrapped value with `[secret]`, recursively.

    Also gives whole numbers back their integer type: protobuf carries every number as a double,
    and a plan that says `nodes: 4.0` reads as if a node could be split.
    """
    if isinstance(value, dict):
        if rpc.is_rpc_secret(value):
            return SECRET
        return {key: redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
