#!/usr/bin/env python3
"""Bytes a web app ships, and how soon it has its first result.

For each kernel: a one-call app (the spec's first function example) over the
packed package, built for production with each bundler cell's setup (Vite,
webpack 5, esbuild as IIFE and as ESM: their defaults, no plugins), and the
same call from the `web` entry without a bundler. Each app is loaded in
headless Chromium; the page's downloads are weighed (raw and gzip -9, JS and
WebAssembly) and the time from navigation start to the first result is the
median of --loads page loads (fresh context each, nothing cached).

  ratio = gzip(JS + wasm the app downloads) / (gzip(the module it runs) + gzip(its glue))

where "the module it runs and its glue" is what the no-bundler `web` page
downloads: one module (Chromium runs the SIMD one) and the package's JS for
the web target. Goal: <= 1.25 for every bundler.

Tarballs (`npm pack --json`): ours against a single-target
`wasm-pack build --release --target bundler` of the same generated crate plus
its SIMD module (wasm-pack's module replaced by the same optimised bytes we
ship, since offline wasm-pack cannot run its own wasm-opt). Goal: <= 2x.

    .venv/bin/python bench/web_weight.py [--kernel DIR ...] [--loads 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from _common import REPO, ensure_built, run

from wasmforge.kernelspec.load import load_spec
from wasmforge.kernelspec.model import KernelSpec
from wasmforge.pipeline.workdir import WorkDir
from wasmforge.render.js import JsView
from wasmforge.settings import npm_tools_dir
from wasmforge.toolchain.tools import Toolchain, chromium_path, resolve, wasm_pack
from wasmforge.verify.consumers import _npm_cli

SCRIPT = Path(__file__).with_name("web_weight.mjs")
GOAL_RATIO = 1.25
GOAL_TARBALL = 2.0
YARDSTICK = "web (no bundler)"


def one_call(spec: KernelSpec) -> tuple[str, list[str]]:
    """The first function example that succeeds, as a JavaScript call, and what it imports."""
    view = JsView(spec)
    for function in spec.functions:
        for example in function.examples:
            if example.error is None:
                return view.call_expression(function, example), [function.name]
    return "version()", ["version"]


def npm_pack(toolchain: Toolchain, package: Path, destination: Path) -> dict:
    destination.mkdir(parents=True, exist_ok=True)
    output = run([*toolchain.node.npm("pack", "--json", "--ignore-scripts", "--pack-destination",
                                      str(destination))], cwd=package, env=toolchain.node.env())
    info = json.loads(output)[0]
    return {"tarball": str(destination / info["filename"]), "size": info["size"],
            "unpacked": info["unpackedSize"], "files": info["entryCount"]}


def wasm_pack_tarball(toolchain: Toolchain, kernel: Path, ours: Path, scratch: Path) -> dict:
    """A single-target wasm-pack package of the same crate, plus our SIMD module."""
    out = scratch / "wasm-pack"
    env = {**toolchain.cargo_env(), "PATH": toolchain.path_with_tools(),
           "CARGO_TARGET_DIR": str(kernel / "target" / "bench-wasm-pack")}
    print(f"wasm-pack build of {kernel.name} (the yardstick)…", file=sys.stderr)
    run([str(wasm_pack()), "build", "--release", "--target", "bundler", "--mode", "no-install",
         "--out-dir", str(out)], cwd=WorkDir(kernel).crate, env=env)
    manifest = json.loads((out / "package.json").read_text())
    module = next(out.glob("*_bg.wasm"))
    shutil.copyfile(ours / module.name, module)
    if (ours / "simd" / module.name).exists():
        (out / "simd").mkdir()
        shutil.copyfile(ours / "simd" / module.name, out / "simd" / module.name)
        manifest["files"] = [*manifest.get("files", []), f"simd/{module.name}"]
        (out / "package.json").write_text(json.dumps(manifest, indent=2))
    return npm_pack(toolchain, out, scratch / "wasm-pack-tarball")


def weigh_apps(toolchain: Toolchain, spec: KernelSpec, tarball: str, scratch: Path, loads: int) -> dict:
    call, imports = one_call(spec)
    plan = scratch / "plan.json"
    plan.write_text("[]")
    browser = chromium_path()
    if browser is None:
        raise SystemExit("no Chromium: run `make build` (or `wasmforge toolchain install`) first")
    output = run([*toolchain.node.script(SCRIPT), tarball, str(scratch / "apps"), "--tools", str(npm_tools_dir()),
                  "--plan", str(plan), "--call", call, "--imports", ",".join(imports), "--loads", str(loads)],
                 env={**toolchain.node.env(), "WASMFORGE_CHROMIUM": str(browser),
                      "WASMFORGE_NPM_CLI": _npm_cli(toolchain)})
    result = json.loads(output.strip().splitlines()[-1])
    result["call"] = call
    return result


def measure(kernel: Path, loads: int, toolchain: Toolchain) -> dict:
    package = ensure_built(kernel)
    spec = load_spec(kernel)
    with tempfile.TemporaryDirectory(prefix="wasmforge-web-weight-") as tmp:
        scratch = Path(tmp)
        ours = npm_pack(toolchain, package, scratch / "tarball")
        apps = weigh_apps(toolchain, spec, ours["tarball"], scratch, loads)
        yardstick_pack = wasm_pack_tarball(toolchain, kernel, package, scratch)
    base = apps["apps"][YARDSTICK]
    yardstick = base["js"]["gzip"] + base["wasm"]["gzip"]
    for app in apps["apps"].values():
        app["ratio"] = (app["js"]["gzip"] + app["wasm"]["gzip"]) / yardstick
    return {"kernel": kernel.name, "package": apps["package"], "call": apps["call"], "yardstick_gzip": yardstick,
            "apps": apps["apps"], "tarball": ours, "wasm_pack_tarball": yardstick_pack,
            "tarball_ratio": ours["size"] / yardstick_pack["size"]}


def kib(n: int) -> str:
    return f"{n / 1024:6.1f}"


def print_table(results: list[dict]) -> None:
    for r in results:
        print(f"\n{r['package']} — one call: {r['call'][:60]}")
        print(f"{'app':<18} {'JS KiB':>7} {'gz':>6} {'wasm KiB':>8} {'gz':>6} {'total gz':>8} {'ratio':>6} "
              f"{'first result':>12}")
        for name, app in r["apps"].items():
            total = app["js"]["gzip"] + app["wasm"]["gzip"]
            flag = "" if name == YARDSTICK or app["ratio"] <= GOAL_RATIO else " over"
            print(f"{name:<18} {kib(app['js']['raw']):>7} {kib(app['js']['gzip'])} {kib(app['wasm']['raw']):>8} "
                  f"{kib(app['wasm']['gzip'])} {kib(total):>8} {app['ratio']:5.2f}x {app['firstResultMs']:9.1f} ms"
                  f"{flag}")
        ours, theirs = r["tarball"], r["wasm_pack_tarball"]
        print(f"tarball {kib(ours['size']).strip()} KiB ({ours['files']} files, unpacked "
              f"{kib(ours['unpacked']).strip()} KiB) vs wasm-pack + SIMD module {kib(theirs['size']).strip()} KiB: "
              f"{r['tarball_ratio']:.2f}x (goal <= {GOAL_TARBALL}x)")
    print(f"\nratio goal: <= {GOAL_RATIO}x gzip(the module it runs) + gzip(its glue) (the no-bundler row)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kernel", type=Path, action="append",
                        help="kernel directory (repeatable; default: both bundled kernels)")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    kernels = args.kernel or [REPO / "kernels" / "sublinear-solver", REPO / "kernels" / "attention"]
    toolchain = resolve()
    results = [measure(kernel.resolve(), args.loads, toolchain) for kernel in kernels]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results)


if __name__ == "__main__":
    main()
