"""Both wasm-opts a build can run: the native one (`toolchain install --with wasm-opt`,
binaryen 116) and binaryen.js from the npm tools (132). Real processes, real modules."""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime

from tests.integration.conftest import Built
from wasmforge.errors import ToolMissing
from wasmforge.pipeline import features, optimize
from wasmforge.toolchain import tools


@pytest.fixture(params=["native", "binaryen.js"])
def toolchain(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> tools.Toolchain:
    monkeypatch.setenv("WASMFORGE_WASM_OPT", request.param)
    return tools.resolve()


def test_each_wasm_opt_shrinks_the_module_and_keeps_its_features(toolchain: tools.Toolchain, solver: Built,
                                                                   tmp_path: Path) -> None:
    native = toolchain.wasm_opt_version == "116"
    assert native == (len(toolchain.wasm_opt) == 1)  # binaryen.js runs under node
    for variant in ("baseline", "simd"):
        [module] = (solver.kernel / "target" / "wasmforge" / "bindgen" / variant / "web").glob("*_bg.wasm")
        output = tmp_path / f"{variant}.wasm"
        used = optimize.optimize(toolchain, module, output, "O3")
        assert output.stat().st_size < module.stat().st_size
        # bulk-memory-opt stays bulk-memory-opt: binaryen 116's DataCount section is dropped.
        assert features.detect(output.read_bytes()) == used
        wasmtime.Module(wasmtime.Engine(wasmtime.Config()), output.read_bytes())


def test_doctor_names_the_wasm_opt_builds_run(toolchain: tools.Toolchain) -> None:
    [status] = [s for s in tools.inspect(probe=False) if s.name == "wasm-opt"]
    assert status.ok and status.version == toolchain.wasm_opt_version
    assert ("native binaryen" in status.note) == (toolchain.wasm_opt_version == "116")


def test_an_unknown_choice_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WASMFORGE_WASM_OPT", "fast")
    with pytest.raises(ToolMissing, match="WASMFORGE_WASM_OPT=fast is not one of native or binaryen.js"):
        tools.resolve()
