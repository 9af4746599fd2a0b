"""advocacy.wsgibody.WholeBody: finished bodies go to the server whole; streams stay streams."""

from __future__ import annotations

import json

from flask import Flask, Response, stream_with_context

from advocacy.wsgibody import WholeBody


def call(wsgi_app, path: str):
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
        "wsgi.errors": None,
        "REMOTE_ADDR": "127.0.0.1",
    }
    return wsgi_app(environ, start_response), seen


def test_the_app_answers_healthz_with_one_bytes_object(app):
    body, seen = call(app.wsgi_app, "/healthz")
    assert seen["status"] == "200 OK"
    assert isinstance(body, list) and len(body) == 1
    assert json.loads(body[0])["status"] == "ok"
    assert int(seen["headers"]["Content-Length"]) == len(body[0])


def test_a_streamed_response_is_passed_through_unread():
    produced = []
    closed = []
    demo = Flask(__name__)

    @demo.get("/stream")
    def stream():
        def rows():
            for n in range(3):
                produced.append(n)
                yield f"row {n}\n"

        response = Response(stream_with_context(rows()), mimetype="text/csv")
        response.call_on_close(lambda: closed.append(True))
        return response

    wrapped = WholeBody(demo.wsgi_app)
    body, seen = call(wrapped, "/stream")
    assert "Content-Length" not in seen["headers"]
    assert not isinstance(body, list) and produced == []  # nothing read before the server asks
    assert b"".join(body) == b"row 0\nrow 1\nrow 2\n"
    body.close()
    assert produced == [0, 1, 2] and closed == [True]


def test_a_sized_body_is_joined_and_its_iterator_closed():
    closed = []
    demo = Flask(__name__)

    @demo.get("/page")
    def page():
        response = Response(["<p>", "hello", "</p>"], mimetype="text/html")
        response.headers["Content-Length"] = "12"
        response.call_on_close(lambda: closed.append(True))
        return response

    body, seen = call(WholeBody(demo.wsgi_app), "/page")
    assert body == [b"<p>hello</p>"] and closed == [True]


def test_a_large_sized_body_such_as_a_sent_file_is_not_read_into_memory(tmp_path):
    from advocacy.wsgibody import JOIN_LIMIT

    big = tmp_path / "export.xlsx"
    big.write_bytes(b"x" * (JOIN_LIMIT + 1))
    demo = Flask(__name__)

    @demo.get("/file")
    def file():
        from flask import send_file

        return send_file(big)

    body, seen = call(WholeBody(demo.wsgi_app), "/file")
    assert int(seen["headers"]["Content-Length"]) == JOIN_LIMIT + 1
    assert not isinstance(body, list)  # handed on as the file's iterator
    assert sum(len(chunk) for chunk in body) == JOIN_LIMIT + 1
    body.close()
