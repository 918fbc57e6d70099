"""Plan, then run: the steps of a build and what each waits for, computed
without side effects.

`plan_build` is a pure function of the spec and the request (and of whether
the kernel's Cargo.toml has path dependencies: `compiles_together`);
`wasmforge build --print-plan` prints its result and tests check plans
without any toolchain.
The runner (pipeline/run.py) executes the steps, each as soon as the steps it
`needs` are done, two at a time: the npm sources render while cargo compiles,
and the first module is bound and optimised while the SIMD one compiles.
The list order is a valid sequential order (every step after its needs).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..render.npm import bindgen_targets
from ..settings import TARGETS
from ..kernelspec.model import KernelSpec
from . import threads
from .sources import has_path_dependencies

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
    variant: str = "baseline"  # or "simd", "threads": which module the step produces
    needs: tuple[str, ...] = ()  # keys of the steps that must be done first

    @property
    def key(self) -> str:
        """Unique name of the step, used for timings."""
        parts = [self.kind] + ([self.variant] if self.variant != "baseline" else []) + (
            [self.target] if self.target else [])
        return ":".join(parts)


def variants(spec: KernelSpec) -> tuple[str, ...]:
    """The modules a package ships: the baseline, and a SIMD build when the kernel has one."""
    return ("baseline", "simd") if spec.build.simd_feature else ("baseline",)


def compiles_together(spec: KernelSpec, request: BuildRequest) -> bool:
    """Whether one cargo run builds both modules (pipeline/workspace.py): with wasm-bindgen, for
    a SIMD kernel that can be mirrored to the build root (path dependencies cannot)."""
    return (request.backend == "wasm-bindgen" and spec.build.simd_feature is not None
            and not has_path_dependencies(spec.crate_dir))


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
    npm_ready = ["render-npm"]
    if spec.npm.extra_sources:
        steps.append(Step("helpers", "tsc --strict: compile the TypeScript helpers ("
                          + ", ".join(spec.npm.extra_sources) + ") to ES modules and CommonJS",
                          needs=("render-npm",)))
        npm_ready.append("helpers")
    steps.append(Step("sources", "mirror the kernel and the generated crate to the build root (reproducible paths)",
                      needs=("render-crate",)))
    optimized = []
    previous_cargo = "sources"  # cargo runs hold the target directory's lock: one at a time
    together = compiles_together(spec, request)
    for variant in variants(spec):
        if request.backend == "wasm-pack":
            produced = _wasm_pack_steps(targets, variant, after=previous_cargo)
            previous_cargo = produced[-1].key
        else:
            if variant == "baseline" or not together:  # together: the baseline's compile builds both
                steps.append(_compile_step(request, variant, after=previous_cargo, together=together))
                previous_cargo = steps[-1].key
            produced = _bindgen_steps(targets, variant, after=previous_cargo)
        steps += produced
        steps.append(_optimize_step(spec, request, variant, produced))
        optimized.append(steps[-1].key)
    if spec.build.threads_feature is not None:
        steps += _threads_steps(spec, request)
        optimized.append(steps[-1].key)
    steps.append(Step("assemble", "assemble one npm package for " + ", ".join(targets),
                      needs=(*npm_ready, *optimized)))
    steps.append(Step("sizes", "measure each module and entry against [build.size_budget]", needs=("assemble",)))
    if request.verify:
        steps.append(Step("verify", "verify: wasmtime checks, then every target in Node from the packed tarball",
                          needs=("sizes",)))
    steps.append(Step("publish", "replace pkg/ with the new package", needs=(steps[-1].key,)))
    return steps


def _threads_steps(spec: KernelSpec, request: BuildRequest) -> list[Step]:
    """The threaded module (pipeline/threads.py): its own cargo run — another std and other
    flags, so another target directory, and no wait for the other runs' lock — then the web
    glue only (its workers are the only code that loads it) and wasm-opt with threads on."""
    mode = "--release" if request.profile == "release" else "(dev profile)"
    features = ",".join(threads.cargo_features(spec.build.simd_feature is not None))
    compile_step = Step("compile", f"cargo build {mode} --features {features} with the atomics std and shared "
                        "memory, for the threaded module", variant="threads", needs=("sources",))
    bindgen_step = Step("bindgen", "wasm-bindgen --target web (threaded module)", "web", "threads",
                        needs=(compile_step.key,))
    return [compile_step, bindgen_step, _optimize_step(spec, request, "threads", [bindgen_step])]


def _suffix(variant: str) -> str:
    return " --features simd" if variant == "simd" else ""


def _wasm_pack_steps(targets: tuple[str, ...], variant: str, after: str) -> list[Step]:
    """One wasm-pack run per glue target, one after the other (each is a cargo run)."""
    steps: list[Step] = []
    for target in bindgen_targets(targets):
        steps.append(Step("wasm-pack", f"wasm-pack build --target {target}{_suffix(variant)}{_serves(target, targets)}",
                          target, variant, needs=(steps[-1].key if steps else after,)))
    return steps


def _compile_step(request: BuildRequest, variant: str, after: str, together: bool) -> Step:
    mode = "--release" if request.profile == "release" else "(dev profile)"
    if together:
        mode, suffix = f"--workspace {mode}", ""
        once = "once for both modules (the baseline and the SIMD build side by side)"
    else:
        suffix, once = _suffix(variant), "once" if variant == "baseline" else "once more, for the SIMD module"
    return Step("compile", f"cargo build {mode}{suffix} --target wasm32-unknown-unknown, {once}", variant=variant,
                needs=(after,))


def _bindgen_steps(targets: tuple[str, ...], variant: str, after: str) -> list[Step]:
    """wasm-bindgen once per glue target, on the module the step `after` compiled."""
    return [Step("bindgen", f"wasm-bindgen --target {target}"
                 + (" (SIMD module)" if variant == "simd" else _serves(target, targets)), target, variant,
                 needs=(after,))
            for target in bindgen_targets(targets)]


def _optimize_step(spec: KernelSpec, request: BuildRequest, variant: str, produced: list[Step]) -> Step:
    """wasm-opt on one module, once every step that `produced` its glue and module is done."""
    level = request.wasm_opt_level(spec)
    module = {"simd": "the SIMD module", "threads": "the threaded module"}.get(variant, "the shared module")
    return Step("optimize", f"wasm-opt -{level} on {module}" if level else f"keep {module} as is (no wasm-opt)",
                variant=variant, needs=tuple(step.key for step in produced))


def _serves(glue: str, targets: tuple[str, ...]) -> str:
    """Bundlers and Node.js are served by the web glue (render/npm.py): say so where it applies."""
    served = [target for target in ("web", "bundler", "nodejs") if target in targets]
    if glue != "web" or served == ["web"]:
        return ""
    return f" (for {', '.join(served)})"
