"""A bare WSGI "hello": the baseline that bench/load.py divides its figures by.

Served by gunicorn exactly as the app is (same workers, same worker class, same clients), it
measures what a request costs on this machine before any Flask, session or database work, so
the load figures can be read as multiples of it on a fast or a slow, quiet or busy machine.

    .venv/bin/gunicorn -w 4 --pythonpath bench hello_app:app
"""

BODY = b"hello\n"
HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
