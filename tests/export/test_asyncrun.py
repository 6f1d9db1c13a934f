"""pyHanko's coroutines run even where the thread already has an event loop."""
import asyncio
import threading

from workspace.export.asyncrun import run


async def _answer():
    return 42


def _in_fresh_thread(function):
    """Call `function` in a new thread (whatever loop this test thread may be running)."""
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", function()))
    thread.start()
    thread.join()
    return result["value"]


def test_run_without_a_loop():
    assert _in_fresh_thread(lambda: run(_answer)) == 42


def test_run_inside_a_running_loop():
    async def main():
        asyncio.get_running_loop()          # a loop is running here
        return run(_answer)                 # asyncio.run() here would raise RuntimeError
    assert _in_fresh_thread(lambda: asyncio.run(main())) == 42
