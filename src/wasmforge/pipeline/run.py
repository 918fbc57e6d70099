"""Run a build plan (pipeline/plan.py) for one kernel.

Each step kind has one small function; they share a `_Run` holding what
earlier steps produced (each step writes its own keys: steps that run side
by side never write the same thing). A step starts as soon as the steps it
needs are done, at most `STEP_LANES` at a time (`_run_steps`). Nothing
touches KERNEL_DIR/pkg/ until the last step, which swaps the finished (and
verified) package in with a rename: a failed build, at any step, leaves the
previous package exactly as it was.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .. import ui
from ..errors import CommandFailed, KernelMismatch, SourceLocation
from ..render.context import cargo_toml, replace_dir, write_tree
from ..render.npm import HELPERS_DIR, layout
from ..settings import build_root
from ..kernelspec.model import KernelSpec
from ..toolchain.tools import Toolchain
from ..verify import VerifyReport, require_passed, verify_package
from . import (assemble, bindgen, cache, cargo, diagnostics, fingerprint, helpers, optimize, sizes, sources,
               threads, workspace)
from .format import minify_js, rendered_crate, rendered_npm
from .outcome import BuildOutcome
from .plan import BuildRequest, Step, compiles_together, plan_build
from .workdir import WorkDir, workdir


@dataclass
class _Run:
    spec: KernelSpec
    request: BuildRequest
    toolchain: Toolchain
    dirs: WorkDir
    compiled: dict[str, Path] = field(default_factory=dict)  # variant -> .wasm from cargo
    build_crate: Path | None = None  # the generated crate cargo compiles (see _sources)
    workspace: Path | None = None  # its workspace's manifest when one cargo run builds both modules
    lib_rs: str = ""  # the generated bindings, rendered and formatted once (see _render_crate)
    bindgen_dirs: dict[str, dict[str, Path]] = field(default_factory=dict)  # variant -> target -> dir
    features: dict[str, list[str]] = field(default_factory=dict)  # variant -> wasm features used
    wasm_before: dict[str, int] = field(default_factory=dict)
    sizes: tuple[sizes.SizeRow, ...] = ()
    verification: VerifyReport | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def release(self) -> bool:
        return self.request.profile == "release"

    def optimized(self, variant: str) -> Path:
        return self.dirs.root / "optimized" / variant / f"{self.spec.ident}_bg.wasm"

    def cargo_features(self, variant: str) -> tuple[str, ...]:
        return ("simd",) if variant == "simd" else ()


def run_build(spec: KernelSpec, request: BuildRequest, toolchain: Toolchain,
              key: fingerprint.BuildKey) -> BuildOutcome:
    """Run every step of the plan for `spec` (narrowed to the request's targets) and record
    the outcome under `key`; pipeline/freshness.py decides whether there is anything to do."""
    dirs = workdir(spec)
    run = _Run(spec, request, toolchain, dirs)
    with sources.locked(dirs.canonical):
        _run_steps(run, plan_build(spec, request))
    outcome = _outcome(run)
    fingerprint.record(dirs.state_file, key, dirs.pkg, outcome.to_json())
    return outcome


# Two steps at a time: the long ones (cargo's final compile, wasm-opt, Node) each keep about
# one core busy, and the machines this is built for have two (docs/architecture.md, "One
# kernel's build": the solver's clean --all-targets build, 14.6 s before, 11.3 s now).
STEP_LANES = 2
_CARGO_KINDS = ("compile", "wasm-pack")


def _run_steps(run: _Run, steps: list[Step]) -> None:
    """Run every step once its needs are done, at most STEP_LANES at once; cargo runs first
    among the ready ones (they are the long chain). After a failure nothing new starts, the
    running steps finish, and the first failure is raised."""
    pending = list(steps)
    done: set[str] = set()
    running: dict[Future[None], Step] = {}
    failed: Future[None] | None = None
    label = ui.current_label()
    with ThreadPoolExecutor(max_workers=STEP_LANES) as pool:
        while running or (pending and failed is None):
            ready = sorted((step for step in pending if done.issuperset(step.needs)),
                           key=lambda step: step.kind not in _CARGO_KINDS)
            for step in ready[:STEP_LANES - len(running)] if failed is None else ():
                pending.remove(step)
                running[pool.submit(_execute_labelled, run, step, label)] = step
            if not running:
                raise AssertionError(f"unsatisfiable plan: {[step.key for step in pending]}")
            with ui.status(" and ".join(step.title for step in running.values())):
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                step = running.pop(future)
                if future.exception() is None:
                    done.add(step.key)
                elif failed is None:
                    failed = future
    # Steps finish in whatever order the lanes give; the timings list them as planned.
    run.timings = {step.key: run.timings[step.key] for step in steps if step.key in run.timings}
    if failed is not None:
        failed.result()  # raises the step's error


def _execute_labelled(run: _Run, step: Step, label: str | None) -> None:
    with ui.labelled(label):
        _execute(run, step)


def _execute(run: _Run, step: Step) -> None:
    ui.step(step.title)
    started = time.monotonic()
    with ui.status(step.title):
        STEPS[step.kind](run, step)
    elapsed = time.monotonic() - started
    run.timings[step.key] = round(elapsed, 3)
    ui.detail(f"{step.kind} took {elapsed:.1f}s")


def _render_crate(run: _Run, step: Step) -> None:
    files = rendered_crate(run.spec, run.dirs.crate, run.toolchain)
    run.lib_rs = files["src/lib.rs"]
    write_tree(files, run.dirs.crate)


def _render_npm(run: _Run, step: Step) -> None:
    write_tree(rendered_npm(run.spec, run.toolchain), run.dirs.npm)


def _sources(run: _Run, step: Step) -> None:
    """Compile from the build root: same paths everywhere, same bytes (pipeline/sources.py)."""
    if sources.has_path_dependencies(run.spec.crate_dir):
        ui.warn("the kernel has path dependencies: building in place, so the module depends on where "
                "the checkout lives")
        run.build_crate = run.dirs.crate
        return
    root = run.dirs.canonical
    kernel = root / "kernel"
    kernel_files = sources.read_tree(run.spec.crate_dir)
    sources.mirror_files(kernel_files, kernel)
    crate = root / "crate"
    # Only the manifest depends on where the crate is; the bindings are the ones rendered already.
    manifest = cargo_toml(dataclasses.replace(run.spec, crate_dir=kernel), crate)
    run.build_crate = crate
    together = compiles_together(run.spec, run.request)
    if together:
        _mirror_simd_copies(run, manifest, kernel_files)
    else:
        (root / "Cargo.toml").unlink(missing_ok=True)  # no workspace: the crate is a root of its own
    sources.mirror_files({"Cargo.toml": (workspace.member_manifest(manifest, simd=False) if together
                                         else manifest).encode(),
                          "src/lib.rs": run.lib_rs.encode()}, crate)


def _mirror_simd_copies(run: _Run, manifest: str, kernel_files: dict[str, bytes]) -> None:
    """The workspace that builds both modules in one cargo run (pipeline/workspace.py)."""
    root = run.dirs.canonical
    simd_manifest = workspace.simd_kernel_manifest(kernel_files["Cargo.toml"].decode())
    sources.mirror_files({**kernel_files, "Cargo.toml": simd_manifest.encode()}, root / "kernel-simd")
    sources.mirror_files({"Cargo.toml": workspace.member_manifest(manifest, simd=True).encode(),
                          "src/lib.rs": run.lib_rs.encode()}, root / "crate-simd")
    sources.write_if_changed(root / "Cargo.toml", workspace.root_manifest(manifest).encode())
    run.workspace = root / "Cargo.toml"


def _helpers(run: _Run, step: Step) -> None:
    sources = [run.spec.root / source for source in run.spec.npm.extra_sources]
    helpers.compile_helpers(run.toolchain, sources, run.dirs.npm / HELPERS_DIR)


def _compile(run: _Run, step: Step) -> None:
    assert run.build_crate is not None
    remap = _path_remapping(run)
    generated = diagnostics.Generated(run.dirs.crate / "src" / "lib.rs", run.spec.file)

    def locate(location: SourceLocation, rendered: str) -> SourceLocation:
        # The compiler names the kernel's files by their remapped paths (/kernel/src/lib.rs) and
        # the generated crate's relative to it (src/lib.rs) — in a workspace, both relative to
        # its root (kernel/src/lib.rs, crate/src/lib.rs): point at the user's files, and
        # errors in the generated bindings at the kernel.toml entries they come from.
        if not location.file.is_absolute() and run.workspace is None:
            location = dataclasses.replace(location, file=run.dirs.crate / location.file)
        return generated.locate(_unmapped(location, run), rendered)

    members = workspace.artifact_manifests(run.dirs.canonical) if run.workspace else {}
    cargo_run = _threads_cargo_run(run, members) if step.variant == "threads" else _CargoRun(
        run.workspace or run.build_crate / "Cargo.toml", run.dirs.cargo_target,
        () if members else run.cargo_features(step.variant), members)
    try:
        artifacts = cargo.compile_wasm(
            run.toolchain, cargo_run.manifest, cargo_run.target_dir, release=run.release, remap=remap,
            features=cargo_run.features, locate=locate, wrapper=cache.rustc_wrapper(run.spec),
            members=tuple(cargo_run.members.values()), rustflags=cargo_run.rustflags, std_stamp=cargo_run.std_stamp,
        )
    except CommandFailed as failure:
        tail = generated.annotate(failure.output_tail)
        for prefix, origin in _origins(run).items():
            tail = tail.replace(f"--> {prefix}/", f"--> {origin}/")
        in_spec = [location for location in failure.locations if location.file == run.spec.file]
        if in_spec:
            raise KernelMismatch(run.spec.file, in_spec, tail) from None
        raise CommandFailed(failure.argv, failure.returncode, tail, hint=failure.hint,
                            locations=failure.locations) from None
    # Cargo writes every variant of the crate to the same path: keep this one before the next compile.
    for variant, artifact in zip(cargo_run.members or [step.variant], artifacts, strict=True):
        kept = run.dirs.root / "compiled" / f"{variant}.wasm"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(artifact, kept)
        run.compiled[variant] = kept


@dataclass(frozen=True)
class _CargoRun:
    """What one cargo run builds, and how."""

    manifest: Path
    target_dir: Path
    features: tuple[str, ...]
    members: dict[str, Path]  # variant -> manifest, when one run builds a workspace's modules
    rustflags: tuple[str, ...] = ()
    std_stamp: str = ""


def _threads_cargo_run(run: _Run, members: dict[str, Path]) -> _CargoRun:
    """The threaded module's run (pipeline/threads.py): in the workspace, the SIMD member (its
    kernel copy has the SIMD feature on), with threads; alone otherwise."""
    assert run.build_crate is not None
    threads.require_std()
    simd = run.spec.build.simd_feature is not None
    manifest = members["simd"] if members else run.build_crate / "Cargo.toml"
    return _CargoRun(manifest, threads.target_dir(run.dirs.cargo_target),
                     ("threads",) if members else threads.cargo_features(simd), {},
                     threads.rustflags(), threads.std_stamp())


def _origins(run: _Run) -> dict[str, Path]:
    """The prefixes the compiler names files by (remapped, see _path_remapping; or, in the
    two-module workspace, relative to its root) and the user's directories they stand for."""
    if run.workspace is not None:  # kernel-simd, crate-simd: the SIMD module's copies (pipeline/workspace.py)
        return {name: run.spec.crate_dir if name.startswith("kernel") else run.dirs.crate
                for name in (*workspace.KERNEL_COPIES, *workspace.MEMBERS)}
    root = "" if run.build_crate == run.dirs.crate else f"/build/{run.dirs.canonical.name}"
    return {f"{root}/kernel": run.spec.crate_dir, f"{root}/crate": run.dirs.crate}


def _unmapped(location: SourceLocation, run: _Run) -> SourceLocation:
    for prefix, origin in _origins(run).items():
        if location.file.is_relative_to(prefix):
            return dataclasses.replace(location, file=origin / location.file.relative_to(prefix))
    return location


def _path_remapping(run: _Run) -> dict[Path, str]:
    """Machine paths out of the module. From the build root, the same flags for every kernel:
    cargo fingerprints every crate with the rustc flags, so kernel-specific flags would make
    each kernel recompile the dependencies they share in the common target directory."""
    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    assert run.build_crate is not None
    if run.build_crate == run.dirs.crate:  # built in place (path dependencies)
        return {run.spec.crate_dir: "/kernel", run.build_crate: "/crate", cargo_home: "/cargo"}
    return {build_root(): "/build", cargo_home: "/cargo", **workspace.COPY_REMAPPING}


def _bindgen(run: _Run, step: Step) -> None:
    assert step.target
    out = run.dirs.bindgen / step.variant / step.target
    run.bindgen_dirs.setdefault(step.variant, {})[step.target] = bindgen.run_bindgen(
        run.toolchain, run.compiled[step.variant], step.target, out, run.spec.ident, release=run.release
    )


def _wasm_pack(run: _Run, step: Step) -> None:
    assert step.target and run.build_crate is not None
    out = run.dirs.bindgen / step.variant / step.target
    cargo.forget_cdylibs(run.dirs.cargo_target, (run.build_crate / "Cargo.toml",), release=run.release)
    run.bindgen_dirs.setdefault(step.variant, {})[step.target] = bindgen.run_wasm_pack(
        run.toolchain, run.build_crate, step.target, out, run.spec.ident, run.dirs.cargo_target,
        release=run.release,
        cargo_env=cargo.build_env(run.toolchain, _path_remapping(run), cache.rustc_wrapper(run.spec)),
        features=run.cargo_features(step.variant),
    )


def _optimize(run: _Run, step: Step) -> None:
    """wasm-opt on one module, as soon as it is bound (two modules: side by side)."""
    level = run.request.wasm_opt_level(run.spec)
    module = bindgen.shared_module(run.bindgen_dirs[step.variant], run.spec.ident)
    run.wasm_before[step.variant] = module.stat().st_size
    used = optimize.optimize(run.toolchain, module, run.optimized(step.variant), level)
    run.features[step.variant] = sorted(used)


def _assemble(run: _Run, step: Step) -> None:
    if "simd" in run.bindgen_dirs:
        for target in ("web", "no-modules"):
            if target in run.bindgen_dirs["simd"]:
                bindgen.check_shared_glue(run.bindgen_dirs["baseline"][target] / f"{run.spec.ident}.js",
                                          run.bindgen_dirs["simd"][target] / f"{run.spec.ident}.js")
    modules = {variant: run.optimized(variant) for variant in run.bindgen_dirs}
    assemble.assemble(run.dirs.stage, layout(run.spec), run.bindgen_dirs, modules, run.dirs.npm,
                      minify=lambda code: minify_js(code, run.toolchain))


def _sizes(run: _Run, step: Step) -> None:
    run.sizes = tuple(sizes.measure(run.dirs.stage, layout(run.spec), run.wasm_before))
    sizes.check_budget(run.spec, list(run.sizes))


def _verify(run: _Run, step: Step) -> None:
    run.verification = verify_package(run.toolchain, run.spec, run.dirs.stage)
    require_passed(run.spec, run.verification, where=f"in the new package; {run.dirs.pkg} was left as it was",
                   hint=f"inspect the rejected package in {run.dirs.stage}")


def _publish(run: _Run, step: Step) -> None:
    replace_dir(run.dirs.stage, run.dirs.pkg)


STEPS: dict[str, Callable[[_Run, Step], None]] = {
    "render-crate": _render_crate,
    "render-npm": _render_npm,
    "sources": _sources,
    "helpers": _helpers,
    "compile": _compile,
    "bindgen": _bindgen,
    "wasm-pack": _wasm_pack,
    "optimize": _optimize,
    "assemble": _assemble,
    "sizes": _sizes,
    "verify": _verify,
    "publish": _publish,
}


def _outcome(run: _Run) -> BuildOutcome:
    package_layout = layout(run.spec)
    simd = run.features.get("simd")
    return BuildOutcome(
        kernel=run.spec.root,
        package=run.spec.package.name,
        version=run.spec.package.version,
        options=run.request.describe(run.spec),
        layout=package_layout,
        sizes=run.sizes,
        wasm_features=tuple(run.features.get("baseline", [])),
        simd_wasm_features=None if simd is None else tuple(simd),
        timings=MappingProxyType(dict(run.timings)),
        verification=run.verification,
    )
