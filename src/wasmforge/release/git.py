"""The git operations a release needs, through the one subprocess door."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from .. import proc
from ..errors import UsageError


@dataclass(frozen=True)
class Repo:
    root: Path

    def git(self, *args: str, check: bool = True) -> proc.Completed:
        return proc.run(["git", *args], cwd=self.root, check=check,
                        hint="see the git message above; the release was rolled back")

    def out(self, *args: str) -> str:
        return self.git(*args).stdout.strip()

    @functools.cached_property
    def git_dir(self) -> Path:
        found = git_dir_of(self.root)
        assert found is not None, self.root
        return found

    def head(self) -> str | None:
        """The commit HEAD points at; None in a repository with no commit yet."""
        result = self.git("rev-parse", "--verify", "--quiet", "HEAD", check=False)
        return result.stdout.strip() or None

    def branch_ref(self) -> str | None:
        """`refs/heads/<branch>`, or None on a detached HEAD."""
        result = self.git("symbolic-ref", "--quiet", "HEAD", check=False)
        return result.stdout.strip() or None

    def dirty_paths(self) -> list[str]:
        """Tracked files with changes, and untracked files not ignored."""
        # Not `out()`: stripping would eat the status column of the first line.
        lines = self.git("status", "--porcelain", "--untracked-files=normal").stdout.splitlines()
        return [line[3:] for line in lines if line.strip()]

    def tags(self, pattern: str) -> list[str]:
        return self.out("tag", "--list", pattern).splitlines()

    def tag_exists(self, name: str) -> bool:
        return self.git("rev-parse", "--verify", "--quiet", f"refs/tags/{name}", check=False).returncode == 0

    def subjects_since(self, since: str | None, path: Path) -> list[str]:
        """Subjects of the non-merge commits touching `path` after `since` (oldest first)."""
        span = [f"{since}..HEAD"] if since else (["HEAD"] if self.head() else [])
        if not span:
            return []
        text = self.out("log", "--no-merges", "--reverse", "--format=%s", *span, "--", str(path))
        return [line for line in text.splitlines() if line.strip()]

    def commit(self, message: str) -> str:
        self.git("commit", "--quiet", "--message", message)
        return self.out("rev-parse", "HEAD")

    def tag(self, name: str, message: str) -> None:
        self.git("tag", "--annotate", name, "--message", message)

    def delete_tag(self, name: str) -> None:
        self.git("tag", "--delete", name, check=False)

    def move_ref(self, ref: str, to: str | None) -> None:
        if to is None:
            self.git("update-ref", "-d", ref, check=False)
        else:
            self.git("update-ref", ref, to)


def git_dir_of(path: Path) -> Path | None:
    """The .git directory of the repository holding `path`, or None outside one."""
    result = proc.run(["git", "rev-parse", "--absolute-git-dir"], cwd=path, check=False)
    return Path(result.stdout.strip()) if result.returncode == 0 else None


def find_repo(path: Path) -> Repo:
    result = proc.run(["git", "rev-parse", "--show-toplevel"], cwd=path, check=False)
    if result.returncode != 0:
        raise UsageError(f"{path} is not inside a git repository",
                         hint="run `git init` (and commit), or pass --no-git to release without committing")
    return Repo(Path(result.stdout.strip()).resolve())
