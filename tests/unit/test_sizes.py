"""[build.size_budget]: sizes as written in kernel.toml, the budget check on measured
rows, and its error (no toolchain: the rows are made up)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MINIMAL_SPEC, write_kernel
from wasmforge.errors import SizeBudgetExceeded, SpecError
from wasmforge.kernelspec.load import load_spec
from wasmforge.kernelspec.model import SizeBudget
from wasmforge.kernelspec.units import format_against, format_budget, parse_size, size_problem
from wasmforge.pipeline.sizes import SizeRow, check_budget, headroom, measure
from wasmforge.render.npm import Layout


@pytest.mark.parametrize(("text", "size"), [
    (500_000, 500_000), ("500 KB", 500_000), ("500kb", 500_000), ("1.5 MiB", 1_572_864), ("900 B", 900),
    ("2MB", 2_000_000), ("12 KiB", 12_288), (False, None),
])
def test_sizes_read_as_written(text: object, size: int | None) -> None:
    assert size_problem(text) is None
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["lots", "500 KBytes", "-3 KB", 0, "0 KB"])
def test_bad_sizes_are_named(text: object) -> None:
    assert size_problem(text)


def test_budgets_print_in_the_unit_they_were_written_in() -> None:
    assert format_budget(500_000) == "500 KB" and format_budget(2 * 1024 * 1024) == "2 MiB"
    assert format_against(391_000, 500_000) == "391.0 KB" and format_against(393, 63_000) == "393 B"


def test_the_default_budget_is_the_seeds_500_kb(kernel_dir: Path) -> None:
    assert load_spec(kernel_dir).build.size_budget == SizeBudget(module=500_000)


def test_a_bad_budget_is_a_located_spec_error(tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path / "k", MINIMAL_SPEC + '\n[build.size_budget]\nmodule = "big"\n')
    with pytest.raises(SpecError) as caught:
        load_spec(kernel)
    [problem] = caught.value.problems
    assert (problem.path, problem.message) == ("build.size_budget.module", "`big` is not a size")
    assert problem.line == len((kernel / "kernel.toml").read_text().splitlines())  # the `module =` line
    assert "500 KB" in (problem.fix or "")
    kernel = write_kernel(tmp_path / "k2", MINIMAL_SPEC + '\n[build.size_budget]\nentry = true\n')
    with pytest.raises(SpecError) as caught:
        load_spec(kernel)
    assert "must be a size" in caught.value.problems[0].message


ROWS = [SizeRow("module", "module", ("demo_bg.wasm",), 120_000, 50_000, before_opt=130_000),
        SizeRow("module (simd)", "module", ("simd/demo_bg.wasm",), 90_000, 40_000, before_opt=95_000),
        SizeRow("web", "entry", ("web.js", "api.js", "demo.web.js", "demo_bg.wasm"), 180_000, 70_000)]


def test_within_budget_nothing_is_raised_and_headroom_is_shown(kernel_dir: Path) -> None:
    spec = load_spec(kernel_dir)
    check_budget(spec, ROWS)
    assert headroom(ROWS[0], spec.build.size_budget) == [("module", 500_000, 380_000)]
    assert headroom(ROWS[2], spec.build.size_budget) == []


def test_over_budget_names_each_file_its_size_the_budget_and_what_helps(tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path / "k", MINIMAL_SPEC + '\n[build]\nprofile = "speed"\n'
                          '\n[build.size_budget]\nmodule = "100 KB"\nentry_gzip = "60 KB"\n')
    spec = load_spec(kernel)
    with pytest.raises(SizeBudgetExceeded) as caught:
        check_budget(spec, ROWS)
    error = caught.value
    assert error.exit_code == 5
    lines = error.message.splitlines()
    assert lines[0] == "2 sizes over the budget of kernel.toml; pkg/ was left as it was"
    module_line = len(spec.file.read_text().splitlines()) - 1
    assert lines[1] == (f"{spec.file}:{module_line}: demo_bg.wasm is 120.0 KB raw, "
                        "over build.size_budget.module = 100 KB by 20.0 KB")
    assert lines[2].endswith("the web entry (4 files) is 70.0 KB gzipped, over build.size_budget.entry_gzip = "
                             "60 KB by 10.0 KB")
    assert 'profile = "size"' in (error.hint or "")
    assert [location.line for location in error.locations] == [module_line, module_line + 1]


def test_the_default_budget_says_where_to_change_it(kernel_dir: Path) -> None:
    spec = load_spec(kernel_dir)
    big = SizeRow("module", "module", ("demo_bg.wasm",), 600_000, 200_000, before_opt=700_000)
    with pytest.raises(SizeBudgetExceeded) as caught:
        check_budget(spec, [big])
    assert caught.value.message.splitlines()[1] == (
        f"{spec.file}: demo_bg.wasm is 600.0 KB raw, over build.size_budget.module = 500 KB by 100.0 KB "
        "(the default budget; [build.size_budget] in kernel.toml changes it)")


def test_measure_weighs_modules_and_what_each_entry_loads(tmp_path: Path) -> None:
    files = {"demo_bg.wasm": 1000, "simd/demo_bg.wasm": 1100, "index.js": 10, "api.js": 300,
             "demo.web.js": 200, "wasm-inline.js": 1500, "asset.js": 20, "web.js": 30, "node.cjs": 40,
             "no-modules.js": 600}
    for name, size in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(bytes(range(256)) * (size // 256) + bytes(size % 256))
    layout = Layout(("bundler", "nodejs", "web", "no-modules"), "demo", simd=True)
    rows = {row.name: row for row in measure(tmp_path, layout, {"baseline": 2000, "simd": 2100})}
    assert list(rows) == ["module", "module (simd)", "bundler (inline)", "bundler (asset)", "bundler (asset) (simd)",
                          "nodejs", "nodejs (simd)", "web", "web (simd)", "no-modules", "no-modules (simd)"]
    assert rows["module (simd)"].raw == 1100 and rows["module (simd)"].before_opt == 2100
    assert rows["bundler (inline)"].raw == 10 + 300 + 200 + 1500  # the modules are inside wasm-inline.js
    assert rows["web (simd)"].files == ("web.js", "api.js", "demo.web.js", "simd/demo_bg.wasm")
    assert rows["nodejs"].raw == 40 + 300 + 200 + 1000
    assert rows["no-modules"].gzip < rows["no-modules"].raw
