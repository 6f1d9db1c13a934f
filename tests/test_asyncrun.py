"""pyHanko's coroutines run even where the thread already has an event loop."""
import asyncio

from workspace.export.asyncrun import run


async def _answer():
    return 42


def test_run_without_a_loop():
    assert run(_answer) == 42


def test_run_inside_a_running_loop():
    async def main():
        return run(_answer)      # asyncio.run() here would raise RuntimeError
    assert asyncio.run(main()) == 42
