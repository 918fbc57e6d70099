"""Compiler errors in the generated crate are reported at the kernel.toml entry
the failing code was generated from, with the declared and the actual type."""

from __future__ import annotations

from pathlib import Path

from wasmforge.pipeline.diagnostics import Generated, Origin, mismatch, origin_of
from wasmforge.errors import SourceLocation

GENERATED = """\
fn kernel_error(error: kernel::KernelError) -> JsValue {
    match error {
        // From kernel.toml: error[0] (`Overflow`)
        kernel::KernelError::Overflow { limit } => raw_error(
            "OVERFLOW",
            &message,
            vec![
                // From kernel.toml: error[0].fields.limit (`Overflow`)
                JsValue::from(declared::<f64>(limit)),
            ],
        ),
    }
}
"""

SPEC = """\
[package]
name = "demo"

[[error]]
name = "Overflow"
doc = "Too big."
fields = { limit = "f64" }
"""


def test_the_nearest_marker_above_names_the_origin() -> None:
    lines = GENERATED.splitlines()
    assert origin_of(lines, 9) == Origin("error[0].fields.limit", "Overflow")
    assert origin_of(lines, 4) == Origin("error[0]", "Overflow")
    assert origin_of(lines, 1) is None


def test_rustc_wordings_become_declared_and_actual_types() -> None:
    assert mismatch("the trait `Declared<bool>` is not implemented for `usize`") == \
        "declared `bool`, the kernel has `usize`"
    assert mismatch("error[E0277]: the trait bound `u64: Declared<f64>` is not satisfied") == \
        "declared `f64`, the kernel has `u64`"
    assert mismatch("the trait `AsRef<str>` is not implemented for `usize`") == \
        "declared `string`, the kernel has `usize`"
    assert mismatch("mismatched types\nexpected `f64`, found `u32`\nexpected `f64`, found `u32`") == \
        "expected `f64`, found `u32`"
    assert mismatch("cannot find value `x` in this scope") is None


def test_errors_in_the_generated_crate_move_to_the_spec(tmp_path: Path) -> None:
    lib, spec = tmp_path / "lib.rs", tmp_path / "kernel.toml"
    lib.write_text(GENERATED)
    spec.write_text(SPEC)
    generated = Generated(lib, spec)

    moved = generated.locate(SourceLocation(lib, 9, "the trait bound is not satisfied"),
                             "the trait `Declared<f64>` is not implemented for `usize`")

    assert moved == SourceLocation(spec, 7, "error[0].fields.limit (`Overflow`): declared `f64`, "
                                            "the kernel has `usize`")
    # The kernel's own files stay where they are.
    own = SourceLocation(tmp_path / "src" / "lib.rs", 3, "oops")
    assert generated.locate(own, "") == own
    assert generated.annotate("  --> src/lib.rs:9:31\n  --> src/other.rs:2:1") == (
        "  --> src/lib.rs:9:31 (generated from kernel.toml:7, error[0].fields.limit `Overflow`)\n"
        "  --> src/other.rs:2:1")
