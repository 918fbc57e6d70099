"""The build runner (pipeline/run.py `_run_steps`): needs, two lanes, failures."""

from __future__ import annotations

import threading
import time

import pytest

from wasmforge.pipeline import run as runner
from wasmforge.pipeline.plan import Step


class Recorder:
    """Fake step kinds: record start/end order and how many ran at once."""

    def __init__(self, fail: str | None = None, slow: str | None = None) -> None:
        self.events: list[str] = []
        self.active = 0
        self.most_at_once = 0
        self.lock = threading.Lock()
        self.fail = fail
        self.slow = slow

    def __call__(self, run: object, step: Step) -> None:
        with self.lock:
            self.events.append(f"start {step.key}")
            self.active += 1
            self.most_at_once = max(self.most_at_once, self.active)
        time.sleep(0.3 if step.key == self.slow else 0.05)
        with self.lock:
            self.active -= 1
            self.events.append(f"end {step.key}")
        if step.key == self.fail:
            raise RuntimeError(f"{step.key} failed")


class FakeRun:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}


def steps() -> list[Step]:
    return [Step("a", "a"), Step("b", "b"), Step("c", "c", needs=("a",)), Step("d", "d", needs=("b", "c"))]


def run_with(monkeypatch: pytest.MonkeyPatch, recorder: Recorder, plan: list[Step]) -> FakeRun:
    monkeypatch.setattr(runner, "STEPS", {kind: recorder for kind in "abcd"})
    fake = FakeRun()
    runner._run_steps(fake, plan)  # type: ignore[arg-type]
    return fake


def test_independent_steps_run_side_by_side_and_needs_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    fake = run_with(monkeypatch, recorder, steps())
    events = recorder.events
    assert recorder.most_at_once == 2  # a and b together
    assert events.index("end a") < events.index("start c")
    assert events.index("end b") < events.index("start d") and events.index("end c") < events.index("start d")
    assert set(fake.timings) == {"a", "b", "c", "d"}


def test_timings_follow_the_plan_not_the_order_steps_finish_in(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(slow="a")  # b, then c's lane partner, finish before a
    fake = run_with(monkeypatch, recorder, steps())
    assert recorder.events.index("end b") < recorder.events.index("end a")
    assert list(fake.timings) == ["a", "b", "c", "d"]


def test_after_a_failure_nothing_new_starts_and_the_failure_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(fail="a")
    with pytest.raises(RuntimeError, match="a failed"):
        run_with(monkeypatch, recorder, steps())
    assert "end b" in recorder.events  # the step running beside it finished
    assert not any(event.startswith(("start c", "start d")) for event in recorder.events)


def test_a_plan_that_cannot_finish_is_a_bug_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AssertionError, match="unsatisfiable"):
        run_with(monkeypatch, Recorder(), [Step("a", "a", needs=("z",))])
