"""Layout of the single npm package that serves every target.

All files sit flat in pkg/ so that one `<ident>_bg.wasm` serves every target:
since wasm-bindgen 0.2.107 the module's imports are the same for all targets,
and each target's glue finds `<ident>_bg.wasm` next to itself. The glue files
are renamed per target (`<ident>.node.cjs`, `<ident>.web.js` …); their content
is used exactly as wasm-bindgen wrote it.

The package is `"type": "module"`: `.js` files are ES modules, CommonJS files
end in `.cjs`. Which file serves which consumer is decided by `exports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..spec.model import KernelSpec

# wasm-bindgen output per target -> the name it gets in the package.
def glue_files(ident: str) -> dict[str, dict[str, str]]:
    return {
        "bundler": {f"{ident}.js": f"{ident}.js", f"{ident}_bg.js": f"{ident}_bg.js"},
        "nodejs": {f"{ident}.js": f"{ident}.node.cjs"},
        "web": {f"{ident}.js": f"{ident}.web.js"},
        "no-modules": {f"{ident}.js": f"{ident}.no-modules-glue.js"},  # folded into no-modules.js
    }


# The SIMD build is generated under the same name into simd/, so its module
# imports `./<ident>_bg.js` like the baseline's: the web and no-modules glue
# (handed the module at init()) serve both, and only the glue that names its
# module file (bundler, nodejs) needs a copy in simd/.
SIMD_DIR = "simd"
HELPERS_DIR = "helpers"
HELPER_SUFFIXES = (".js", ".d.ts", ".cjs", ".d.cts")
SIMD_GLUE_TARGETS = ("bundler", "nodejs")


@dataclass(frozen=True)
class Layout:
    """Which entry files exist for the spec's targets."""

    targets: tuple[str, ...]
    ident: str
    simd: bool = False
    helpers: tuple[str, ...] = ()  # stems of the compiled extra_sources

    @property
    def wasm(self) -> str:
        return f"{self.ident}_bg.wasm"

    @property
    def simd_wasm(self) -> str:
        return f"{SIMD_DIR}/{self.wasm}"

    @property
    def modules(self) -> list[str]:
        return [self.wasm, self.simd_wasm] if self.simd else [self.wasm]

    @property
    def has(self) -> dict[str, bool]:
        return {target: target in self.targets for target in ("bundler", "nodejs", "web", "no-modules")}

    def rendered_sources(self) -> dict[str, str]:
        """Template name -> output file name for the npm sources of these targets."""
        sources = {"npm/README.md.jinja": "README.md", "npm/package.json.jinja": "package.json",
                   "npm/index.d.ts.jinja": "index.d.ts"}
        if self.has["bundler"] or self.has["web"]:
            sources["npm/api.js.jinja"] = "api.js"
        if self.has["nodejs"]:
            sources["npm/api.js.jinja#cjs"] = "api.cjs"
            sources["npm/node.cjs.jinja"] = "node.cjs"
            sources["npm/node.js.jinja"] = "node.js"
            sources["npm/index.d.ts.jinja#cjs"] = "index.d.cts"
        if self.has["bundler"]:
            sources["npm/index.js.jinja"] = "index.js"
        if self.has["web"]:
            sources["npm/web.js.jinja"] = "web.js"
            sources["npm/web.d.ts.jinja"] = "web.d.ts"
        if self.has["no-modules"]:
            sources["npm/no-modules.js.jinja"] = "no-modules.js"
        return sources

    def shipped_files(self) -> list[str]:
        """Every file of the finished package, package.json's `files`."""
        names = {*self.modules, *self.rendered_sources().values()}
        names.update(f"{HELPERS_DIR}/{stem}{suffix}" for stem in self.helpers for suffix in HELPER_SUFFIXES)
        for target in self.targets:
            if target != "no-modules":
                names.update(glue_files(self.ident)[target].values())
            if self.simd and target in SIMD_GLUE_TARGETS:
                names.update(f"{SIMD_DIR}/{name}" for name in glue_files(self.ident)[target].values())
        names.discard("package.json")  # npm always includes it
        return sorted(names)

    def side_effect_files(self) -> list[str]:
        """Modules whose evaluation instantiates the wasm: never tree-shaken away."""
        files = []
        if self.has["bundler"]:
            files += [f"./{self.ident}.js", "./index.js"]
            if self.simd:
                files.append(f"./{SIMD_DIR}/{self.ident}.js")
        if self.has["no-modules"]:
            files.append("./no-modules.js")
        return files

    def exports(self) -> dict[str, Any]:
        """The `exports` map: Node require -> nodejs build, import/browser -> bundler
        (or web) build, plus explicit subpaths for each target."""
        esm_types = "./index.d.ts"
        browser_entry = "./index.js" if self.has["bundler"] else "./web.js" if self.has["web"] else None
        browser_types = esm_types if self.has["bundler"] else "./web.d.ts"
        root: dict[str, Any] = {}
        if self.has["nodejs"]:
            root["node"] = {
                "import": {"types": esm_types, "default": "./node.js"},
                "require": {"types": "./index.d.cts", "default": "./node.cjs"},
            }
        if browser_entry:
            root["browser"] = {"types": browser_types, "default": browser_entry}
            root["import"] = {"types": browser_types, "default": browser_entry}
        if self.has["nodejs"]:
            root["require"] = {"types": "./index.d.cts", "default": "./node.cjs"}
        if browser_entry or self.has["nodejs"]:
            root["default"] = ({"types": browser_types, "default": browser_entry} if browser_entry
                               else {"types": "./index.d.cts", "default": "./node.cjs"})
        exports: dict[str, Any] = {".": root} if root else {}
        if self.has["bundler"]:
            exports["./bundler"] = {"types": esm_types, "default": "./index.js"}
        if self.has["nodejs"]:
            exports["./node"] = {"import": {"types": esm_types, "default": "./node.js"},
                                 "require": {"types": "./index.d.cts", "default": "./node.cjs"}}
        if self.has["web"]:
            exports["./web"] = {"types": "./web.d.ts", "default": "./web.js"}
        if self.has["no-modules"]:
            exports["./no-modules"] = "./no-modules.js"
        for module in self.modules:
            exports[f"./{module}"] = f"./{module}"
        exports["./package.json"] = "./package.json"
        return exports

    def main_fields(self) -> dict[str, str]:
        """Legacy top-level fields for tools that predate `exports`."""
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
    return Layout(spec.build.targets, spec.ident, spec.build.simd_feature is not None, helpers)
