"""Reading HandMesh's NDJSON records from a file, a stream or a `unix:` socket."""
from __future__ import annotations

import io
import json
import os
import socket
import sys
import time
from typing import IO, Iterator, Optional, Union

from .records import Event, Frame, Header, RecordError


class ConnectionLost(ConnectionError):
    """A `unix:` socket that did not come back within the reconnect time."""


def read(source: Union[str, os.PathLike, IO], *, everything: bool = False, reconnect_seconds: float = 10.0,
         stream: Optional[str] = None) -> Iterator:
    """Frames from `source`, in order.

    `source` is a file path, `-` for stdin, `unix:PATH` for a HandMesh socket, or an open binary or
    text stream. Each frame carries its own stream's header, so several streams written to one
    output stay apart (`frame.stream`, `frame.header`); `stream` keeps only one of them. With
    `everything`, headers and the other records (`Event`: dropped, source, error, end) come too.

    A socket that goes away is reconnected (the server replays its running streams' headers to a
    client that joins) until `reconnect_seconds` pass without a server, then `ConnectionLost` is
    raised; it ends normally once every stream it has seen has sent its `end` record.
    """
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        if text.startswith("unix:"):
            lines = _socket_lines(text[len("unix:"):], reconnect_seconds)
            name = text
        elif text == "-":
            lines, name = _stream_lines(sys.stdin.buffer), "stdin"
        else:
            lines, name = _file_lines(text), text
    else:
        lines, name = _stream_lines(source), getattr(source, "name", "stream")
    return _records(lines, name, everything, stream)


def _file_lines(path: str) -> Iterator[bytes]:
    try:
        f = open(path, "rb")
    except OSError as e:
        raise FileNotFoundError(f"{path}: cannot open ({e.strerror})") from None
    with f:
        yield from f


def _stream_lines(f: IO) -> Iterator[bytes]:
    if isinstance(f, io.TextIOBase):
        for line in f:
            yield line.encode()
    else:
        yield from f


class _SocketLines:
    """Lines from a HandMesh socket, reconnecting when the server goes away; `finished` tells it
    that every stream has ended, so a closed connection is the end rather than a loss."""

    def __init__(self, path: str, reconnect_seconds: float):
        self.path = path
        self.reconnect_seconds = reconnect_seconds
        self.finished = False

    def connect(self) -> socket.socket:
        deadline = time.monotonic() + self.reconnect_seconds
        delay = 0.05
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
                return s
            except OSError as e:
                s.close()
                if time.monotonic() + delay > deadline:
                    raise ConnectionLost(f"unix:{self.path}: no HandMesh server after {self.reconnect_seconds:g} s "
                                         f"({e.strerror})") from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            s = self.connect()
            with s, s.makefile("rb") as f:
                try:
                    for line in f:
                        if line.endswith(b"\n"):
                            yield line
                except (ConnectionResetError, BrokenPipeError):
                    pass
            if self.finished:
                return


def _socket_lines(path: str, reconnect_seconds: float) -> Iterator[bytes]:
    lines = _SocketLines(path, reconnect_seconds)
    open_streams: set = set()
    for line in lines:
        # Peek at the type cheaply: only headers and ends change which streams are running.
        head = line[:48]
        if b'"type":"header"' in head:
            open_streams.add(json.loads(line)["stream"])
            lines.finished = False
        elif b'"type":"end"' in head:
            open_streams.discard(json.loads(line)["stream"])
            lines.finished = not open_streams
        yield line


def _records(lines: Iterator[bytes], name: str, everything: bool, only: Optional[str]) -> Iterator:
    headers: dict = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            kind = d["type"]
            stream = d["stream"]
        except (ValueError, KeyError, TypeError) as e:
            raise RecordError(f"{name}: line {number}: not a HandMesh record ({e})") from None
        if only is not None and stream != only:
            continue
        try:
            if kind == "frame":
                yield Frame.from_json(d, headers.get(stream))
            elif kind == "header":
                header = Header.from_json(d)
                headers[stream] = header
                if everything:
                    yield header
            elif everything:
                yield Event(kind, stream, d)
        except (ValueError, KeyError, TypeError) as e:
            raise RecordError(f"{name}: line {number}: bad {kind} record ({e})") from None
