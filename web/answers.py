"""Big JSON answers that many readers fetch unchanged (the map layers): encoded once, not per request.

A coverage map's layers are about 1.5 MB of JSON. Encoding them, hashing them
for the ETag and compressing them (brotli/gzip, Flask-Compress) cost about half
a second of CPU per request, and a browser revalidating with ``If-None-Match``
paid nearly all of it too: the ETag was compared before Flask-Compress added its
``:br`` suffix, so it never matched, and the 304 was only found after the body
had been encoded and compressed again. With 50 planners on a two-core server
that alone kept p95 above a second (bench/load.py, bench/README.md).

Here an answer object the service keeps (web.service caches them per data
version) is encoded, hashed and compressed once per encoding, and kept while
the service keeps it (a few of them); a revalidation is compared against the
ETag of the variant the client would receive -- the same ``<hash>:<encoding>``
validator Flask-Compress gives -- and answered 304 before anything is encoded.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict

from flask import Response, current_app, request

#: Answers kept encoded (each about 1.5 MB of JSON plus its compressed copies).
KEPT = 16
ENCODINGS = ("br", "gzip")

_answers: OrderedDict[int, "_Encoded"] = OrderedDict()
_lock = threading.Lock()


class _Encoded:
    def __init__(self, body) -> None:
        self.body = body  # held, so that id(body) is not reused while this entry lives
        self.data = current_app.json.dumps(body).encode("utf-8")
        self.etag = hashlib.sha1(self.data).hexdigest()
        self._variants: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def variant(self, encoding: str | None) -> bytes:
        if encoding is None:
            return self.data
        with self._lock:  # compressed once even when many readers ask at the same moment
            if encoding not in self._variants:
                cfg = current_app.config
                if encoding == "br":
                    import brotli
                    self._variants[encoding] = brotli.compress(self.data, quality=int(cfg.get("COMPRESS_BR_LEVEL", 4)))
                else:
                    self._variants[encoding] = gzip.compress(self.data, compresslevel=int(cfg.get("COMPRESS_LEVEL", 6)))
            return self._variants[encoding]


def _encoded(body) -> _Encoded:
    key = id(body)
    with _lock:
        hit = _answers.get(key)
        if hit is not None and hit.body is body:
            _answers.move_to_end(key)
            return hit
    enc = _Encoded(body)
    with _lock:
        _answers[key] = enc
        while len(_answers) > KEPT:
            _answers.popitem(last=False)
    return enc


def _encoding(size: int) -> str | None:
    """The compression the client accepts, in the app's order of preference (Flask-Compress's settings)."""
    cfg = current_app.config
    if size < int(cfg.get("COMPRESS_MIN_SIZE", 500)):
        return None
    wanted = cfg.get("COMPRESS_ALGORITHM", ["br", "gzip"])
    if isinstance(wanted, str):
        wanted = [w.strip() for w in wanted.split(",")]
    offered = [w for w in wanted if w in ENCODINGS]
    return request.accept_encodings.best_match(offered) if offered else None


def revalidated(body) -> Response:
    """A JSON answer with an ETag the browser revalidates (``no-cache``: a new data version is seen at once).

    ``body`` must be an object the service keeps unchanged (its cache): it is encoded once.
    """
    enc = _encoded(body)
    encoding = _encoding(len(enc.data))
    etag = f"{enc.etag}:{encoding}" if encoding else enc.etag
    resp = Response(mimetype="application/json")
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["Vary"] = "Accept-Encoding"
    resp.set_etag(etag)
    if request.if_none_match.contains(etag) or request.if_none_match.contains(enc.etag):
        resp.status_code = 304
        return resp
    resp.set_data(enc.variant(encoding))
    if encoding:
        resp.headers["Content-Encoding"] = encoding  # Flask-Compress leaves an encoded answer alone
    return resp
