"""Plan, then run: the ordered steps of a build, computed without side effects.

`plan_build` is a pure function of the spec and the request; `wasmforge build
--print-plan` prints its result and tests check plans without any toolchain.
The runner (pipeline/run.py) executes the steps.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..render.npm import bindgen_targets
from ..settings import TARGETS
from ..kernelspec.model import KernelSpec

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
    variant: str = "baseline"  # or "simd": which module the step produces

    @property
    def key(self) -> str:
        """Unique name of the step, used for timings."""
        parts = [self.kind] + ([self.variant] if self.variant != "baseline" else []) + (
            [self.target] if self.target else [])
        return ":".join(parts)


def variants(spec: KernelSpec) -> tuple[str, ...]:
    """The modules a package ships: the baseline, and a SIMD build when the kernel has one."""
    return ("baseline", "simd") if spec.build.simd_feature else ("baseline",)


def effective_spec(spec: KernelSpec, request: BuildRequest) -> KernelSpec:
    """The spec with the targets this build produces (the package layout follows them)."""
    build = dataclasses.replace(spec.build, targets=request.effective_targets(spec))
    return dataclasses.replace(spec, build=build)


def plan_build(spec: KernelSpec, request: BuildRequest) -> list[Step]:
    targets = request.effective_targets(spec)
    glue_targets = bindgen_targets(targets)
    steps = [
        Step("render-crate", "render the crate (Cargo.toml, src/lib.rs) from kernel.toml"),
        Step("render-npm", "render the npm sources (package.json, JS facade, .d.ts, README)"),
    ]
    if spec.npm.extra_sources:
        steps.append(Step("helpers", "tsc --strict: compile the TypeScript helpers ("
                          + ", ".join(spec.npm.extra_sources) + ") to ES modules and CommonJS"))
    steps.append(Step("sources", "mirror the kernel and the generated crate to the build root (reproducible paths)"))
    mode = "--release" if request.profile == "release" else "(dev profile)"
    level = request.wasm_opt_level(spec)
    for variant in variants(spec):
        suffix = " --features simd" if variant == "simd" else ""
        if request.backend == "wasm-pack":
            steps += [Step("wasm-pack", f"wasm-pack build --target {t}{suffix}{_serves(t, targets)}", t, variant)
                      for t in glue_targets]
        else:
            once = "once" if variant == "baseline" else "once more, for the SIMD module"
            steps.append(Step("compile", f"cargo build {mode}{suffix} --target wasm32-unknown-unknown, {once}",
                              variant=variant))
            steps += [Step("bindgen", f"wasm-bindgen --target {t}"
                           + (" (SIMD module)" if suffix else _serves(t, targets)), t, variant) for t in glue_targets]
    modules = "the shared module and the SIMD module, side by side" if len(variants(spec)) > 1 \
        else "the shared module"
    steps.append(Step("optimize", f"wasm-opt -{level} on {modules}" if level else
                      f"keep {modules} as is (no wasm-opt)"))
    steps.append(Step("assemble", "assemble one npm package for " + ", ".join(targets)))
    steps.append(Step("sizes", "measure each module and entry against [build.size_budget]"))
    if request.verify:
        steps.append(Step("verify", "verify: wasmtime checks, then every target in Node from the packed tarball"))
    steps.append(Step("publish", "replace pkg/ with the new package"))
    return steps


def _serves(glue: str, targets: tuple[str, ...]) -> str:
    """Bundlers and Node.js are served by the web glue (render/npm.py): say so where it applies."""
    served = [target for target in ("web", "bundler", "nodejs") if target in targets]
    if glue != "web" or served == ["web"]:
        return ""
    return f" (for {', '.join(served)})"
