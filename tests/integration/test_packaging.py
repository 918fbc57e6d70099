"""wasmforge itself as a wheel: templates, resources and scripts travel with it (the formatted
rendering and `wasmforge new` give the same files installed as from the checkout)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_installed_wheel_renders_what_the_checkout_renders(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(REPO)],
                   check=True, capture_output=True)
    [wheel] = wheels.glob("wasmforge-*.whl")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    script = (
        "import sys, json, wasmforge\n"
        "from pathlib import Path\n"
        "from wasmforge.pipeline.format import rendered_crate, rendered_npm\n"
        "from wasmforge.render.templates import template_root\n"
        "from wasmforge.kernelspec.load import load_spec\n"
        "from wasmforge.scaffold import plan_new\n"
        "from wasmforge.toolchain import tools\n"
        "spec, toolchain = load_spec(Path(sys.argv[1])), tools.resolve()\n"
        "out = {**rendered_crate(spec, spec.root / 'target/wasmforge/crate', toolchain),\n"
        "       **rendered_npm(spec, toolchain),\n"
        "       **plan_new('demo', Path.cwd(), 'stream').files}\n"
        "print(json.dumps({'module': wasmforge.__file__, 'templates': str(template_root()), 'files': out}))\n"
    )
    kernel = REPO / "kernels" / "sublinear-solver"
    env = {**os.environ, "PYTHONPATH": str(site)}
    installed = subprocess.run([sys.executable, "-c", script, str(kernel)], env=env, capture_output=True,
                               text=True, check=True, cwd=tmp_path)
    checkout = subprocess.run([sys.executable, "-c", script, str(kernel)], capture_output=True, text=True,
                              check=True, cwd=tmp_path)
    import json

    from_wheel, from_checkout = json.loads(installed.stdout), json.loads(checkout.stdout)
    assert from_wheel["module"].startswith(str(site))
    assert from_wheel["templates"].startswith(str(site))
    assert from_wheel["files"] == from_checkout["files"]
