"""All-or-nothing releases: a write-ahead journal of everything a release changes.

Before a release touches a file, a directory, the branch or a tag, the journal
records how to undo it (a copy of the file, or the fact that it did not exist)
and is saved to disk. On failure or Ctrl-C the release rolls back from it; if
the process was killed outright, the journal is still on disk and the next
`wasmforge release` rolls back first. A completed release deletes it.

The journal lives in the git directory (`.git/wasmforge-release/`), never in
the work tree, so it is not itself a change to the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import ui
from ..errors import UsageError
from .git import Repo

JOURNAL_FILE = "journal.json"


@dataclass
class _GitState:
    root: str
    head: str | None
    branch_ref: str | None
    index_backup: str | None  # file name in the journal directory
    tags: list[str] = field(default_factory=list)  # created (or about to be) by the release


@dataclass
class _State:
    files: list[dict[str, Any]] = field(default_factory=list)  # {path, backup|None}
    git: _GitState | None = None


class Journal:
    def __init__(self, directory: Path, state: _State | None = None) -> None:
        self.directory = directory
        self.state = state or _State()

    # --- opening and closing ---------------------------------------------------------

    @classmethod
    def begin(cls, directory: Path, repo: Repo | None) -> Journal:
        if (directory / JOURNAL_FILE).exists():
            # Callers recover first; a journal here means another release is running.
            raise UsageError(f"a release journal already exists in {directory}: another release is under way",
                             hint="wait for it, or roll a killed one back with `wasmforge release --recover`")
        directory.mkdir(parents=True, exist_ok=True)
        journal = cls(directory)
        if repo is not None:
            index = repo.git_dir / "index"
            backup = None
            if index.exists():
                backup = "index"
                shutil.copy2(index, directory / backup)
            journal.state.git = _GitState(str(repo.root), repo.head(), repo.branch_ref(), backup)
        journal._save()
        return journal

    def finish(self) -> None:
        """The release is complete: forget how to undo it."""
        shutil.rmtree(self.directory, ignore_errors=True)

    # --- recording, always before the change ---------------------------------------

    def protect(self, path: Path) -> None:
        """Keep what `path` (file or directory) holds now, or that it is absent."""
        path = path.resolve()
        if any(entry["path"] == str(path) for entry in self.state.files):
            return
        backup = None
        if path.exists():
            backup = f"backup-{len(self.state.files)}"
            if path.is_dir():
                shutil.copytree(path, self.directory / backup, symlinks=True)
            else:
                shutil.copy2(path, self.directory / backup)
        self.state.files.append({"path": str(path), "backup": backup})
        self._save()

    def will_tag(self, name: str) -> None:
        assert self.state.git is not None
        self.state.git.tags.append(name)
        self._save()

    def _save(self) -> None:
        temporary = self.directory / f"{JOURNAL_FILE}.tmp"
        temporary.write_text(json.dumps(asdict(self.state), indent=2))
        os.replace(temporary, self.directory / JOURNAL_FILE)

    # --- undoing ---------------------------------------------------------------------

    def rollback(self) -> list[str]:
        """Undo everything recorded, newest first; returns what was restored."""
        restored: list[str] = []
        with _signals_deferred():
            git = self.state.git
            if git is not None:
                restored += _rollback_git(Repo(Path(git.root)), git, self.directory)
            for entry in reversed(self.state.files):
                _restore(Path(entry["path"]), self.directory / entry["backup"] if entry["backup"] else None)
                restored.append(entry["path"])
            self.finish()
        return restored

    @classmethod
    def load(cls, directory: Path) -> Journal | None:
        file = directory / JOURNAL_FILE
        if not file.exists():
            return None
        data = json.loads(file.read_text())
        git = _GitState(**data["git"]) if data.get("git") else None
        return cls(directory, _State(data["files"], git))


def _rollback_git(repo: Repo, git: _GitState, directory: Path) -> list[str]:
    undone = []
    for tag in reversed(git.tags):
        if repo.tag_exists(tag):
            repo.delete_tag(tag)
            undone.append(f"tag {tag}")
    if repo.head() != git.head:
        repo.move_ref(git.branch_ref or "HEAD", git.head)
        undone.append(f"{git.branch_ref or 'HEAD'} back to {git.head[:12] if git.head else '(no commit)'}")
    index = repo.git_dir / "index"
    if git.index_backup:
        shutil.copy2(directory / git.index_backup, index)
    elif index.exists():
        index.unlink()
    return undone


def _restore(path: Path, backup: Path | None) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    if backup is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if backup.is_dir():
        shutil.copytree(backup, path, symlinks=True)
    else:
        shutil.copy2(backup, path)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """A rollback must not itself be interrupted half-way."""
    caught: list[int] = []
    handled = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda number, _frame: caught.append(number)) for sig in handled}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:
            ui.warn("a signal arrived during the rollback; it finished first")


def recover(directory: Path) -> list[str] | None:
    """Roll back a release that was killed before it could; None if there was none."""
    journal = Journal.load(directory)
    if journal is None:
        return None
    return journal.rollback()
