"""Run pyHanko's coroutines from ordinary (synchronous) request code.

pyHanko's synchronous helpers call asyncio.run(), which refuses to work in a thread that
already runs an event loop (an async server, or a test session driving a browser). This
runs the coroutine on a fresh loop, in a short-lived thread when the current one has a loop.
"""
import asyncio
from concurrent.futures import ThreadPoolExecutor


def run(make_coroutine):
    """Run `make_coroutine()` to completion and return its result."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()
