"""Is there nothing to build? `build_kernel` answers from the last build when nothing
changed and runs the pipeline otherwise; the pipeline (renderer, formatter, verifiers) is
imported only then, since a third of a no-op build's time went to importing it."""

from __future__ import annotations

from ..kernelspec.model import KernelSpec
from ..toolchain.tools import Toolchain
from . import fingerprint
from .cargo import user_rustflags
from .outcome import BuildOutcome
from .plan import BuildRequest, effective_spec
from .workdir import WorkDir, workdir


def build_kernel(spec: KernelSpec, request: BuildRequest, toolchain: Toolchain) -> BuildOutcome:
    """Build (and verify, unless the request says not to) one kernel's package. With
    nothing changed since the last build, its outcome again, marked up to date."""
    spec = effective_spec(spec, request)
    dirs = workdir(spec)
    key = build_key(spec, request, toolchain)
    if not request.force and (previous := current_outcome(dirs, key)) is not None:
        return previous
    from .run import run_build

    return run_build(spec, request, toolchain, key)


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
