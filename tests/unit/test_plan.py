from __future__ import annotations

from pathlib import Path

from wasmforge.pipeline.plan import BuildRequest, plan_build
from wasmforge.kernelspec.load import load_spec


def kinds(kernel: Path, request: BuildRequest) -> list[tuple[str, str | None]]:
    return [(step.kind, step.target) for step in plan_build(load_spec(kernel), request)]


def test_compiles_once_and_binds_per_target(kernel_dir: Path) -> None:
    # Four targets from two wasm-bindgen runs: bundlers and Node.js are served by the web glue.
    assert kinds(kernel_dir, BuildRequest()) == [
        ("render-crate", None), ("render-npm", None), ("sources", None), ("compile", None),
        ("bindgen", "web"), ("bindgen", "no-modules"),
        ("optimize", None), ("assemble", None), ("sizes", None), ("verify", None), ("publish", None),
    ]


def test_a_bundler_only_package_still_binds_the_web_glue(kernel_dir: Path) -> None:
    steps = kinds(kernel_dir, BuildRequest(targets=("bundler",), verify=False))
    assert ("bindgen", "web") in steps and not any(target == "bundler" for _, target in steps)


def test_wasm_pack_backend_builds_each_target(kernel_dir: Path) -> None:
    steps = kinds(kernel_dir, BuildRequest(targets=("web", "nodejs"), backend="wasm-pack", verify=False))
    assert steps == [("render-crate", None), ("render-npm", None), ("sources", None), ("wasm-pack", "web"),
                     ("optimize", None), ("assemble", None), ("sizes", None), ("publish", None)]


def test_dev_profile_skips_wasm_opt(kernel_dir: Path) -> None:
    spec = load_spec(kernel_dir)
    request = BuildRequest(profile="dev")
    assert request.wasm_opt_level(spec) is None
    assert "no wasm-opt" in next(s.title for s in plan_build(spec, request) if s.kind == "optimize")
    assert BuildRequest().wasm_opt_level(spec) == "Oz"


def test_simd_kernels_compile_twice_and_helpers_are_compiled_first() -> None:
    from tests.conftest import REPO

    spec = load_spec(REPO / "tests" / "fixtures" / "objects")
    steps = [step.key for step in plan_build(spec, BuildRequest(targets=("web",)))]
    # Both modules from one cargo run (a generated workspace: pipeline/workspace.py).
    assert steps == ["render-crate", "render-npm", "helpers", "sources", "compile", "bindgen:web", "optimize",
                     "bindgen:simd:web", "optimize:simd", "assemble", "sizes", "verify", "publish"]
    wasm_pack = [step.key for step in plan_build(spec, BuildRequest(targets=("web",), backend="wasm-pack"))]
    assert "wasm-pack:simd:web" in wasm_pack


def test_steps_wait_only_for_what_they_use() -> None:
    # The npm sources render while cargo compiles; each module is bound and optimised as soon as
    # it is compiled.
    from tests.conftest import REPO

    spec = load_spec(REPO / "tests" / "fixtures" / "objects")
    needs = {step.key: set(step.needs) for step in plan_build(spec, BuildRequest(targets=("web",)))}
    assert needs["render-npm"] == set() and needs["render-crate"] == set()
    assert needs["compile"] == {"sources"} and needs["bindgen:simd:web"] == {"compile"}
    assert needs["optimize"] == {"bindgen:web"} and needs["optimize:simd"] == {"bindgen:simd:web"}
    assert needs["assemble"] == {"render-npm", "helpers", "optimize", "optimize:simd"}
    order = list(needs)
    for key, wanted in needs.items():  # the list order runs them one at a time too
        assert all(order.index(before) < order.index(key) for before in wanted), key


def test_separate_compiles_wait_for_each_other(tmp_path: Path) -> None:
    # A SIMD kernel with a path dependency is built in place, one cargo run per module: the
    # second waits for the first (they share the target directory's lock).
    from tests.conftest import REPO
    import shutil

    kernel = tmp_path / "objects"
    shutil.copytree(REPO / "tests" / "fixtures" / "objects", kernel, ignore=shutil.ignore_patterns("target", "pkg"))
    manifest = kernel / "Cargo.toml"
    manifest.write_text(manifest.read_text() + '\n[dependencies]\nhelper = { path = "../helper" }\n')
    needs = {step.key: set(step.needs) for step in plan_build(load_spec(kernel), BuildRequest(targets=("web",)))}
    assert needs["compile:simd"] == {"compile"} and needs["optimize"] == {"bindgen:web"}


def test_a_threads_feature_adds_the_threaded_module_in_a_cargo_run_of_its_own() -> None:
    from tests.conftest import REPO

    spec = load_spec(REPO / "kernels" / "sublinear-solver")
    steps = {step.key: step for step in plan_build(spec, BuildRequest())}
    # Its own std and flags, so its own target directory: it waits for no other cargo run.
    assert steps["compile:threads"].needs == ("sources",)
    assert "--features simd,threads" in steps["compile:threads"].title
    assert [key for key in steps if key.startswith("bindgen:threads")] == ["bindgen:threads:web"]
    assert "optimize:threads" in steps["assemble"].needs
