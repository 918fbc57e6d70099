"""Kernels written outside wasmforge build unchanged: an image-processing crate
(tests/fixtures/imaging: a tuple error variant, `usize` error fields, a unit
variant, an infallible constructor, `gt = 0`) and a thin adapter over the
`rustfft` crate from crates.io (tests/fixtures/fft: `len(re)`). Each behaves as
its spec says in Node and matches NumPy; a spec that contradicts its Rust fails
the build at the kernel.toml line of the contradiction."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.conftest import REPO
from tests.integration.conftest import Built, build, copy_kernel, npm_project, run_node, run_wasmforge
from wasmforge.toolchain.node import NodeRuntime

BEHAVIOUR = """
import * as img from '@wasmforge-test/imaging';
const outcome = (call) => {
  try {
    return { value: Array.from(call()) };
  } catch (error) {
    return { error: error.constructor.name, message: error.message, details: error.details };
  }
};
const stats = new img.RunningStats();
const emptyVariance = outcome(() => [stats.variance()]);
stats.push(new Float64Array([1, 2, 4]));
const live = [stats.count, stats.mean, stats.variance()];
stats.dispose();
console.log(JSON.stringify({
  badParameter: outcome(() => img.histogram(new Float32Array([0.5]), 2, 1, 1)),
  sigmaZero: outcome(() => img.gaussianBlur(new Float32Array([1, 2]), 2, 1, 0)),
  sigmaNaN: outcome(() => img.gaussianBlur(new Float32Array([1, 2]), 2, 1, NaN)),
  infinitePixel: outcome(() => img.gaussianBlur(new Float32Array([1, -Infinity]), 2, 1, 1)),
  mismatch: outcome(() => img.gaussianBlur(new Float32Array(3), 2, 2, 1)),
  shortIm: outcome(() => img.magnitude(new Float64Array([3, 0]), new Float64Array([4]))),
  magnitude: outcome(() => img.magnitude(new Float64Array([3, 0]), new Float64Array([4, 2]))),
  emptyVariance,
  live,
  readAfterDispose: outcome(() => [stats.mean]),
  callAfterDispose: outcome(() => [stats.variance()]),
}));
"""


def test_outside_kernel_behaves_as_its_spec_says(imaging: Built, node: NodeRuntime, tmp_path: Path) -> None:
    project = npm_project(node, tmp_path / "consumer", imaging.pkg)
    seen = json.loads(run_node(node, project, BEHAVIOUR))
    assert seen["badParameter"] == {"error": "BadParameter", "message": "bad parameter: lo must be below hi",
                                    "details": {"0": "lo must be below hi"}}
    assert seen["sigmaZero"]["details"] == {"function": "gaussianBlur", "argument": "sigma",
                                            "expected": "greater than 0", "actual": "0"}
    assert seen["sigmaNaN"]["error"] == "InvalidArgument"
    assert seen["infinitePixel"]["details"]["actual"] == "-Infinity at index 1"
    assert seen["mismatch"] == {"error": "DimensionMismatch", "message": "expected 4 pixels, got 3",
                                "details": {"expected": 4, "got": 3}}
    assert seen["shortIm"]["details"]["expected"] == "of length len(re) = 2"
    assert seen["magnitude"] == {"value": [5, 2]}
    assert seen["emptyVariance"] == {"error": "Empty", "message": "no samples yet", "details": {}}
    assert seen["live"][:2] == [3, 7 / 3] and abs(seen["live"][2] - 7 / 3) < 1e-12
    assert seen["readAfterDispose"]["message"] == "RunningStats.mean was read after dispose()"
    assert seen["callAfterDispose"]["message"] == "RunningStats.variance() was called after dispose()"


NUMERICS = """
const img = require('@wasmforge-test/imaging');
const { pixels, width, height, sigma } = JSON.parse(require('fs').readFileSync('image.json', 'utf8'));
const image = new Float32Array(pixels);
console.log(JSON.stringify({
  blur: Array.from(img.gaussianBlur(image, width, height, sigma)),
  sobel: Array.from(img.sobel(image, width, height)),
  histogram: Array.from(img.histogram(image, 8, 0, 1)),
}));
"""


def test_outside_kernel_matches_numpy(imaging: Built, node: NodeRuntime, tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    height, width, sigma = 23, 31, 1.7
    image = rng.random((height, width), dtype=np.float32)
    project = npm_project(node, tmp_path / "numerics", imaging.pkg)
    (project / "image.json").write_text(json.dumps({"pixels": image.ravel().tolist(), "width": width,
                                                    "height": height, "sigma": sigma}))
    seen = json.loads(run_node(node, project, NUMERICS, module=False))

    blur = np.array(seen["blur"]).reshape(height, width)
    assert np.max(np.abs(blur - _gaussian_blur(image.astype(np.float64), sigma))) < 1e-5
    sobel = np.array(seen["sobel"]).reshape(height, width)
    assert np.max(np.abs(sobel - _sobel(image.astype(np.float64)))) < 1e-5
    assert seen["histogram"] == np.histogram(image, bins=8, range=(0, 1))[0].tolist()


def _gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    radius = int(np.ceil(3 * sigma))
    offsets = np.arange(-radius, radius + 1)
    weights = np.exp(-(offsets**2) / (2 * sigma**2))
    weights /= weights.sum()
    rows = sum(w * np.take(image, np.clip(np.arange(image.shape[1]) + k, 0, image.shape[1] - 1), axis=1)
               for k, w in zip(offsets, weights, strict=True))
    return sum(w * np.take(rows, np.clip(np.arange(image.shape[0]) + k, 0, image.shape[0] - 1), axis=0)
               for k, w in zip(offsets, weights, strict=True))


def _sobel(image: np.ndarray) -> np.ndarray:
    out = np.zeros_like(image)
    p = image
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    out[1:-1, 1:-1] = np.hypot(gx, gy)
    return out


FFT = """
const { fft, ifft } = require('@wasmforge-test/fft');
const { re, im } = JSON.parse(require('fs').readFileSync('signal.json', 'utf8'));
const spectrum = fft(new Float64Array(re), new Float64Array(im));
const back = ifft(new Float64Array(spectrum.filter((_, i) => i % 2 === 0)),
                  new Float64Array(spectrum.filter((_, i) => i % 2 === 1)));
console.log(JSON.stringify({ spectrum: Array.from(spectrum), back: Array.from(back) }));
"""


def test_kernel_over_a_crates_io_dependency_matches_numpy(tmp_path: Path, node: NodeRuntime) -> None:
    kernel = copy_kernel(REPO / "tests" / "fixtures" / "fft", tmp_path / "fft")
    built = build(kernel)
    assert built.report["verification"]["ok"]
    rng = np.random.default_rng(3)
    re, im = rng.standard_normal(60), rng.standard_normal(60)
    project = npm_project(node, tmp_path / "consumer", built.pkg)
    (project / "signal.json").write_text(json.dumps({"re": re.tolist(), "im": im.tolist()}))
    seen = json.loads(run_node(node, project, FFT, module=False))

    spectrum = np.array(seen["spectrum"]).reshape(-1, 2) @ np.array([1, 1j])
    assert np.max(np.abs(spectrum - np.fft.fft(re + 1j * im))) < 1e-12
    back = np.array(seen["back"]).reshape(-1, 2) @ np.array([1, 1j])
    assert np.max(np.abs(back - (re + 1j * im))) < 1e-12


def test_spec_contradicting_the_rust_fails_at_its_line(tmp_path: Path) -> None:
    kernel = copy_kernel(REPO / "tests" / "fixtures" / "imaging", tmp_path / "imaging")
    spec = kernel / "kernel.toml"
    text = spec.read_text()
    declared = 'fields = { expected = "u32", got = "u32" }'
    assert declared in text
    spec.write_text(text.replace(declared, 'fields = { expected = "string", got = "bool" }'))
    text = spec.read_text()
    text = text.replace('name = "count"\ntype = "u32"', 'name = "count"\ntype = "f64"')
    text = text.replace('returns = "f64[]"\ninfallible = true', 'returns = "f32[]"\ninfallible = true')
    spec.write_text(text)
    magnitude_line = text.splitlines().index('name = "magnitude"')  # its [[function]] header, 1-based
    line = text.splitlines().index('fields = { expected = "string", got = "bool" }') + 1
    # The property's [[class.property]] header, the line before its name (1-based: the name's 0-based index).
    count_line = text.splitlines().index('name = "count"')

    result = run_wasmforge("build", str(kernel))

    assert result.returncode == 4, result.stderr
    assert "kernel.toml does not match the kernel's Rust (" in result.stderr
    assert (f"{spec}:{line}: error[1].fields.expected (`DimensionMismatch`): "
            "declared `string`, the kernel has `usize`") in result.stderr
    assert f"{spec}:{line}: error[1].fields.got (`DimensionMismatch`): declared `bool`, the kernel has `usize`" \
        in result.stderr
    assert f"{spec}:{count_line}: class[0].property[0] (`RunningStats.count`): expected `f64`, found `u32`" \
        in result.stderr
    assert f"{spec}:{magnitude_line}: function[3] (`magnitude`): expected `" in result.stderr
    assert "(generated from kernel.toml:" in result.stderr  # rustc's own arrows name the spec entry too
    assert not (kernel / "pkg").exists()
