"""wasm-opt, once, on the shared module, with exactly the features it uses."""

from __future__ import annotations

import shutil
from pathlib import Path

from .. import proc, ui
from ..errors import BuildFailed, WasmDecodeError
from ..toolchain.tools import Toolchain
from . import features


def optimize(toolchain: Toolchain, source: Path, output: Path, level: str | None) -> set[str]:
    """Write the optimised module to `output` (a copy when `level` is None).

    Returns the features the module uses. Afterwards the output is scanned
    again: wasm-opt may not have introduced a feature the input did not use.
    """
    used = _features_of(source)
    output.parent.mkdir(parents=True, exist_ok=True)
    if level is None:
        shutil.copyfile(source, output)
        return used
    binaryen = int(toolchain.wasm_opt_version)
    flags = features.binaryen_flags(used, binaryen)
    ui.detail("wasm features in use: " + (", ".join(sorted(used)) or "none beyond MVP"))
    proc.run(
        [*toolchain.wasm_opt, f"-{level}", *flags, "--strip-debug", "--strip-producers",
         str(source), "-o", str(output)],
        hint="wasm-opt rejected the module; `wasmforge doctor` shows which binaryen is used",
    )
    # Binaryen before 121 has no bulk-memory-opt of its own: enabled as bulk memory, it adds
    # a DataCount section the module does not need (and engines without bulk memory reject).
    if "bulk-memory" not in used and binaryen < features.SPLIT_RELEASE:
        output.write_bytes(features.without_data_count(output.read_bytes()))
    after = _features_of(output)
    if not after <= used:
        raise BuildFailed(f"wasm-opt introduced features the module did not use: {sorted(after - used)}")
    return used


def _features_of(module: Path) -> set[str]:
    try:
        return features.detect(module.read_bytes())
    except WasmDecodeError as exc:
        raise WasmDecodeError(f"{module}: {exc.message}",
                              hint="wasmforge reads the modules rustc and wasm-opt write; is the toolchain the "
                                   "pinned one (`wasmforge doctor`)?") from exc
