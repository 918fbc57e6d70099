"""What verification runs on every target, derived from the spec alone.

Every spec example becomes a case (a call, a constructor, a method on a fresh
instance, a stream run to its end). Variants are exercised too: async
variants with every example, batch variants with all examples at once, the
events variant of a stream, and the resident-array twins and probes of
verify/resident.py. Each function and method also gets a call with an
argument of the wrong JS type and, where an array has a length constraint,
one of the wrong length; each class gets calls after dispose(). Values cross
into the Node harness as JSON with tags for what JSON cannot say (typed
arrays, bigints, undefined, NaN, instances to construct).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from ..kernelspec.model import Arg, Class, Example, Function, KernelSpec
from ..kernelspec.types import ARRAY_ELEMENTS, TypeRef
from . import resident

UNDEFINED = {"$undefined": True}
# The case kinds whose calls a worker pool runs (`npm.workers`).
WORKER_KINDS = ("async", "method-async", "stream", "events", "batch")
# Threads per worker in the twins of `build.threads_feature`.
THREAD_TWIN_THREADS = 2


@dataclass(frozen=True)
class Expectation:
    value: Any = None  # TOML value, compared in Python
    type: TypeRef | None = None
    error: str | None = None
    tolerance: float = 0.0
    same_as: str | None = None  # id of a case whose outcome must be identical (bit for bit)
    flat: bool = False  # a memory probe: `{ before, after }` must be equal


@dataclass(frozen=True)
class Case:
    id: str
    subject: str  # "solve" or "Solver.solve": the row of the report
    label: str
    kind: str  # call | construct | method | stream | events | async | batch | dispose
    payload: dict[str, Any]  # what the harness needs (function, class, args…)
    expect: Expectation = field(default_factory=Expectation)
    items: tuple[Expectation, ...] = ()  # batch: one per item

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, **self.payload}


class Encoder:
    """TOML example values → the harness's JSON encoding."""

    def __init__(self, spec: KernelSpec) -> None:
        self.spec = spec

    def value(self, value: Any, type_ref: TypeRef) -> Any:
        if value is None:
            return UNDEFINED
        kind = type_ref.kind
        if kind == "array":
            return {"$typed": ARRAY_ELEMENTS[type_ref.base], "values": [number(v) for v in value]}
        if kind == "tensor":
            return {"data": {"$typed": ARRAY_ELEMENTS[type_ref.base], "values": [number(v) for v in value["data"]]},
                    "shape": list(value["shape"])}
        if kind == "struct":
            fields = self.spec.struct(type_ref.base).fields
            return {f.name: self.value(value[f.name], f.type.required) for f in fields if f.name in value}
        if kind == "class":
            return {"$class": type_ref.base, "args": self.args(self.spec.klass(type_ref.base).constructor, value)}
        if type_ref.base in ("i64", "u64"):
            return {"$bigint": str(int(value))}
        if type_ref.base in ("f32", "f64", "i32", "u32"):
            return number(value)
        return value

    def args(self, function: Function, values: dict[str, Any] | tuple[tuple[str, Any], ...] | None) -> list[Any]:
        table = dict(values or ())
        encoded = [self.value(table.get(a.name), a.type.required) for a in function.args]
        while encoded and encoded[-1] == UNDEFINED:
            encoded.pop()
        return encoded

    def record(self, function: Function, example: Example) -> dict[str, Any]:
        """A batch item: the example's arguments as an object keyed by name."""
        return {a.name: self.value(example.arg(a.name), a.type.required) for a in function.args
                if example.has_arg(a.name)}


def number(value: Any) -> Any:
    """JSON has no NaN or infinities: they travel as strings JavaScript's Number() reads."""
    result = float(value)
    if math.isnan(result):
        return {"$number": "NaN"}
    if math.isinf(result):
        return {"$number": "Infinity" if result > 0 else "-Infinity"}
    return value


def cases_for(spec: KernelSpec) -> list[Case]:
    builder = _Builder(spec)
    for function in spec.functions:
        builder.function(function)
    for klass in spec.classes:
        builder.klass(klass)
    builder.resident_probes()
    if spec.npm.workers:
        builder.worker_twins()
    if spec.build.threads_feature is not None:
        builder.thread_twins()
    return builder.cases


class _Builder:
    def __init__(self, spec: KernelSpec) -> None:
        self.spec = spec
        self.encode = Encoder(spec)
        self.cases: list[Case] = []
        # The first call with typed arrays that succeeds: (function, subject, payload, expectation).
        self.probe: tuple[Function, str, dict[str, Any], Expectation] | None = None

    def add(self, case: Case) -> None:
        self.cases.append(case)

    # --- package functions -----------------------------------------------------------

    def function(self, function: Function) -> None:
        for index, example in enumerate(function.examples):
            payload = {"function": function.name, "args": self.encode.args(function, example.args)}
            self.add(Case(f"{function.name}/example-{index}", function.name, _label(example, index), "call",
                          payload, _expectation(function.returns, example)))
            self.resident_twins(function, function.name, f"{function.name}/example-{index}", "call", payload,
                                example, _label(example, index))
            if function.async_name:
                self.add(Case(f"{function.name}/async-{index}", function.name,
                              f"{function.async_name}: {_label(example, index)}", "async",
                              {**payload, "function": function.async_name}, _expectation(function.returns, example)))
        if function.batch_name and function.examples:
            self.add(self._batch(function, function.name, {"function": function.batch_name}))
        self._negatives(function, function.name, {"kind": "call", "function": function.name})

    # --- classes ------------------------------------------------------------------------

    def klass(self, klass: Class) -> None:
        ctor = klass.constructor
        for index, example in enumerate(ctor.examples):
            self.add(Case(f"{klass.name}/new-{index}", klass.name, _label(example, index), "construct",
                          {"class": klass.name, "args": self.encode.args(ctor, example.args)},
                          Expectation(error=example.error)))
        for method in klass.methods:
            self.method(klass, method)
        first = next((ex for m in klass.methods for ex in m.examples), None)
        if first is not None:
            self.dispose_cases(klass, first)

    def method(self, klass: Class, method: Function) -> None:
        subject = f"{klass.name}.{method.name}"
        for index, example in enumerate(method.examples):
            base = {"class": klass.name, "new": self.encode.args(klass.constructor, example.new),
                    "method": method.name, "args": self.encode.args(method, example.args)}
            produced = method.stream.result if method.stream else method.returns
            kind = "stream" if method.stream else "method"
            self.add(Case(f"{subject}/example-{index}", subject, _label(example, index), kind, base,
                          _expectation(produced, example)))
            self.resident_twins(method, subject, f"{subject}/example-{index}", kind, base, example,
                                _label(example, index))
            if method.async_name:
                self.add(Case(f"{subject}/async-{index}", subject, f"{method.async_name}: {_label(example, index)}",
                              "method-async", {**base, "method": method.async_name}, _expectation(produced, example)))
            if method.stream and method.stream.events:
                self.add(Case(f"{subject}/events-{index}", subject,
                              f"{method.stream.events} events: {_label(example, index)}", "events",
                              {**base, "method": method.stream.events}, _expectation(produced, example)))
        if method.batch_name and method.examples:
            new = self.encode.args(klass.constructor, method.examples[0].new)
            same_instance = [ex for ex in method.examples if ex.new == method.examples[0].new]
            self.add(self._batch(method, subject, {"class": klass.name, "new": new, "method": method.batch_name},
                                 same_instance))
        new = self.encode.args(klass.constructor, method.examples[0].new) if method.examples else None
        if new is not None:
            self._negatives(method, subject, {"kind": "method", "class": klass.name, "new": new,
                                              "method": method.name})

    def dispose_cases(self, klass: Class, example: Example) -> None:
        new = self.encode.args(klass.constructor, example.new)
        members = [(m.name, "method") for m in klass.methods] + [(p.name, "property") for p in klass.properties]
        for member, how in members:
            self.add(Case(f"{klass.name}.{member}/disposed", f"{klass.name}.{member}", "after dispose()", "dispose",
                          {"class": klass.name, "new": new, "member": member, "how": how},
                          Expectation(error="Disposed")))

    # --- resident arrays ------------------------------------------------------------------

    def resident_twins(self, function: Function, subject: str, original: str, kind: str,
                       payload: dict[str, Any], example: Example, label: str) -> None:
        """The example again with its arrays resident, as views of resident arrays and
        (for an array result) with `{ out }`: each must give the original's outcome exactly."""
        args = payload["args"]
        if not resident.has_arrays(args):
            return
        expect = _expectation(function.stream.result if function.stream else function.returns, example)
        for mode in ("resident", "view"):
            flags = {"as": "view"} if mode == "view" else {}
            self.add(Case(f"{original}/{mode}", subject, f"{label} ({'views of ' if flags else ''}resident arrays)",
                          kind, {**payload, "args": resident.residents(args, **flags)},
                          dataclasses.replace(expect, same_as=original)))
        if function.returns_array and not function.stream and example.error is None:
            out_args = resident.out_option(function, resident.residents(args), example.expect)
            self.add(Case(f"{original}/out", subject, f"{label} (into a resident {{ out }})", kind,
                          {**payload, "args": out_args}, dataclasses.replace(expect, same_as=original)))
        if self.probe is None and example.error is None and kind in ("call", "method"):
            self.probe = (function, subject, payload, expect)

    def worker_twins(self) -> None:
        """Every async case again with `init({ workers: 1 })` (`npm.workers`): the call runs in a
        worker and must give the same outcome (the harness switches the pool on for these)."""
        for case in [c for c in self.cases if c.kind in WORKER_KINDS]:
            self.add(dataclasses.replace(case, id=f"{case.id}/workers", label=f"{case.label} (in a worker)",
                                         payload={**case.payload, "workers": 1}))

    def thread_twins(self) -> None:
        """Every async case again in a worker that runs the threaded module with 2 threads
        (`init({ workers: 1, threads: 2 })`): the same outcome, to the bit. Where threads cannot
        run (a page that is not cross-origin isolated, the inlined workers) the package falls
        back to the single-threaded module, and the harness checks features() says which."""
        for case in [c for c in self.cases if c.kind in WORKER_KINDS and "workers" not in c.payload]:
            self.add(dataclasses.replace(case, id=f"{case.id}/threads", label=f"{case.label} (in a worker, 2 threads)",
                                         payload={**case.payload, "workers": 1, "threads": THREAD_TWIN_THREADS}))

    def resident_probes(self) -> None:
        """Safety and memory cases on one call of the package (see verify/resident.py)."""
        if self.probe is None:
            return
        function, subject, payload, expect = self.probe
        args = payload["args"]
        invalid = Expectation(error="InvalidArgument")
        probes = [
            ("freed", "a freed ResidentArray is refused", {"freed": True}, invalid),
            ("outside", "a view of memory outside every ResidentArray is refused", {"as": "outside"}, invalid),
            ("detached", "a view detached by memory growth is refused", {"as": "detached"}, invalid),
        ]
        for name, label, flags, expectation in probes:
            wrapped, _ = resident.first_array(args, lambda array, flags=flags: {"$resident": array, **flags})
            self.add(Case(f"resident/{name}", subject, label, self._probe_kind(), {**payload, "args": wrapped},
                          expectation))
        grown = resident.residents(args, grow=True)
        self.add(Case("resident/growth", subject, "resident arrays work across memory growth", self._probe_kind(),
                      {**payload, "args": grown}, dataclasses.replace(expect, same_as=None)))
        if function.returns_array:
            aliased = resident.aliased_out(function, args)
            if aliased is not None:
                self.add(Case("resident/alias", subject, "an `out` overlapping an input is refused",
                              self._probe_kind(), {**payload, "args": aliased}, invalid))
        self.add(Case("resident/flat", subject, f"memory stays flat over {resident.FLAT_CALLS} resident calls",
                      "flat", {**payload, "args": resident.residents(args), "calls": resident.FLAT_CALLS},
                      Expectation(flat=True)))

    def _probe_kind(self) -> str:
        assert self.probe is not None
        return "method" if "method" in self.probe[2] else "call"

    # --- variants and negatives ------------------------------------------------------------

    def _batch(self, function: Function, subject: str, payload: dict[str, Any],
               examples: list[Example] | None = None) -> Case:
        examples = examples if examples is not None else list(function.examples)
        items = [self.encode.record(function, ex) for ex in examples]
        expectations = tuple(_expectation(function.returns, ex) for ex in examples)
        plural = "s" if len(items) != 1 else ""
        return Case(f"{subject}/batch", subject, f"{function.batch_name} of {len(items)} item{plural}", "batch",
                    {**payload, "items": items}, items=expectations)

    def _negatives(self, function: Function, subject: str, payload: dict[str, Any]) -> None:
        if not function.args:
            return
        example = function.examples[0] if function.examples else None
        args = [self.encode.value(example.arg(a.name) if example else None, a.type.required) for a in function.args]
        kind = payload.pop("kind")
        if function.stream:
            kind = "stream"
        wrong = list(args)
        wrong[0] = _wrong_type_value(function.args[0])
        self.add(Case(f"{subject}/wrong-type", subject, f"`{function.args[0].name}` of the wrong type", kind,
                      {**payload, "args": wrong}, Expectation(error="InvalidArgument")))
        shortened = self._wrong_length(function, example, args)
        if shortened is not None:
            position, name = shortened
            self.add(Case(f"{subject}/wrong-length", subject, f"`{name}` of the wrong length", kind,
                          {**payload, "args": args[:position] + [self._shorter(function.args[position], example)]
                           + args[position + 1:]}, Expectation(error="InvalidArgument")))

    def _wrong_length(self, function: Function, example: Example | None, args: list[Any]) -> tuple[int, str] | None:
        if example is None or example.error:
            return None
        for position, arg in enumerate(function.args):
            if (arg.length is not None or arg.type.is_tensor) and example.has_arg(arg.name):
                return position, arg.name
        return None

    def _shorter(self, arg: Arg, example: Example | None) -> Any:
        assert example is not None
        value = example.arg(arg.name)
        if arg.type.is_tensor:
            # The shape stays, the data loses a value: their product no longer matches.
            data = list(value["data"])[:-1] or [0]
            return {"data": self.encode.value(data, TypeRef("array", arg.type.base)), "shape": list(value["shape"])}
        values = list(value)
        return self.encode.value(values[:-1] if values else [0], arg.type.required)


def _label(example: Example, index: int) -> str:
    return example.doc or f"example {index + 1}"


def _expectation(produced: TypeRef | None, example: Example) -> Expectation:
    return Expectation(example.expect, produced.required if produced else None, example.error, example.tolerance)


def _wrong_type_value(arg: Arg) -> Any:
    """A value a JavaScript caller might plausibly pass by mistake."""
    type_ref = arg.type
    if type_ref.array:
        return [1, 2, 3]  # a plain Array where a typed array is required
    if type_ref.is_tensor:
        return [1, 2, 3]  # a bare array where a tensor object is required
    if type_ref.kind == "enum":
        return "not-a-member"
    if type_ref.kind in ("struct", "class"):
        return "not an object"
    if type_ref.base == "string":
        return 42
    if type_ref.base in ("i64", "u64"):
        return 1  # a number where a bigint is required
    return "1"
