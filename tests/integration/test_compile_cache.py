"""`[build] cache = "sccache"` / WASMFORGE_CACHE=sccache: a build in a fresh cargo target
directory is served from the shared compile cache (sccache's own statistics say so), and the
module is the same bytes with the cache on or off."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

from tests.integration.conftest import run_wasmforge
from wasmforge.toolchain.tools import installed_optional


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cache_hits(sccache: Path, env: dict[str, str]) -> int:
    shown = subprocess.run([str(sccache), "--show-stats", "--stats-format", "json"], env=env,
                           capture_output=True, text=True, check=True)
    return sum(json.loads(shown.stdout)["stats"]["cache_hits"]["counts"].values())


def test_a_fresh_target_directory_is_served_from_the_cache_and_the_bytes_stay(tmp_path: Path) -> None:
    sccache = installed_optional("sccache")
    assert sccache is not None, "sccache is provisioned by `make test` (toolchain install --with sccache)"
    assert run_wasmforge("new", "k-cache", cwd=tmp_path).returncode == 0
    # A server and a cache directory of the test's own; one build root and one target directory
    # path, so every rustc command line (which sccache hashes: remapped paths, -L and --extern
    # into the target directory) is the same in every build, as on every machine by default.
    cache = {"SCCACHE_DIR": str(tmp_path / "sccache"), "SCCACHE_SERVER_PORT": str(free_port())}
    env = {**cache, "WASMFORGE_BUILD_ROOT": str(tmp_path / "root")}
    process_env = {**os.environ, **cache}
    module = tmp_path / "k-cache" / "pkg" / "k_cache_bg.wasm"
    try:
        cold = run_wasmforge("build", "k-cache", "--force", "--no-verify", cwd=tmp_path,
                             env={**env, "WASMFORGE_CACHE": "sccache", "CARGO_TARGET_DIR": str(tmp_path / "target-a")})
        assert cold.returncode == 0, cold.stderr
        cached_bytes = module.read_bytes()
        before = cache_hits(sccache, process_env)
        shutil.rmtree(tmp_path / "target-a")  # a fresh target directory, as on a new machine
        warm = run_wasmforge("build", "k-cache", "--force", "--no-verify", cwd=tmp_path,
                             env={**env, "WASMFORGE_CACHE": "sccache", "CARGO_TARGET_DIR": str(tmp_path / "target-a")})
        assert warm.returncode == 0, warm.stderr
        # wasm-bindgen and its dependency tree come from the cache (the kernel's cdylib is linked anew).
        assert cache_hits(sccache, process_env) - before >= 5
        assert module.read_bytes() == cached_bytes
        uncached = run_wasmforge("build", "k-cache", "--force", "--no-verify", cwd=tmp_path,
                                 env={**env, "WASMFORGE_CACHE": "none", "CARGO_TARGET_DIR": str(tmp_path / "target-b")})
        assert uncached.returncode == 0, uncached.stderr
        assert module.read_bytes() == cached_bytes
    finally:
        subprocess.run([str(sccache), "--stop-server"], env=process_env, capture_output=True)


def test_an_unknown_cache_is_a_usage_error(tmp_path: Path) -> None:
    assert run_wasmforge("new", "k-x", cwd=tmp_path).returncode == 0
    result = run_wasmforge("build", "k-x", cwd=tmp_path, env={"WASMFORGE_CACHE": "redis"})
    assert result.returncode == 2 and "WASMFORGE_CACHE=redis is not a cache wasmforge knows" in result.stderr
