"""Plan, then run: the ordered steps of a build, computed without side effects.

`plan_build` is a pure function of the spec and the request; `wasmforge build
--print-plan` prints its result and tests check plans without any toolchain.
The runner (build/pipeline.py) executes the steps.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..settings import TARGETS
from ..spec.model import KernelSpec

BACKENDS = ("wasm-bindgen", "wasm-pack")
PROFILES = ("release", "dev")


@dataclass(frozen=True)
class BuildRequest:
    """What the user asked for on the command line."""

    targets: tuple[str, ...] | None = None  # None: the spec's [build].targets
    backend: str = "wasm-bindgen"
    profile: str = "release"
    verify: bool = True
    force: bool = False

    def effective_targets(self, spec: KernelSpec) -> tuple[str, ...]:
        wanted = self.targets or spec.build.targets
        return tuple(t for t in TARGETS if t in wanted)  # canonical order

    def describe(self, spec: KernelSpec) -> str:
        return (f"targets={','.join(self.effective_targets(spec))} backend={self.backend} "
                f"profile={self.profile} wasm-opt={self.wasm_opt_level(spec) or 'off'}")

    def wasm_opt_level(self, spec: KernelSpec) -> str | None:
        return spec.build.wasm_opt if self.profile == "release" else None


@dataclass(frozen=True)
class Step:
    kind: str
    title: str
    target: str | None = None


def effective_spec(spec: KernelSpec, request: BuildRequest) -> KernelSpec:
    """The spec with the targets this build produces (the package layout follows them)."""
    build = dataclasses.replace(spec.build, targets=request.effective_targets(spec))
    return dataclasses.replace(spec, build=build)


def plan_build(spec: KernelSpec, request: BuildRequest) -> list[Step]:
    targets = request.effective_targets(spec)
    steps = [
        Step("render-crate", "render the crate (Cargo.toml, src/lib.rs) from kernel.toml"),
        Step("render-npm", "render the npm sources (package.json, JS facade, .d.ts, README)"),
    ]
    if request.backend == "wasm-pack":
        steps += [Step("wasm-pack", f"wasm-pack build --target {t}", t) for t in targets]
    else:
        mode = "--release" if request.profile == "release" else "(dev profile)"
        steps.append(Step("compile", f"cargo build {mode} --target wasm32-unknown-unknown, once"))
        steps += [Step("bindgen", f"wasm-bindgen --target {t}", t) for t in targets]
    level = request.wasm_opt_level(spec)
    steps.append(Step("optimize", f"wasm-opt -{level} on the shared module" if level else "keep the module as is (no wasm-opt)"))
    steps.append(Step("assemble", "assemble one npm package for " + ", ".join(targets)))
    if request.verify:
        steps.append(Step("verify", "verify: wasmtime checks, then every target in Node from the packed tarball"))
    steps.append(Step("publish", "replace pkg/ with the new package"))
    return steps
