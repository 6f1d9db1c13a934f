"""The kinds of background work, registered by the packages that do it.

    @job("export.render_pdf", retries=3)
    def render_pdf(export_id): ...

A kind's function takes the job's JSON payload as keyword arguments and runs in an
application context with its own database session; the runner commits what it wrote together
with the job's "done", so a job's effect is written once. It must be idempotent: a job runs
again when its worker died before that commit. Raise `JobFailed` for a failure that another
attempt cannot mend (the job stops at once, with that reason).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class JobFailed(Exception):
    """A failure no retry mends; the message is the reason the partnership admin reads."""


@dataclass(frozen=True)
class JobKind:
    name: str
    fn: Callable
    retries: int


_kinds: dict[str, JobKind] = {}
_every_minute: list[Callable] = []


def job(name: str, *, retries: int = 4):
    """Register `fn` as the kind `name`, tried 1 + `retries` times before it fails."""
    def register(fn):
        _kinds[name] = JobKind(name, fn, retries)
        return fn
    return register


def kind(name: str) -> JobKind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No background job kind {name!r} is registered.") from None


def every_minute(fn: Callable) -> Callable:
    """Register `fn()` to run once a minute in the worker (e.g. to submit the daily digests
    that are due). It runs in its own transaction; it should submit jobs, not do long work."""
    _every_minute.append(fn)
    return fn


def periodic() -> list[Callable]:
    return list(_every_minute)
