"""wasm-inline.js, the esbuild entry's copy of the modules: Python's lzma compresses, the
package's own small LZMA decoder (templates/npm/wasm-inline.js.jinja) restores the exact
bytes in Node — literals, matches, repeated and short-repeated matches, near and far — and
one dictionary over both builds makes the second cost little more than what differs."""

from __future__ import annotations

import hashlib
import json
import random
import zlib
from pathlib import Path

import pytest

from tests.integration.conftest import run_node
from wasmforge.pipeline.assemble import _lzma_raw, _write_inline_module
from wasmforge.toolchain.node import NodeRuntime


def wasm_like(rng: random.Random, size: int) -> bytes:
    """Bytes with a module's mix of repeats and noise (runs, repeated phrases, random)."""
    phrases = [bytes(rng.randrange(256) for _ in range(rng.randrange(3, 40))) for _ in range(200)]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(phrases) if rng.random() < 0.8 else bytes([rng.randrange(256)] * rng.randrange(1, 9))
    return bytes(out[:size])


def variant_of(rng: random.Random, module: bytes) -> bytes:
    """The other build: mostly the same bytes, some changed, a little shorter."""
    out = bytearray(module)
    for _ in range(len(out) // 50):
        out[rng.randrange(len(out))] = rng.randrange(256)
    del out[rng.randrange(len(out)):][:len(out) // 30]
    return bytes(out)


def restored(node: NodeRuntime, tmp_path: Path, modules: dict[str, bytes]) -> dict[str, str]:
    paths = {}
    for variant, data in modules.items():
        paths[variant] = tmp_path / f"{variant}.wasm"
        paths[variant].write_bytes(data)
    _write_inline_module(tmp_path / "wasm-inline.js", paths)
    script = """
import { createHash } from 'node:crypto';
import { wasmBytes } from './wasm-inline.js';
const digest = (bytes) => createHash('sha256').update(bytes).digest('hex');
console.log(JSON.stringify({ simd: digest(wasmBytes(true)), baseline: digest(wasmBytes(false)) }));
"""
    return json.loads(run_node(node, tmp_path, script))


@pytest.mark.parametrize("seed", [1, 2])
def test_both_builds_come_back_byte_for_byte(node: NodeRuntime, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    simd = wasm_like(rng, 90_000)
    baseline = variant_of(rng, simd)
    digests = restored(node, tmp_path, {"baseline": baseline, "simd": simd})
    assert digests == {"simd": hashlib.sha256(simd).hexdigest(), "baseline": hashlib.sha256(baseline).hexdigest()}


def test_noise_and_tiny_modules_come_back_too(node: NodeRuntime, tmp_path: Path) -> None:
    # Random bytes are all literals; a few bytes end before any match.
    noise = random.Random(3).randbytes(70_000)
    assert restored(node, tmp_path, {"baseline": noise})["baseline"] == hashlib.sha256(noise).hexdigest()
    tiny = b"\x00asm\x01\x00\x00\x00"
    assert restored(node, tmp_path, {"baseline": tiny})["baseline"] == hashlib.sha256(tiny).hexdigest()


def test_one_dictionary_makes_the_second_build_cheap() -> None:
    rng = random.Random(4)
    simd = rng.randbytes(120_000)  # incompressible alone: all savings come from the repeats
    baseline = variant_of(rng, simd)
    one, both = len(_lzma_raw(simd)), len(_lzma_raw(simd + baseline))
    assert both < 1.5 * one
    assert both < len(zlib.compress(simd + baseline, 9)) / 1.3  # DEFLATE's 32 KiB window sees no repeat
