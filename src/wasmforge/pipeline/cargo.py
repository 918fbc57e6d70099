"""Compile the generated crate for wasm32, once, and find the artifact.

The .wasm path is read from cargo's JSON messages (`compiler-artifact` of our
cdylib), never guessed from the target directory layout.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import proc, ui
from ..errors import BuildFailed, CommandFailed, SourceLocation
from ..settings import WASM_TARGET
from ..toolchain.tools import Toolchain

TOOLCHAIN_STAMP = ".wasmforge-toolchain"


def compile_wasm(
    toolchain: Toolchain,
    manifest: Path,
    target_dir: Path,
    *,
    release: bool,
    remap: dict[Path, str],
    features: tuple[str, ...] = (),
    locate: Callable[[SourceLocation, str], SourceLocation] = lambda location, _: location,
    wrapper: Path | None = None,
    members: tuple[Path, ...] = (),
    rustflags: tuple[str, ...] = (),
    std_stamp: str = "",
) -> list[Path]:
    """Build the cdylib at `manifest` for wasm32 and return the .wasm path; with `members`
    (their manifests), `manifest` is a workspace: build all of it, return each member's .wasm.
    `locate(location, rendered)` moves each compiler error to the user's file it stems from;
    errors at the same place are reported once (a workspace compiles the kernel twice).
    `rustflags`: more flags (the threaded module's); `std_stamp` names the std they link against
    when it is not the toolchain's (pipeline/threads.py)."""
    _discard_stale_target(target_dir, toolchain, std_stamp)
    forget_cdylibs(target_dir, members or (manifest,), release=release)
    argv = [
        "cargo", "build", "--manifest-path", str(manifest), "--target", WASM_TARGET,
        "--target-dir", str(target_dir), "--message-format=json", *(["--workspace"] if members else []),
    ]
    if release:
        argv.append("--release")
    if features:
        argv += ["--features", ",".join(features)]
    env = {**build_env(toolchain, remap, wrapper, rustflags), "CARGO_TERM_COLOR": "never"}
    result = proc.run(argv, env=env, check=False)
    if result.returncode != 0:
        located: dict[SourceLocation | int, str] = {}
        for index, error in enumerate(compile_errors(result.stdout)):
            key = locate(error["location"], error["rendered"]) if error["location"] else index
            located.setdefault(key, error["rendered"])
        rendered = "\n".join(located.values())
        locations = [key for key in located if isinstance(key, SourceLocation)]
        raise CommandFailed(result.argv, result.returncode, proc.output_tail("", f"{rendered}\n{result.stderr}"),
                            hint="the Rust compiler's messages above say what to fix", locations=locations)
    ui.detail(reuse_summary(result.stdout))
    return [find_wasm_artifact(result.stdout, member) for member in members or (manifest,)]


def forget_cdylibs(target_dir: Path, manifests: tuple[Path, ...], *, release: bool) -> None:
    """Remove the .wasm files of the cdylibs of `manifests` from the target directory.

    Cargo names a cdylib's file after its lib alone, without the hash other crates get, so
    two feature sets of one crate (its SIMD build, `--features simd`, as `--backend wasm-pack`
    and in-place builds make it) write the same file while each keeps its own fingerprint: the
    next build of the other feature set is "fresh" and its file is the wrong module. Without
    the file, cargo links it again (the final compile, about 2 s per module)."""
    profile = target_dir / WASM_TARGET / ("release" if release else "debug")
    for manifest in manifests:
        name = _lib_name(manifest)
        for directory in (profile / "deps", profile):
            (directory / f"{name}.wasm").unlink(missing_ok=True)


def _lib_name(manifest: Path) -> str:
    data = tomllib.loads(manifest.read_text("utf-8"))
    return str(data.get("lib", {}).get("name") or data["package"]["name"].replace("-", "_"))


def reuse_summary(messages: str) -> str:
    """How many crates cargo compiled and how many it found up to date (`fresh`), from its JSON
    lines: kernels sharing the target directory reuse the dependencies another one compiled."""
    artifacts = [json.loads(line) for line in messages.splitlines()
                 if line.startswith("{") and '"compiler-artifact"' in line]
    fresh = sum(1 for artifact in artifacts if artifact.get("fresh"))
    return f"cargo: {len(artifacts) - fresh} crates compiled, {fresh} up to date"


def compile_errors(messages: str) -> list[dict[str, Any]]:
    """rustc's errors from cargo's JSON lines: the rendered text and the primary
    span (paths as the compiler printed them: remapped, see build_env)."""
    errors = []
    for line in messages.splitlines():
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        diagnostic = message.get("message") or {}
        if message.get("reason") != "compiler-message" or diagnostic.get("level") != "error":
            continue
        primary = next((span for span in diagnostic.get("spans", []) if span.get("is_primary")), None)
        location = SourceLocation(Path(primary["file_name"]), primary["line_start"], diagnostic["message"]) \
            if primary else None
        errors.append({"rendered": (diagnostic.get("rendered") or diagnostic["message"]).rstrip(),
                       "location": location})
    return errors


def find_wasm_artifact(messages: str, manifest: Path) -> Path:
    """The .wasm file of the cdylib built from `manifest`, from cargo's JSON lines."""
    wanted = manifest.resolve()
    for line in messages.splitlines():
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        if message.get("reason") != "compiler-artifact":
            continue
        if Path(message.get("manifest_path", "")).resolve() != wanted:
            continue
        if "cdylib" not in message.get("target", {}).get("kind", []):
            continue
        for filename in message.get("filenames", []):
            if filename.endswith(".wasm"):
                return Path(filename)
    raise BuildFailed(
        f"cargo reported no .wasm artifact for {manifest}",
        hint="the generated crate must be a cdylib; re-run `wasmforge render`",
    )


def user_rustflags() -> list[str]:
    """The rustc flags the user gives cargo, as cargo itself would pick them:
    CARGO_ENCODED_RUSTFLAGS (separated by 0x1f) before RUSTFLAGS before the
    wasm32 target's own variable — the first one set wins, the others are ignored."""
    encoded = os.environ.get("CARGO_ENCODED_RUSTFLAGS")
    if encoded is not None:
        return [flag for flag in encoded.split("\x1f") if flag]
    for variable in ("RUSTFLAGS", "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS"):
        if os.environ.get(variable, "").strip():
            return os.environ[variable].split()
    return []


def build_env(toolchain: Toolchain, remap: dict[Path, str], wrapper: Path | None = None,
              rustflags: tuple[str, ...] = ()) -> dict[str, str]:
    """Environment for anything that runs cargo for wasm32 (cargo, wasm-pack).

    Path remapping keeps machine-specific paths out of the module (panic
    locations), so builds from different checkouts produce the same bytes. The
    flags go through CARGO_ENCODED_RUSTFLAGS, which cargo prefers to every other
    source of flags — so a user's RUSTFLAGS cannot silently drop them (their
    flags are kept, before ours) — and which separates flags by 0x1f, so paths
    with spaces stay one flag. With `--target`, host build scripts get none of them.
    `wrapper`: the compile cache's program (pipeline/cache.py), run by cargo in front of rustc.
    """
    flags = [*user_rustflags(), *(f"--remap-path-prefix={source}={replacement}" for source, replacement in remap.items()),
             *rustflags]
    env = {**toolchain.cargo_env(), "CARGO_ENCODED_RUSTFLAGS": "\x1f".join(flags)}
    if wrapper is not None:
        env["RUSTC_WRAPPER"] = str(wrapper)
    return env


# Kernels built at once share the target directory: one of them checks (and clears) it at a time.
_TARGET_CHECK = threading.Lock()


def _discard_stale_target(target_dir: Path, toolchain: Toolchain, std_stamp: str = "") -> None:
    """Cargo does not notice when the wasm32 std under the sysroot is rebuilt,
    and then fails with "can't find crate"; start clean when the toolchain changed."""
    stamp = target_dir / TOOLCHAIN_STAMP
    fingerprint = toolchain.fingerprint() + (f"\n{std_stamp}" if std_stamp else "")
    with _TARGET_CHECK:
        if stamp.is_file() and stamp.read_text() == fingerprint:
            return
        wasm_dir = target_dir / WASM_TARGET
        if wasm_dir.exists():
            ui.info("toolchain changed since the last build: discarding compiled wasm32 artifacts")
            shutil.rmtree(wasm_dir)
        target_dir.mkdir(parents=True, exist_ok=True)
        stamp.write_text(fingerprint)
