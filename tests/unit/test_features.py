"""The module scanner reports exactly the features a module uses."""

from __future__ import annotations

import pytest
import wasmtime

from wasmforge.pipeline.features import WasmDecodeError, binaryen_flags, detect


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
    assert binaryen_flags({"simd", "sign-ext"}) == ["--enable-sign-ext", "--enable-simd"]


def test_not_a_module() -> None:
    with pytest.raises(WasmDecodeError):
        detect(b"not wasm")
