"""`wasmforge toolchain install` runs independent lanes at the same time, and wasm-pack is
installed when first needed (no toolchain: the steps are fakes)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from wasmforge.errors import CommandFailed
from wasmforge.toolchain import install, tools
from wasmforge.toolchain.install import InstallStep


def test_lanes_run_side_by_side_and_steps_in_a_lane_in_order() -> None:
    both_running = threading.Barrier(2, timeout=10)  # breaks (and fails the test) if run one after the other
    order: list[str] = []

    def step(name: str, meet: bool = False) -> InstallStep:
        def action() -> None:
            if meet:
                both_running.wait()
            order.append(name)
        return InstallStep(name, f"do {name}", True, action)

    install.run([[step("apt", meet=True), step("std")], [step("cargo", meet=True)],
                 [InstallStep("npm", "npm ci", False, lambda: order.append("never"))]])
    assert order.index("apt") < order.index("std") and "cargo" in order and "never" not in order


def test_a_failing_lane_fails_the_install_after_the_others_finish() -> None:
    finished: list[str] = []

    def fail() -> None:
        raise CommandFailed(("cargo", "install"), 101, "error: could not compile")

    with pytest.raises(CommandFailed):
        install.run([[InstallStep("cargo", "cargo install", True, fail)],
                     [InstallStep("npm", "npm ci", True, lambda: finished.append("npm"))]])
    assert finished == ["npm"]


def test_wasm_pack_is_optional_and_installed_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[Path] = []
    monkeypatch.setattr(tools, "installed_optional", lambda tool: installed[0] if installed else None)
    monkeypatch.setattr(install, "install_optional", lambda tool: installed.append(Path(f"/tools/bin/{tool}")))
    status = tools.optional_status("wasm-pack")
    assert status.ok and "installed on first use" in (status.note or "")
    assert tools.wasm_pack() == Path("/tools/bin/wasm-pack") and len(installed) == 1
    assert tools.wasm_pack() == Path("/tools/bin/wasm-pack") and len(installed) == 1  # once



def test_the_plan_puts_apt_cargo_and_npm_in_lanes_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(install, "_rustup_default_has_wasm32", lambda: False)
    monkeypatch.setattr(install, "_debian_rust_steps", lambda: [InstallStep("debian-rust", "apt", True, print)])
    for factory, name in (("_chromium_step", "chromium"), ("_wasm_bindgen_step", "wasm-bindgen-cli"),
                          ("_npm_tools_step", "npm-tools")):
        monkeypatch.setattr(install, factory, lambda name=name: InstallStep(name, name, True, print))
    monkeypatch.setattr(install, "_optional_step", lambda tool: InstallStep(tool, tool, True, print))
    names = [[step.name for step in lane] for lane in install.plan()]
    assert names == [["debian-rust", "chromium"], ["wasm-bindgen-cli"], ["npm-tools"]]
    assert [[step.name for step in lane] for lane in install.plan(optional=("sccache", "wasm-pack"))][1] == [
        "wasm-bindgen-cli", "wasm-pack", "sccache"]
    # The native wasm-opt (a C++ build of minutes) gets a lane of its own, and only when asked.
    monkeypatch.setattr(install, "_native_wasm_opt_step", lambda: InstallStep("wasm-opt", "wasm-opt", True, print))
    assert [[step.name for step in lane] for lane in install.plan(optional=("wasm-opt",))][3] == ["wasm-opt"]


def test_wasm_opt_choice_native_without_one_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools, "native_wasm_opt", lambda: None)
    monkeypatch.setenv("WASMFORGE_WASM_OPT", "native")
    status = tools.wasm_opt_status(None)
    assert not status.ok and "toolchain install --with wasm-opt" in status.fix


def test_wasm_opt_choice_binaryen_js_never_looks_for_a_native_one(monkeypatch: pytest.MonkeyPatch) -> None:
    def looked() -> None:
        raise AssertionError("looked for a native wasm-opt")

    monkeypatch.setattr(tools, "native_wasm_opt", looked)
    monkeypatch.setenv("WASMFORGE_WASM_OPT", "binaryen.js")
    assert not tools.wasm_opt_status(None).ok  # no node given: binaryen.js cannot run either
