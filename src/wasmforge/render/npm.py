"""Layout of the single npm package that serves every target.

All files sit flat in pkg/ so that one `<ident>_bg.wasm` serves every target:
since wasm-bindgen 0.2.107 the module's imports are the same for all targets,
and each target's glue finds `<ident>_bg.wasm` next to itself. The glue files
are renamed per target (`<ident>.node.cjs`, `<ident>.web.js` …).

Bundlers are served by wasm-bindgen's *web* glue, not its bundler glue: the
bundler glue imports the .wasm as an ES module, which only webpack (recent
versions) understands, and which no bundler does for a Node-platform bundle.
`index.js` instead instantiates the module synchronously from bytes inlined as
base64 (`wasm-inline.js`): no asset, no fetch, no top-level await, so webpack,
Vite (build and dev) and esbuild bundle it with their defaults, for browsers
and for Node (docs/architecture.md has the trade-off). `./web` keeps the
fetch-based loading, with the .wasm as a separate file.

The package is `"type": "module"`: `.js` files are ES modules, CommonJS files
end in `.cjs`. Which file serves which consumer is decided by `exports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..kernelspec.model import KernelSpec

INLINE_MODULE = "wasm-inline.js"
# The bundler entry's worker script as a string (`npm.workers`; pipeline/assemble.py).
WORKER_SOURCE = "worker-inline.js"
# The bundler entry of bundlers that emit `new URL(…, import.meta.url)` assets.
ASSET_ENTRY = "asset.js"
# The bundler entry of Cloudflare Workers (wrangler imports the .wasm as a compiled module).
WORKERD_ENTRY = "workerd.js"


# wasm-bindgen output per wasm-bindgen target -> the name it gets in the package.
def glue_files(ident: str) -> dict[str, dict[str, str]]:
    return {
        "web": {f"{ident}.js": f"{ident}.web.js"},
        "no-modules": {f"{ident}.js": f"{ident}.no-modules-glue.js"},  # folded into no-modules.js
    }


# The SIMD build is generated under the same name into simd/. The glue is handed
# its module at init() and serves both builds, so simd/ holds only the module.
SIMD_DIR = "simd"
# The threaded module and its own glue (wasm-bindgen's thread support differs), for the workers.
THREADS_DIR = "threads"
HELPERS_DIR = "helpers"
HELPER_SUFFIXES = (".js", ".d.ts", ".cjs", ".d.cts")


def bindgen_targets(targets: tuple[str, ...]) -> tuple[str, ...]:
    """The wasm-bindgen targets a package of `targets` needs. Bundlers and Node.js use the web
    glue: node.cjs require()s it (an ES module; Node.js 20.19 and 22.12 load those with require)
    and hands it the module's bytes, so one glue file serves every target but the classic script."""
    needed = {"web": bool({"web", "bundler", "nodejs"} & set(targets)), "no-modules": "no-modules" in targets}
    # (`npm.workers` with a bundler entry also needs the no-modules glue: see Layout.bindgen_targets.)
    return tuple(target for target, wanted in needed.items() if wanted)


# A file only each target's package has: a finished package serves the targets whose file it
# has (web.js itself also serves bundlers through asset.js, so the web target is its types).
ENTRY_FILES = {"bundler": "index.js", "nodejs": "node.cjs", "web": "web.d.ts", "no-modules": "no-modules.js"}


@dataclass(frozen=True)
class Layout:
    """Which entry files exist for the spec's targets."""

    targets: tuple[str, ...]
    ident: str
    simd: bool = False
    helpers: tuple[str, ...] = ()  # stems of the compiled extra_sources
    workers: bool = False  # worker execution (`npm.workers`): the entries' worker scripts ship
    threads: bool = False  # a threaded module (`build.threads_feature`), run by the workers

    @property
    def wasm(self) -> str:
        return f"{self.ident}_bg.wasm"

    @property
    def simd_wasm(self) -> str:
        return f"{SIMD_DIR}/{self.wasm}"

    @property
    def threads_wasm(self) -> str:
        return f"{THREADS_DIR}/{self.wasm}"

    @property
    def threads_glue(self) -> str:
        return f"{THREADS_DIR}/{self.ident}.web.js"

    @property
    def uses_threads(self) -> bool:
        """Whether the threaded module ships: its workers come from node.cjs or web.js."""
        return self.threads and (self.has["nodejs"] or self.has["web"] or self.has["bundler"])

    @property
    def modules(self) -> list[str]:
        return ([self.wasm, self.simd_wasm] if self.simd else [self.wasm]) + (
            [self.threads_wasm] if self.uses_threads else [])

    @property
    def has(self) -> dict[str, bool]:
        return {target: target in self.targets for target in ("bundler", "nodejs", "web", "no-modules")}

    @property
    def bindgen_targets(self) -> tuple[str, ...]:
        return bindgen_targets(self.targets)

    def rendered_sources(self) -> dict[str, str]:
        """Template name -> output file name for the npm sources of these targets."""
        sources = {"npm/README.md.jinja": "README.md", "npm/package.json.jinja": "package.json",
                   "npm/index.d.ts.jinja": "index.d.ts"}
        if self.has["bundler"] or self.has["web"] or self.has["nodejs"]:
            sources["npm/api.js.jinja"] = "api.js"
            if self.workers:
                sources["npm/workers.js.jinja"] = "workers.js"
        if self.has["nodejs"]:
            sources["npm/node.cjs.jinja"] = "node.cjs"
            sources["npm/node.js.jinja"] = "node.js"
            # The declarations once, in CommonJS form: an ES module may re-export a CommonJS
            # one's types, not the other way round (TypeScript's node16 resolution).
            sources["npm/index.d.ts.jinja#cjs"] = "index.d.cts"
            sources["npm/types-reexport.d.ts.jinja"] = "index.d.ts"
            del sources["npm/index.d.ts.jinja"]
            sources["npm/subpath.d.ts.jinja#node"] = "node.d.ts"
            if self.workers:
                sources["npm/worker.cjs.jinja"] = "worker.cjs"
            if self.uses_threads:
                sources["npm/thread.js.jinja#cjs"] = "thread.cjs"
        if self.has["bundler"]:
            sources["npm/index.js.jinja"] = "index.js"
            sources["npm/subpath.d.ts.jinja#bundler"] = "bundler.d.ts"
        if self.has["bundler"] or self.has["web"]:
            sources["npm/web.js.jinja"] = "web.js"
            if self.workers:
                sources["npm/worker.js.jinja"] = "worker.js"
            if self.uses_threads:
                sources["npm/thread.js.jinja"] = "thread.js"
        if self.has["bundler"]:
            sources["npm/asset.js.jinja"] = ASSET_ENTRY
            sources["npm/index.js.jinja#workerd"] = WORKERD_ENTRY
        if self.has["web"]:
            sources["npm/web.d.ts.jinja"] = "web.d.ts"
        if self.has["no-modules"]:
            sources["npm/no-modules.js.jinja"] = "no-modules.js"
        return sources

    def shipped_files(self) -> list[str]:
        """Every file of the finished package, package.json's `files`."""
        names = {*self.modules, *self.rendered_sources().values()}
        names.update(f"{HELPERS_DIR}/{stem}{suffix}" for stem in self.helpers for suffix in HELPER_SUFFIXES)
        for target in self.bindgen_targets:
            if target != "no-modules":
                names.update(glue_files(self.ident)[target].values())
        if self.uses_threads:
            names.add(self.threads_glue)
        if self.has["bundler"]:
            names.add(INLINE_MODULE)
            if self.workers:
                names.add(WORKER_SOURCE)
        names.discard("package.json")  # npm always includes it
        return sorted(names)

    def side_effect_files(self) -> list[str]:
        """Modules whose evaluation instantiates the wasm or defines a global: never tree-shaken away."""
        return [file for file, present in (("./index.js", self.has["bundler"]),
                                           (f"./{ASSET_ENTRY}", self.has["bundler"]),
                                           (f"./{WORKERD_ENTRY}", self.has["bundler"]),
                                           ("./no-modules.js", self.has["no-modules"])) if present]

    def exports(self) -> dict[str, Any]:
        """The `exports` map. Bundlers (which all set the `module` condition) get
        the bundler entry: for browsers, asset.js where the bundler sets `production`
        (webpack, Vite, Rspack, Parcel building for production: they emit
        `new URL(…, import.meta.url)` assets), else index.js with the module inlined (esbuild, Rollup, Node-platform
        bundles). Node gets node.js/node.cjs; anything else importing gets the bundler entry
        if there is one, else the web entry, and require() the CommonJS build. Subpaths name
        each target explicitly."""
        types = "./index.d.ts"
        esm_entry = ({"types": types, "default": "./index.js"} if self.has["bundler"] else
                     {"types": "./web.d.ts", "default": "./web.js"} if self.has["web"] else None)
        asset = {"types": types, "default": f"./{ASSET_ENTRY}"}
        # Not `development`: Vite's dev server pre-bundles dependencies into another directory,
        # where the module's URL points at nothing.
        browser_entry = ({"production": asset, "default": esm_entry}
                         if self.has["bundler"] else esm_entry)
        node = {"import": {"types": types, "default": "./node.js"},
                "require": {"types": "./index.d.cts", "default": "./node.cjs"}}
        root: dict[str, Any] = {}
        if self.has["bundler"]:
            # First: wrangler also sets `module` and `browser`.
            root["workerd"] = {"types": types, "default": f"./{WORKERD_ENTRY}"}
            root["module"] = {"browser": browser_entry, "default": esm_entry}
        if self.has["nodejs"]:
            root["node"] = node
        if esm_entry:
            root["browser"] = browser_entry
            root["import"] = esm_entry
        if self.has["nodejs"]:
            root["require"] = node["require"]
        if esm_entry or self.has["nodejs"]:
            root["default"] = esm_entry or node["require"]
        exports: dict[str, Any] = {".": root} if root else {}
        if self.has["bundler"]:
            # ES modules only: no `default`, so require() of it fails clearly in Node.
            exports["./bundler"] = {"module": root["module"], "import": esm_entry}
        if self.has["nodejs"]:
            exports["./node"] = node
        if self.has["web"]:
            exports["./web"] = {"import": {"types": "./web.d.ts", "default": "./web.js"}}
        if self.has["no-modules"]:
            exports["./no-modules"] = "./no-modules.js"
        for module in self.modules:
            exports[f"./{module}"] = f"./{module}"
        exports["./package.json"] = "./package.json"
        return exports

    def main_fields(self) -> dict[str, str]:
        """Top-level fields for tools that predate `exports`."""
        fields = {}
        if self.has["nodejs"]:
            fields["main"] = "./node.cjs"
            fields["types"] = "./index.d.cts"
        if self.has["bundler"]:
            fields["module"] = "./index.js"
        fields.setdefault("types", "./index.d.ts")
        return fields


def layout(spec: KernelSpec) -> Layout:
    helpers = tuple(PurePosixPath(source).stem for source in spec.npm.extra_sources)
    return Layout(spec.build.targets, spec.ident, spec.build.simd_feature is not None, helpers, spec.npm.workers,
                  spec.build.threads_feature is not None)
