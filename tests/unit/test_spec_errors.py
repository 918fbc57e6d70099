"""A malformed spec exits 2 with file, line/TOML path, what is wrong and a fix,
and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MINIMAL_SPEC, write_kernel
from wasmforge import cli
from wasmforge.errors import SpecError, UsageError
from wasmforge.kernelspec import expr
from wasmforge.kernelspec.load import load_spec


def problems_for(tmp_path: Path, spec: str) -> list:
    kernel = write_kernel(tmp_path / "k", spec)
    with pytest.raises(SpecError) as caught:
        load_spec(kernel)
    return list(caught.value.problems)


def test_minimal_spec_loads(kernel_dir: Path) -> None:
    spec = load_spec(kernel_dir)
    assert spec.package.name == "demo-kernel"
    assert [f.name for f in spec.functions] == ["sumAll"]
    assert spec.crate_package == "demo-kernel-rs"
    assert spec.npm.error_base == "DemoKernelError"
    assert spec.build.targets == ("bundler", "nodejs", "web", "no-modules")


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    spec = MINIMAL_SPEC.replace('returns = "f64"', 'return = "f64"')
    [problem] = problems_for(tmp_path, spec)
    assert problem.path == "function[0].return"
    assert "unknown key `return`" in problem.message
    assert problem.fix == "did you mean `returns`?"
    assert problem.line == 14


def test_wrong_value_kind(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINIMAL_SPEC.replace('version = "1.2.3"', "version = 1"))
    assert problem.path == "package.version"
    assert "must be a string, got an integer" in problem.message


def test_unknown_type_name_suggests_ours(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINIMAL_SPEC.replace('type = "f64[]"', 'type = "Float64Array"'))
    assert problem.path == "function[0].args[0].type"
    assert problem.fix == "did you mean `f64[]`?"
    assert problem.line is not None


def test_misspelled_type_gets_a_close_match(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINIMAL_SPEC.replace('returns = "f64"', 'returns = "f46"'))
    assert problem.path == "function[0].returns"
    assert "did you mean" in (problem.fix or "")


def test_bad_identifier(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINIMAL_SPEC.replace('name = "sumAll"', 'name = "sum_all"'))
    assert problem.path == "function[0].name"
    assert "`sumAll`" in (problem.fix or "")


def test_reserved_identifier(tmp_path: Path) -> None:
    spec = MINIMAL_SPEC.replace('name = "values"', 'name = "default"').replace("{ values =", "{ default =")
    [problem] = problems_for(tmp_path, spec)
    assert problem.path == "function[0].args[0].name"
    assert "reserved" in problem.message


def test_duplicate_function(tmp_path: Path) -> None:
    second = MINIMAL_SPEC.split("[[function]]", 1)[1]
    problems = problems_for(tmp_path, MINIMAL_SPEC + "\n[[function]]" + second)
    assert [p.path for p in problems] == ["function[1].name"]
    assert "duplicate function `sumAll` (also function[0])" in problems[0].message


def test_unknown_error_reference(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINIMAL_SPEC.replace('errors = ["Overflow"]', 'errors = ["Overflw"]'))
    assert problem.path == "function[0].errors[0]"
    assert problem.fix == "did you mean `Overflow`?"


def test_length_expression_must_name_integer_arguments(tmp_path: Path) -> None:
    spec = MINIMAL_SPEC.replace("min_length = 1", 'length = "count * 2"')
    [problem] = problems_for(tmp_path, spec)
    assert problem.path == "function[0].args[0].length"
    assert "`count`" in problem.message


def test_constraint_on_the_wrong_type(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINIMAL_SPEC.replace("min_length = 1", "min = 1"))
    assert "`min` applies to numeric scalars" in problem.message
    assert problem.fix == "use min_length for typed arrays"


def test_example_with_a_wrong_value_type(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINIMAL_SPEC.replace("values = [1, 2, 3]", 'values = "1,2,3"'))
    assert problem.path == "function[0].example[0].args.values"
    assert "expected an array of numbers" in problem.message


def test_example_missing_an_argument(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINIMAL_SPEC.replace("args = { values = [1, 2, 3] }", "args = {}"))
    assert "missing argument `values`" in problem.message


def test_optional_argument_before_a_required_one(tmp_path: Path) -> None:
    spec = MINIMAL_SPEC.replace('type = "f64[]"', 'type = "f64[]?"') + (
        '\n[[function.args]]\nname = "scale"\ntype = "f64"\ndoc = "Scale."\n'
    )
    problems = problems_for(tmp_path, spec)
    assert any("follows an optional one" in p.message for p in problems)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    spec = (MINIMAL_SPEC.replace('name = "demo-kernel"', 'name = "Demo Kernel"')
            .replace('version = "1.2.3"', 'version = "1.2"'))
    problems = problems_for(tmp_path, spec)
    assert {p.path for p in problems} == {"package.name", "package.version"}


def test_toml_syntax_error_has_a_line(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINIMAL_SPEC.replace('name = "sumAll"', 'name = "sumAll'))
    assert problem.line == 12
    assert "not valid TOML" in problem.message


def test_missing_kernel_crate(tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path / "k")
    (kernel / "Cargo.toml").unlink()
    with pytest.raises(SpecError) as caught:
        load_spec(kernel)
    assert caught.value.problems[0].path == "package.crate"


def test_missing_spec_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load_spec(tmp_path)


def test_cli_exits_2_names_file_line_and_fix_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    kernel = write_kernel(tmp_path / "k", MINIMAL_SPEC.replace('type = "f64[]"', 'type = "float64[]"'))
    before = sorted(p.relative_to(kernel) for p in kernel.rglob("*"))
    for command in (["build", str(kernel)], ["render", str(kernel)], ["verify", str(kernel)]):
        monkeypatch.setattr("sys.argv", ["wasmforge", *command])
        with pytest.raises(SystemExit) as exited:
            cli.main()
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert f"{kernel / 'kernel.toml'}:19: function[0].args[0].type" in err
        assert "did you mean `f64[]`?" in err
    assert sorted(p.relative_to(kernel) for p in kernel.rglob("*")) == before


# --- resident arrays: views, borrowed structs, { out } --------------------------------------------

MATRIX_SPEC = MINIMAL_SPEC + """
[[struct]]
name = "Matrix"
doc = "A matrix."
borrow = true

[[struct.fields]]
name = "data"
type = "f64[]"
doc = "Values."
length = "rows * cols"

[[struct.fields]]
name = "rows"
type = "u32"
doc = "Rows."

[[struct.fields]]
name = "cols"
type = "u32"
doc = "Columns."

[struct.view]
name = "MatrixView"

[[function]]
name = "scale"
doc = "The matrix times two."
returns = "f64[]"
returns_length = "matrix.rows * matrix.cols"
into = "scale_into"

[[function.args]]
name = "matrix"
type = "Matrix"
doc = "The matrix."
"""


def test_views_borrowed_structs_and_out_options_load(tmp_path: Path) -> None:
    spec = load_spec(write_kernel(tmp_path / "k", MATRIX_SPEC))
    matrix = spec.struct("Matrix")
    assert matrix.borrow and matrix.view is not None
    assert matrix.view.name == "MatrixView" and matrix.view.params == ("rows", "cols")
    scale = spec.functions[1]
    assert scale.into == "scale_into" and scale.returns_array


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        # A view needs a length for every array field.
        (('length = "rows * cols"\n', ""), "struct[0].view.lengths", "cannot size `data`"),
        # `into` writes into a slice of known length.
        (('returns_length = "matrix.rows * matrix.cols"\n', ""), "function[1].into", "needs the result's length"),
        (("matrix.rows * matrix.cols", "matrix.depth"), "function[1].returns_length", "`matrix.depth` is not"),
        (('returns = "f64[]"\nreturns_length', 'returns = "f64"\nreturns_length'), "function[1].returns_length",
         "applies to typed-array results"),
        # A struct that borrows its data cannot come back out.
        (('into = "scale_into"\n', 'into = "scale_into"\n\n[[function]]\nname = "copy"\ndoc = "A copy."\n'
                                   'returns = "Matrix"\n'), "function[2].returns", "borrows its data"),
        # Array results take a final `options` argument.
        (('name = "matrix"\ntype = "Matrix"', 'name = "options"\ntype = "Matrix"'), "function[1].args[0].name",
         "`options` is reserved"),
        (('name = "MatrixView"', 'name = "ResidentArray"'), "struct[0].view.name", "already a type name"),
    ],
)
def test_resident_spec_mistakes_are_located(tmp_path: Path, change: tuple[str, str], path: str, message: str) -> None:
    spec = MATRIX_SPEC.replace(*change)
    problems = problems_for(tmp_path, spec)
    assert any(p.path == path and message in p.message for p in problems), problems


def test_a_view_sizes_free_arrays_with_new_parameters(tmp_path: Path) -> None:
    spec = MATRIX_SPEC.replace('length = "rows * cols"\n', "").replace(
        'name = "MatrixView"', 'name = "MatrixView"\nlengths = { data = "count" }')
    view = load_spec(write_kernel(tmp_path / "k", spec)).struct("Matrix").view
    assert view is not None and view.params == ("rows", "cols", "count")


SECOND_ARGS = """
[[function.args]]
name = "weights"
type = "f64[]"
doc = "One weight per value."
length = "len(values)"

[[function.args]]
name = "scale"
type = "f64"
doc = "A positive scale."
gt = 0
lt = 10
"""


def with_second_args(extra: str = SECOND_ARGS) -> str:
    return MINIMAL_SPEC.replace("[[function.example]]", f"{extra}\n[[function.example]]").replace(
        "args = { values = [1, 2, 3] }", "args = { values = [1, 2, 3], weights = [1, 1, 1], scale = 1.0 }")


def test_strict_bounds_and_lengths_over_other_arrays_load(tmp_path: Path) -> None:
    spec = load_spec(write_kernel(tmp_path / "k", with_second_args()))
    weights, scale = spec.functions[0].args[1:]
    assert expr.variables(weights.length) == ["len(values)"]
    assert (scale.above, scale.below) == (0, 10)


def test_strict_bounds_must_leave_room(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, with_second_args(SECOND_ARGS.replace("lt = 10", "lt = 0")))
    assert problem.path == "function[0].args[2].gt"
    assert "no value is above gt = 0 and below lt = 0" in problem.message


def test_strict_bounds_apply_to_numeric_scalars(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINIMAL_SPEC.replace("min_length = 1", "gt = 0"))
    assert problem.path == "function[0].args[0].gt"
    assert "`gt` applies to numeric scalars" in problem.message


def test_len_must_name_another_typed_array(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, with_second_args(SECOND_ARGS.replace("len(values)", "len(valuez)")))
    assert problem.path == "function[0].args[1].length"
    assert "`len(valuez)` in the length of `weights` does not name another required typed-array argument" \
        in problem.message
    assert problem.fix == "did you mean `values`?"


def test_error_fields_may_be_positional(tmp_path: Path) -> None:
    spec = load_spec(write_kernel(tmp_path / "k", MINIMAL_SPEC.replace('fields = { limit = "f64" }',
                                                                       'fields = ["string", "f64"]')))
    [kind] = spec.kernel_errors
    assert kind.positional and [(f.name, f.type.base) for f in kind.fields] == [("0", "string"), ("1", "f64")]


def test_positional_error_fields_are_scalars(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, MINIMAL_SPEC.replace('fields = { limit = "f64" }', 'fields = ["f64[]"]'))
    assert problem.path == "error[0].fields[0]"
    assert "error fields must be scalar types" in problem.message


CLASS_SPEC = MINIMAL_SPEC + """
[[class]]
name = "Counter"
doc = "Counts."

[class.constructor]
doc = "Starts at zero."
infallible = true
"""


def test_constructors_may_be_infallible(tmp_path: Path) -> None:
    spec = load_spec(write_kernel(tmp_path / "k", CLASS_SPEC))
    assert spec.classes[0].constructor.infallible


def test_infallible_constructors_raise_no_kernel_errors(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, CLASS_SPEC + 'errors = ["Overflow"]\n')
    assert problem.path == "class[0].constructor.infallible"


NAMESPACE = """
[namespace]
name = "demo"
class = "Demo"
doc = "Everything."
memory_usage = "getMemoryUsage"
"""


def test_a_namespace_groups_create_factories(tmp_path: Path) -> None:
    spec = load_spec(write_kernel(tmp_path / "k", CLASS_SPEC.replace(
        'doc = "Counts."', 'doc = "Counts."\ncreate = "createCounter"') + NAMESPACE))
    assert spec.namespace is not None and spec.namespace.name == "demo" and spec.namespace.class_name == "Demo"
    assert spec.classes[0].create_name == "createCounter"


def test_a_create_factory_needs_a_namespace(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path, CLASS_SPEC.replace('doc = "Counts."', 'doc = "Counts."\ncreate = "createCounter"'))
    assert problem.path == "class[0].create" and problem.line is not None
    assert "namespace object" in problem.message and "[namespace]" in (problem.fix or "")


@pytest.mark.parametrize(("change", "path", "message"), [
    (('name = "demo"', 'name = "Demo"'), "namespace.name", "not a camelCase name"),
    (('class = "Demo"', 'class = "demo"'), "namespace.class", "not a PascalCase name"),
    (('memory_usage = "getMemoryUsage"', 'memory_usage = "createCounter"'), "namespace.memory_usage",
     "names two members"),
    (('class = "Demo"', 'class = "Counter"'), "namespace.class", "exported twice"),
])
def test_namespace_names_are_checked(tmp_path: Path, change: tuple[str, str], path: str, message: str) -> None:
    spec = CLASS_SPEC.replace('doc = "Counts."', 'doc = "Counts."\ncreate = "createCounter"') \
        + NAMESPACE.replace(*change)
    problems = problems_for(tmp_path, spec)
    assert any(p.path == path and message in p.message for p in problems), problems


TENSOR_SPEC = MINIMAL_SPEC + """
[[function]]
name = "mix"
doc = "Mixes."
returns = "f32[batch, n]"

[[function.args]]
name = "left"
type = "f32[batch, n]"
doc = "Left."

[[function.args]]
name = "right"
type = "f32[batch, n]?"
doc = "Right."
"""


def test_the_flat_call_form_names_every_dimension(tmp_path: Path) -> None:
    ok = load_spec(write_kernel(tmp_path / "ok", TENSOR_SPEC.replace('doc = "Mixes."', 'doc = "Mixes."\npositional_shape = ["batch", "n"]')))
    assert ok.functions[1].positional == ("batch", "n") and [a.name for a in ok.functions[1].leading_tensors] == ["left"]
    [problem] = problems_for(tmp_path / "a", TENSOR_SPEC.replace('doc = "Mixes."', 'doc = "Mixes."\npositional_shape = ["batch"]'))
    assert problem.path == "function[1].positional_shape" and "(n)" in problem.message
    assert problem.fix == "add them: ['batch', 'n']"


def test_a_flat_shape_entry_may_name_several_dimensions_of_the_tensors(tmp_path: Path) -> None:
    ok = load_spec(write_kernel(tmp_path / "ok", TENSOR_SPEC.replace(
        'doc = "Mixes."', 'doc = "Mixes."\npositional_shape = ["batch=n"]')))
    assert ok.functions[1].positional == ("batch=n",)
    [problem] = problems_for(tmp_path / "a", TENSOR_SPEC.replace(
        'doc = "Mixes."', 'doc = "Mixes."\npositional_shape = ["batch", "n=seq"]'))
    assert problem.path == "function[1].positional_shape" and "seq is not a dimension" in problem.message
    assert problem.fix == "use their names: ['batch', 'n']"


def test_workers_from_the_bundler_entry_need_the_no_modules_target(tmp_path: Path) -> None:
    spec = MINIMAL_SPEC.replace("[package]", "[npm]\nworkers = true\n\n[build]\ntargets = [\"bundler\", \"nodejs\"]\n\n[package]", 1)
    [problem] = problems_for(tmp_path / "a", spec)
    assert problem.path == "npm.workers" and problem.fix == 'add "no-modules" to build.targets'


def test_the_threaded_module_needs_workers_and_a_feature_of_its_own(tmp_path: Path) -> None:
    # Threads run in the workers only: a browser's main thread may not wait on shared memory.
    spec = MINIMAL_SPEC.replace("[package]", '[build]\nthreads_feature = "parallel"\n\n[package]', 1)
    [problem] = problems_for(tmp_path / "a", spec)
    assert problem.path == "build.threads_feature" and problem.fix == "set workers = true in [npm]"
    clashing = MINIMAL_SPEC.replace("[package]", '[npm]\nworkers = true\n\n[build]\nsimd_feature = "fast"\n'
                                    'threads_feature = "fast"\nfeatures = ["fast"]\n\n[package]', 1)
    messages = {problem.message for problem in problems_for(tmp_path / "b", clashing)}
    assert any("also build.simd_feature" in message for message in messages)
    assert any("also in build.features, so every module" in message for message in messages)


def test_the_flat_call_form_needs_leading_tensors_and_one_form(tmp_path: Path) -> None:
    [problem] = problems_for(tmp_path / "a", MINIMAL_SPEC.replace('errors = ["Overflow"]', 'errors = ["Overflow"]\npositional_shapes = true', 1))
    assert problem.path == "function[0].positional_shapes" and "leading tensor" in problem.message
    both = TENSOR_SPEC.replace('doc = "Mixes."', 'doc = "Mixes."\npositional_shapes = true\npositional_shape = ["batch", "n"]')
    [problem] = problems_for(tmp_path / "b", both)
    assert "two different call forms" in problem.message


def test_class_aliases_are_pascal_case_and_distinct(tmp_path: Path) -> None:
    spec = load_spec(write_kernel(tmp_path / "ok", CLASS_SPEC.replace('doc = "Counts."', 'doc = "Counts."\naliases = ["Tally"]')))
    assert spec.classes[0].aliases == ("Tally",)
    [problem] = problems_for(tmp_path / "a", CLASS_SPEC.replace('doc = "Counts."', 'doc = "Counts."\naliases = ["tally"]'))
    assert problem.path == "class[0].aliases" and "PascalCase" in problem.message
    [problem] = problems_for(tmp_path / "b", CLASS_SPEC.replace('doc = "Counts."', 'doc = "Counts."\naliases = ["Overflow"]'))
    assert "exported twice" in problem.message
