"""The module scanner reports exactly the features a module uses."""

from __future__ import annotations

import pytest
import wasmtime

from wasmforge.pipeline.features import WasmDecodeError, binaryen_flags, detect, without_data_count


def features_of(wat: str) -> set[str]:
    return detect(wasmtime.wat2wasm(wat))


def test_mvp_module_uses_nothing() -> None:
    assert features_of("(module (func (export \"f\") (param i32) (result i32) local.get 0 i32.const 1 i32.add))") == set()


@pytest.mark.parametrize(
    ("body", "feature"),
    [
        ("local.get 0 i32.extend8_s drop", "sign-ext"),
        ("f32.const 1 i32.trunc_sat_f32_s drop", "nontrapping-float-to-int"),
        ("i32.const 0 i32.const 0 i32.const 0 memory.copy", "bulk-memory-opt"),
        ("i32.const 0 i32.const 0 i32.const 0 memory.fill", "bulk-memory-opt"),
        ("v128.const i32x4 1 2 3 4 drop", "simd"),
        ("i32.const 0 i32.const 1 i32.atomic.rmw.add drop", "threads"),
    ],
)
def test_each_feature_is_found_in_code(body: str, feature: str) -> None:
    shared = " shared" if feature == "threads" else ""
    wat = f"(module (memory 1 1{shared}) (func (param i32) {body}))"
    assert feature in features_of(wat)


def test_multivalue_results_and_mutable_global_exports() -> None:
    assert "multivalue" in features_of("(module (func (result i32 i32) i32.const 1 i32.const 2))")
    assert "mutable-globals" in features_of('(module (global (export "g") (mut i32) (i32.const 0)))')
    assert "mutable-globals" not in features_of('(module (global (mut i32) (i32.const 0)))')


def test_reference_types_from_externref() -> None:
    assert "reference-types" in features_of("(module (func (param externref)))")


def test_flags_are_sorted_binaryen_options() -> None:
    assert binaryen_flags({"simd", "sign-ext"}, 132) == ["--enable-sign-ext", "--enable-simd"]
    # Binaryen 116 (the native build) knows bulk-memory-opt only as part of bulk-memory.
    assert binaryen_flags({"bulk-memory-opt", "sign-ext"}, 132) == ["--enable-bulk-memory-opt", "--enable-sign-ext"]
    assert binaryen_flags({"bulk-memory-opt", "bulk-memory"}, 116) == ["--enable-bulk-memory"]


def test_not_a_module() -> None:
    with pytest.raises(WasmDecodeError):
        detect(b"not wasm")


def test_the_data_count_section_old_binaryen_adds_can_be_dropped() -> None:
    # A DataCount section in front of an active-data module using memory.copy; with it gone the
    # module is one a pre-121 binaryen would have written without bulk memory: same code.
    module = wasmtime.wat2wasm('(module (memory 1) (data (i32.const 0) "ab") (func i32.const 0 i32.const 0 i32.const 1 '
                               'memory.copy))')
    with_count = module[:8] + bytes([12, 1, 1]) + module[8:]  # a DataCount section (1 segment) in front
    assert detect(with_count) == {"bulk-memory", "bulk-memory-opt"}
    assert without_data_count(with_count) == module
    assert detect(without_data_count(with_count)) == {"bulk-memory-opt"}
    wasmtime.Module(wasmtime.Engine(), without_data_count(with_count))  # still valid
