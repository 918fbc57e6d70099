"""The `wasmforge` command line: a thin layer over the library.

Commands resolve their arguments, call the library, and present results
(status through ui to stderr, --json documents to stdout). Only `main` turns
errors into exit codes: 2 spec/usage error, 3 missing tool, 4 external
command failed, 5 verification failed (documented in docs/cli.md).
"""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from . import __version__, operations, ui
from .errors import CiFailed, Interrupted, ToolMissing, UsageError, WasmforgeError
from .pipeline.outcome import BuildOutcome
from .pipeline.plan import BACKENDS, PROFILES, BuildRequest, plan_build
from .pipeline.sizes import SizeRow, headroom
from .scaffold import TEMPLATES, plan_new, write_new
from .settings import TARGETS
from .kernelspec import schema
from .kernelspec.load import load_spec
from .kernelspec.model import SizeBudget
from .kernelspec.units import format_against, format_budget, format_size
from .toolchain import install as toolchain_install
from .toolchain import tools
from .verify import VerifyReport, require_passed

if TYPE_CHECKING:
    from .verify.consumers import Cell

app = typer.Typer(
    name="wasmforge",
    help="Ship Rust compute kernels to JavaScript as one verified WebAssembly npm package.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
toolchain_app = typer.Typer(help="Install the wasm toolchain wasmforge needs.", no_args_is_help=True)
app.add_typer(toolchain_app, name="toolchain")

KernelDirs = Annotated[
    Optional[list[Path]],  # noqa: UP007 - typer needs Optional
    typer.Argument(help="Kernel directories (holding kernel.toml). Default: this directory if it is a "
                        "kernel, else every kernels/*/ below it.", show_default=False),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON document on stdout.")]


def _version(value: bool) -> None:
    if value:
        print(f"wasmforge {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Echo every command run, with timings.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    ui.set_verbose(verbose)


# --- doctor / toolchain ----------------------------------------------------------------

@app.command()
def doctor(as_json: JsonFlag = False) -> None:
    """Report every tool the pipeline needs: path, version, ok or missing, and a fix."""
    statuses = tools.inspect(probe=True)
    if as_json:
        ui.emit_json({"ok": all(s.ok for s in statuses), "tools": [s.as_json() for s in statuses]})
    else:
        rows = [[s.name, "ok" if s.ok else "MISSING", s.version, ui.short_path(s.path), s.note] for s in statuses]
        ui.table("wasmforge doctor", ["tool", "status", "version", "path", "notes"], rows)
        for status in statuses:
            if not status.ok:
                ui.warn(f"{status.name}: {status.note}; fix: {status.fix}")
    missing = [s.name for s in statuses if not s.ok]
    if missing:
        raise ToolMissing(f"{len(missing)} tool(s) missing or unusable: {', '.join(missing)}",
                          hint="run `wasmforge toolchain install`")
    if not as_json:
        ui.success("every tool is in place")


@toolchain_app.command("install")
def toolchain_install_command(
    print_plan: Annotated[bool, typer.Option("--print-plan", help="Show the steps and exit.")] = False,
    with_tools: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--with", help="Also install this optional tool now (repeatable): wasm-pack (for `--backend "
                       "wasm-pack`) or sccache (the compile cache), otherwise each is installed when first "
                       "needed; wasm-opt: a native wasm-opt, built from crates.io (about 6 minutes), which "
                       "builds then use instead of binaryen.js.", show_default=False)] = None,
) -> None:
    """Install what `wasmforge doctor` reports missing (idempotent; offline from registries).
    Independent tools are provisioned at the same time."""
    unknown = sorted(set(with_tools or []) - set(toolchain_install.OPTIONAL))
    if unknown:
        raise UsageError(f"unknown optional tool {', '.join(unknown)}",
                         hint=f"the optional tools are {', '.join(toolchain_install.OPTIONAL)}")
    lanes = toolchain_install.plan(optional=tuple(with_tools or ()))
    steps = [step for lane in lanes for step in lane]
    if print_plan:
        for number, lane in enumerate(lanes, start=1):
            for step in lane:
                ui.info(f"[{'todo' if step.needed else 'done'}] lane {number}: {step.name}: {step.description}")
        return
    toolchain_install.run(lanes)
    missing = [s for s in tools.inspect(probe=False) if not s.ok]
    if missing:
        raise ToolMissing("still missing after install: " + ", ".join(s.name for s in missing),
                          hint="run `wasmforge doctor` for details")
    ui.success("toolchain ready" if any(s.needed for s in steps) else "toolchain already complete")


# --- new -----------------------------------------------------------------------------------

@app.command()
def new(
    name: Annotated[str, typer.Argument(help="The kernel's name: its directory, npm package and crate name.",
                                        show_default=False)],
    template: Annotated[str, typer.Option(
        "--template", help=f"What the kernel starts as: {', '.join(f'{k} ({v})' for k, v in TEMPLATES.items())}.")]
    = "function",
) -> None:
    """Create NAME/: a kernel (Rust library with tests, kernel.toml) that builds and verifies green at once."""
    kernel = plan_new(name, Path.cwd(), template)
    write_new(kernel)
    ui.success(f"created {kernel.directory} ({template}): {', '.join(sorted(kernel.files))}")
    ui.info("next:")
    for command in kernel.next_commands():
        ui.info(f"  {command}")


# --- render ------------------------------------------------------------------------------

@app.command()
def render(kernel_dir: Annotated[Path, typer.Argument(help="Kernel directory.")] = Path("."),
           as_json: JsonFlag = False) -> None:
    """Render the crate and npm sources from kernel.toml into KERNEL_DIR/target/wasmforge/."""
    spec = load_spec(kernel_dir)
    written = operations.render(spec, tools.resolve())
    if as_json:
        ui.emit_json({"kernel": str(spec.root), "written": {str(d): names for d, names in written.items()}})
        return
    for destination, names in written.items():
        ui.success(f"{destination}: {', '.join(names)}")


# --- build ---------------------------------------------------------------------------------

@app.command()
def build(
    kernel_dirs: KernelDirs = None,
    all_targets: Annotated[bool, typer.Option("--all-targets", help=f"Build {', '.join(TARGETS)}.")] = False,
    target: Annotated[Optional[list[str]], typer.Option(  # noqa: UP007
        "--target", "-t", help="Build this target (repeatable). Default: the spec's [build].targets.")] = None,
    backend: Annotated[str, typer.Option(help=f"{' or '.join(BACKENDS)}: compile once and bind per target, "
                                              "or run wasm-pack per target.")] = "wasm-bindgen",
    profile: Annotated[str, typer.Option(help=f"{' or '.join(PROFILES)} cargo profile.")] = "release",
    no_verify: Annotated[bool, typer.Option("--no-verify", help="Skip verification.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Build even if nothing changed.")] = False,
    print_plan: Annotated[bool, typer.Option("--print-plan", help="Show the steps and exit.")] = False,
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", "-j", help="Kernels built at once (default: 2 on machines with 2 cores or more).",
        show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Compile once, bind for every target, optimise, assemble ONE npm package in pkg/, verify it."""
    request = _build_request(all_targets, target, backend, profile, not no_verify, force)
    if print_plan:
        for spec in [load_spec(path) for path in operations.discover_kernels(kernel_dirs)]:
            ui.step(f"plan for {spec.root} ({request.describe(spec)})")
            steps = plan_build(spec, request)
            numbers = {step.key: number for number, step in enumerate(steps, start=1)}
            for number, step in enumerate(steps, start=1):
                after = ", ".join(str(numbers[key]) for key in step.needs)
                ui.info(f"{number}. {step.title}" + (f"  (after {after})" if after else ""))
        return
    # The toolchain checks wait on subprocesses: they run while the specs load.
    with ThreadPoolExecutor(max_workers=1) as pool:
        resolving = pool.submit(tools.resolve)
        specs = [load_spec(path) for path in operations.discover_kernels(kernel_dirs)]
        toolchain = resolving.result()
    outcomes = []
    started = time.monotonic()
    for spec, outcome in zip(specs, operations.build_each(specs, request, toolchain, _jobs(jobs, len(specs)))):
        outcomes.append(outcome)
        _show_build(outcome, spec.build.size_budget, time.monotonic() - started)
    if as_json:
        ui.emit_json([outcome.to_json() for outcome in outcomes])


def _jobs(requested: int | None, kernels: int) -> int:
    if requested is not None and requested < 1:
        raise UsageError(f"--jobs must be at least 1, got {requested}", hint="e.g. --jobs 2")
    return min(requested or min(2, os.cpu_count() or 1), kernels)


def _build_request(all_targets: bool, targets: list[str] | None, backend: str, profile: str,
                   verify: bool, force: bool) -> BuildRequest:
    if all_targets and targets:
        raise UsageError("--all-targets and --target exclude each other", hint="use one of them")
    for name in targets or []:
        if name not in TARGETS:
            raise UsageError(f"unknown target `{name}`", hint=f"choose from {', '.join(TARGETS)}")
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend `{backend}`", hint=f"choose from {', '.join(BACKENDS)}")
    if profile not in PROFILES:
        raise UsageError(f"unknown profile `{profile}`", hint=f"choose from {', '.join(PROFILES)}")
    chosen = TARGETS if all_targets else tuple(targets) if targets else None
    return BuildRequest(chosen, backend, profile, verify, force)


def _show_build(outcome: BuildOutcome, budget: SizeBudget, seconds: float) -> None:
    if outcome.up_to_date:
        ui.success(f"{outcome.pkg} is up to date: nothing changed since the last build ({outcome.options}); "
                   "nothing to do")
        return
    rows = [[row.name, format_size(row.raw), format_size(row.gzip),
             format_size(row.before_opt) if row.before_opt is not None else "",
             _headroom_text(row, budget)] for row in outcome.sizes]
    ui.table(f"{outcome.package}: sizes (an entry: its JavaScript and the module it fetches)",
             ["", "raw", "gzip", "before wasm-opt", "budget: headroom"], rows)
    if outcome.verification:
        _show_verification(outcome.verification)
    ui.success(f"built {outcome.pkg} ({outcome.package}@{outcome.version}, {outcome.options}) in {seconds:.1f}s")


def _headroom_text(row: SizeRow, budget: SizeBudget) -> str:
    parts = [f"{format_budget(limit)}{' gz' if key.endswith('_gzip') else ''}: "
             + (f"{format_against(left, limit)} left" if left >= 0 else f"OVER by {format_against(-left, limit)}")
             for key, limit, left in headroom(row, budget)]
    return "; ".join(parts) or "—"


def _show_verification(report: VerifyReport) -> None:
    columns, rows = report.grid()
    ui.table(f"{report.package}: verification (passed/total per target, SIMD and baseline together)", columns, rows)


# --- verify --------------------------------------------------------------------------------

@app.command()
def verify(kernel_dir: Annotated[Path, typer.Argument(help="Kernel directory.")] = Path("."),
           consumers: Annotated[bool, typer.Option(
               "--consumers", help="Also check the package where it is used: Chromium, esbuild, webpack, Vite, "
                                   "Node require/import, Deno, Bun, a wrangler-bundled Worker in workerd, tsc --strict, "
                                   "publint, arethetypeswrong.")] = False,
           as_json: JsonFlag = False) -> None:
    """Check KERNEL_DIR/pkg/: wasmtime on the module, then every target in Node from the packed tarball."""
    spec, pkg = operations.built_package(kernel_dir)
    toolchain = tools.resolve()
    report = operations.verify(toolchain, spec, pkg)
    cells = operations.consumer_matrix(toolchain, spec, pkg) if consumers else []
    failed_cells = [cell for cell in cells if not cell.passed]
    if as_json:
        ui.emit_json({**report.as_json(), "ok": report.ok and not failed_cells,
                      **({"consumers": {cell.name: cell.as_json() for cell in cells}} if consumers else {})})
    else:
        _show_verification(report)
        for failure in report.failures:
            ui.error(failure.describe())
        if consumers:
            _show_consumers(report.package, cells)
    require_passed(spec, report, cells, where=f"for {pkg}")
    if not as_json:
        total = len(report.checks) + sum(len(cell.checks) for cell in cells)
        ui.success(f"{pkg}: all {total} checks passed" + (f", in {len(cells)} consumers" if consumers else ""))


def _show_consumers(package: str, cells: list[Cell]) -> None:
    rows = []
    for cell in cells:
        failed = [c for c in cell.checks if not c.ok]
        verdict = "ok" if cell.passed else "FAIL"
        checks = f"{len(cell.checks) - len(failed)}/{len(cell.checks)}" if cell.checks else "—"
        note = cell.detail.splitlines()[0] if cell.detail else ""
        if failed:
            note = f"{failed[0].subject} · {failed[0].name}: {failed[0].detail}"
        rows.append([cell.name, verdict, checks, f"{cell.seconds:.1f}s", note])
    ui.table(f"{package}: consumers", ["consumer", "result", "spec checks", "time", "detail"], rows)
    for cell in cells:
        if not cell.ran:
            ui.error(f"{cell.name}:\n{cell.detail}")


# --- release ---------------------------------------------------------------------------------

@app.command()
def release(
    version: Annotated[Optional[str], typer.Argument(  # noqa: UP007
        help="The new version (semver), e.g. 1.2.0 or 2.0.0-rc.1.", show_default=False)] = None,
    kernel_dirs: KernelDirs = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan and the diffs; change nothing.")] = False,
    no_git: Annotated[bool, typer.Option("--no-git", help="Do not check the tree, commit or tag.")] = False,
    allow_dirty: Annotated[bool, typer.Option("--allow-dirty", help="Release from a tree with uncommitted "
                                                                    "changes.")] = False,
    publish: Annotated[bool, typer.Option("--publish", help="`npm publish` once everything else "
                                                            "succeeded.")] = False,
    recover_only: Annotated[bool, typer.Option("--recover", help="Only roll back a release that was killed, "
                                                                 "then exit.")] = False,
    from_tag: Annotated[Optional[str], typer.Option(  # noqa: UP007
        "--from-tag", metavar="TAG", help="CI: rebuild the release TAG points at (HEAD must be there), check it "
        "is byte-identical to its committed manifest, and with --publish publish it.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Bump, changelog, build, verify, pack, commit and tag: all of it, or (on any failure) none of it."""
    from .release import run as releasing
    from .release.semver import parse as parse_version

    dirs = operations.discover_kernels(kernel_dirs)
    if from_tag is not None:
        if version is not None:
            raise UsageError("--from-tag takes the version from the tag", hint="drop VERSION")
        manifest = releasing.release_from_tag(from_tag, dirs, tools.resolve(), publish)
        if as_json:
            ui.emit_json(manifest)
        return
    if dry_run:
        for journal in releasing.pending_journals(dirs):
            ui.warn(f"a killed release left {journal}; the next real run rolls it back first")
    else:
        restored = releasing.recover_pending(dirs)
        if restored:
            ui.warn("rolled back a release that was killed before it finished: " + ", ".join(restored))
    if recover_only:
        ui.success("no unfinished release is left")
        return
    if version is None:
        raise UsageError("missing VERSION", hint="e.g. `wasmforge release 1.2.0`")
    options = releasing.ReleaseOptions(parse_version(version.removeprefix("v")), git=not no_git,
                                       allow_dirty=allow_dirty, publish=publish)
    plan = releasing.plan_release(dirs, options)
    ui.step(f"release {options.version}" + (" (dry run)" if dry_run else ""))
    for line in plan.describe():
        ui.info(line)
    if dry_run:
        ui.emit_text(plan.diffs())
        ui.success("dry run: nothing was changed")
        return
    manifests = releasing.run_release(plan, tools.resolve())
    if as_json:
        ui.emit_json(manifests)
    for kernel in plan.kernels:
        ui.success(f"released {kernel.spec.package.name} {kernel.version}"
                   + (f", tagged {kernel.tag}" if kernel.tag else "") + f": {kernel.release_dir}")


# --- ci ------------------------------------------------------------------------------------

@app.command()
def ci(
    arguments: Annotated[Optional[list[str]], typer.Argument(  # noqa: UP007
        metavar="[KERNEL_DIR]... | init github", show_default=False,
        help="Kernel directories (default: as for build), or `init github` to write the workflow file.")] = None,
    junit: Annotated[Optional[Path], typer.Option(  # noqa: UP007
        "--junit", metavar="FILE", help="Write JUnit XML: a testcase per (kernel, target, check).")] = None,
    json_file: Annotated[Optional[Path], typer.Option(  # noqa: UP007
        "--json", metavar="FILE", help="Write the report as JSON (the JUnit content plus sizes and timings).")] = None,
    pack_dir: Annotated[Path, typer.Option("--pack-dir", help="Where the packed tarballs go.")] = Path("dist"),
    no_consumers: Annotated[bool, typer.Option("--no-consumers", help="Skip the consumer matrix "
                                                                     "(verify --consumers).")] = False,
    install: Annotated[str, typer.Option(help="init: how the workflow installs wasmforge (a pip requirement).")]
    = f"wasmforge=={__version__}",
    branch: Annotated[str, typer.Option(help="init: the branch whose pushes run the workflow.")] = "main",
    force: Annotated[bool, typer.Option("--force", help="init: overwrite an existing workflow file.")] = False,
) -> None:
    """One CI step: doctor, then build all targets, verify, run the consumer matrix and pack every
    kernel; a summary table, JUnit/JSON reports, and GitHub Actions groups and annotations.
    Exit code of the first failure."""
    from .ci.junit import write_junit
    from .ci.run import STAGES, run_ci, summary_rows

    if arguments and arguments[0] == "init":
        _ci_init(arguments[1:], install, branch, force)
        return
    dirs = operations.discover_kernels([Path(a) for a in arguments] if arguments else None)
    report = run_ci(dirs, pack_dir.resolve(), consumers=not no_consumers)
    stages = [stage for stage in STAGES if stage != "consumers" or not no_consumers]
    ui.table("wasmforge ci", ["kernel", *stages, "time"], summary_rows(report))
    if junit:
        write_junit(report, junit)
        ui.info(f"JUnit report: {junit}")
    if json_file:
        json_file.parent.mkdir(parents=True, exist_ok=True)
        json_file.write_text(json.dumps(report.to_json(), indent=2) + "\n")
        ui.info(f"JSON report: {json_file}")
    if not report.ok:
        failed = [k.package or str(k.kernel) for k in report.kernels if not k.ok]
        raise CiFailed(f"ci failed: {', '.join(failed) if failed else 'the toolchain is incomplete'}",
                       report.exit_code)
    ui.success(f"ci passed: {len(report.kernels)} kernel(s) built, verified and packed into {pack_dir}")


def _ci_init(arguments: list[str], install: str, branch: str, force: bool) -> None:
    from .ci.workflow import PROVIDERS, write_workflow

    if len(arguments) != 1:
        raise UsageError("usage: wasmforge ci init PROVIDER", hint=f"providers: {', '.join(PROVIDERS)}")
    written = write_workflow(Path.cwd(), arguments[0], install, branch, force)
    ui.success(f"wrote {written}: commit it, and add an NPM_TOKEN secret for publishing tagged releases")


# --- schema ----------------------------------------------------------------------------------

@app.command("schema")
def schema_command(
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file.")] = None,  # noqa: UP007
) -> None:
    """Print the JSON schema of kernel.toml (committed as docs/kernel.schema.json)."""
    text = json.dumps(schema.json_schema(), indent=2) + "\n"
    if output:
        output.write_text(text)
        ui.success(f"wrote {output}")
    else:
        sys.stdout.write(text)


# --- kernels and the entry point ---------------------------------------------------------------

def main() -> None:
    # Typer handles --help, --version and usage errors (exit 2) itself; our own
    # errors propagate to here and become their documented exit codes.
    try:
        app()
    except WasmforgeError as exc:
        ui.error(exc.render())
        if not exc.annotated:  # under GitHub Actions: annotations on the user's files
            ui.annotate_error(exc, f"wasmforge: {type(exc).__name__}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        ui.error("interrupted; nothing half-written was left in place")
        sys.exit(Interrupted.exit_code)
