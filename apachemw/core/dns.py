"""Client host names as Apache's ap_get_useragent_host(r, REMOTE_DOUBLE_REV) finds them.

A reverse lookup of the client's address, confirmed by a forward lookup of the name
that must give the address back ("double reverse"); otherwise there is no name. The
lookups run in a small pool of worker threads with a time limit, so a slow resolver
costs a request at most ``LOOKUP_TIMEOUT`` seconds and never blocks the event loop
(on an event loop an unknown address raises NeedsBlockingIO and the adapter decides
the request in a worker thread); answers are remembered for ``TTL`` seconds.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar, cast

from apachemw.config.htaccess import NeedsBlockingIO
from apachemw.core.request import Incoming

__all__ = ["LOOKUP_TIMEOUT", "TTL", "client_host", "double_reverse", "forward_addresses"]

T = TypeVar("T")

LOOKUP_TIMEOUT = 5.0
TTL = 60.0
_MAX = 4096

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="apachemw-dns")
_answers: OrderedDict[tuple[str, str], tuple[float, object]] = OrderedDict()
_lock = threading.Lock()


def _cached(kind: str, key: str, work: Callable[[str], T], default: T, may_block: bool) -> T:
    """``work(key)`` in the pool, bounded in time, remembered for TTL seconds."""
    with _lock:
        hit = _answers.get((kind, key))
    if hit is not None and time.monotonic() - hit[0] <= TTL:
        return cast(T, hit[1])
    if not may_block:
        raise NeedsBlockingIO(key)
    try:
        value = _pool.submit(work, key).result(timeout=LOOKUP_TIMEOUT)
    except FutureTimeout:
        value = default
    with _lock:
        _answers[(kind, key)] = (time.monotonic(), value)
        _answers.move_to_end((kind, key))
        while len(_answers) > _MAX:
            _answers.popitem(last=False)
    return value


def _plain(address: str) -> str:
    return address[7:] if address.lower().startswith("::ffff:") and "." in address else address


def _resolve(name: str) -> frozenset[str]:
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return frozenset()
    return frozenset(_plain(str(info[4][0])) for info in infos)


def _reverse(address: str) -> str | None:
    try:
        name = socket.gethostbyaddr(address)[0]
    except (OSError, UnicodeError):
        return None
    return name if address in _resolve(name) else None


def forward_addresses(name: str, may_block: bool = True) -> frozenset[str]:
    """Every address ``name`` resolves to (apr_sockaddr_info_get, APR_UNSPEC)."""
    return _cached("forward", name, _resolve, frozenset(), may_block)


def double_reverse(address: str, may_block: bool = True) -> str | None:
    """The double-reverse-checked host name of ``address``, or None."""
    return _cached("reverse", _plain(address), _reverse, None, may_block)


def client_host(incoming: Incoming) -> str | None:
    """ap_get_useragent_host(REMOTE_DOUBLE_REV): the client's checked name, which the
    connection then keeps (so %h logs it)."""
    name = double_reverse(incoming.client_ip, incoming.may_block)
    if name is not None:
        incoming.remote_host = name
    return name
