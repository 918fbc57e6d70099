from __future__ import annotations

import pytest

from wasmforge.kernelspec import expr
from wasmforge.kernelspec.locate import find_line, index_lines
from wasmforge.kernelspec.names import pascal_case, snake_case
from wasmforge.render.marshal import kernel_borrow
from wasmforge.kernelspec.types import TypeParseError, TypeRef, check_array_value, check_scalar_value


@pytest.mark.parametrize(
    ("text", "kind", "ts"),
    [
        ("f64", "scalar", "number"),
        ("u32?", "scalar", "number | undefined"),
        ("f32[]", "array", "Float32Array"),
        ("u8[]?", "array", "Uint8Array | undefined"),
        ("i64", "scalar", "bigint"),
        ("string", "scalar", "string"),
        ("bool", "scalar", "boolean"),
        ("f32[batch, seq, 4]", "tensor", "Tensor<Float32Array>"),
        ("Matrix?", "struct", "Matrix | undefined"),
        ("MaskType", "enum", "MaskType"),
    ],
)
def test_type_kinds_and_typescript(text: str, kind: str, ts: str) -> None:
    type_ref = TypeRef.parse(text, {"Matrix": "struct", "MaskType": "enum"})
    assert str(type_ref) == text
    assert type_ref.kind == kind
    assert type_ref.ts == ts


def test_tensor_dimensions() -> None:
    tensor = TypeRef.parse("f32[batch, seqQ, 64]")
    assert tensor.shape == ("batch", "seqQ", "64") and tensor.typed_array == "Float32Array"
    with pytest.raises(TypeParseError):
        TypeRef.parse("f32[Batch]")


def test_how_the_wrapper_lends_values_to_the_kernel() -> None:
    # Typed arrays arrive as slices of resident arrays already; strings are owned by the wrapper.
    assert kernel_borrow(TypeRef.parse("string"), "s") == "&s"
    assert kernel_borrow(TypeRef.parse("string?"), "s") == "s.as_deref()"
    assert kernel_borrow(TypeRef.parse("u32"), "n") == "n"


@pytest.mark.parametrize("text", ["f16", "bool[]", "string[]", "Float64Array", "u64[]", "Unknown"])
def test_unknown_types_are_rejected(text: str) -> None:
    with pytest.raises(TypeParseError):
        TypeRef.parse(text)


def test_void_only_where_allowed() -> None:
    assert TypeRef.parse("void", allow_void=True).is_void
    with pytest.raises(TypeParseError):
        TypeRef.parse("void")


@pytest.mark.parametrize(
    ("type_text", "value", "ok"),
    [
        ("u32", 4294967295, True), ("u32", -1, False), ("u32", 1.5, False), ("i32", 2**31, False),
        ("u64", "18446744073709551615", True), ("f64", True, False), ("string", 3, False), ("bool", False, True),
    ],
)
def test_scalar_example_values_are_type_checked(type_text: str, value: object, ok: bool) -> None:
    assert (check_scalar_value(type_text, value) is None) is ok


def test_array_example_values_are_type_checked() -> None:
    assert check_array_value("f64", [1, 2.5]) is None
    assert "out of range" in (check_array_value("u8", [255, 256]) or "")


def test_length_expressions() -> None:
    tree = expr.parse("rows * (cols + 1) - 2")
    assert expr.variables(tree) == ["rows", "cols"]
    assert expr.render(tree, lambda n: f"i128::from({n})") == "i128::from(rows) * (i128::from(cols) + 1) - 2"
    assert expr.render(expr.parse("a - (b - c)"), str) == "a - (b - c)"


@pytest.mark.parametrize("text", ["rows /2", "rows *", "(rows", "", "rows cols"])
def test_bad_length_expressions(text: str) -> None:
    with pytest.raises(expr.ExprError):
        expr.parse(text)


def test_case_conversions() -> None:
    assert snake_case("maxIterations") == "max_iterations"
    assert snake_case("URLParser") == "url_parser"
    assert pascal_case("@scope/attention-wasm") == "AttentionWasm"


def test_line_index_follows_arrays_of_tables() -> None:
    text = "[package]\nname='x'\n\n[[function]]\nname='a'\n[[function.args]]\nname='m'\n" \
           "[[function]]\nname='b'\n[[function.args]]\nname='n'\n[[function.args]]\nname='o'\n"
    index = index_lines(text)
    assert find_line(index, "package.name") == 2
    assert find_line(index, "function[1].args[1].name") == 13
    assert find_line(index, "function[1].args[0].type") == 10  # falls back to the table header
