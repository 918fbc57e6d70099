"""Is there nothing to build? The up-to-date check of `wasmforge build`, kept apart
from the pipeline so that a no-op build imports none of it (renderer, formatter,
verifier: a third of a no-op build's time went to importing them)."""

from __future__ import annotations

from ..kernelspec.model import KernelSpec
from ..toolchain.tools import Toolchain
from . import fingerprint
from .cargo import user_rustflags
from .outcome import BuildOutcome
from .plan import BuildRequest
from .workdir import WorkDir


def build_key(spec: KernelSpec, request: BuildRequest, toolchain: Toolchain) -> fingerprint.BuildKey:
    """Everything the package is built from (`spec` already narrowed to the request's targets)."""
    return fingerprint.input_digest(spec.file, spec.crate_dir, toolchain.fingerprint(), request.describe(spec),
                                    [spec.root / source for source in spec.npm.extra_sources],
                                    tuple(user_rustflags()))


def current_outcome(dirs: WorkDir, key: fingerprint.BuildKey) -> BuildOutcome | None:
    """The last build's outcome, marked up to date, when nothing changed since; else None."""
    if not fingerprint.is_up_to_date(dirs.state_file, key, dirs.pkg):
        return None
    try:
        return BuildOutcome.from_json(fingerprint.last_report(dirs.state_file)).reused()
    except (KeyError, TypeError, ValueError):
        # Written by an older wasmforge, or damaged: build again.
        return None
