"""numba's ``njit`` with its on-disk cache wherever the user running coverplan can write.

``@njit(cache=True)`` raises at import ("cannot cache function ...: no locator
available") when none of numba's cache folders is writable: NUMBA_CACHE_DIR
unset, the package's ``__pycache__`` owned by the one who installed coverplan,
and the user's home cache (``~/.cache/numba``) missing or read-only (a service
account such as nobody). No command started for such a user (QA 24).

:func:`cached_njit` keeps numba's own choice (NUMBA_CACHE_DIR, then the
package's ``__pycache__``, then ``~/.cache/numba``) and, only where that
fails, points numba at another folder this user owns: ``$COVERPLAN_CACHE/numba``,
else ``coverplan-numba-<uid>`` in the temporary folder (made private to the
user, and refused when someone else owns it: a cache is code that is loaded),
else a new private temporary folder kept while the process runs. With none
writable at all the kernels are compiled at each start, not cached.

The folder is given to numba (``numba.config.CACHE_DIR`` and NUMBA_CACHE_DIR)
when this module is imported, before the kernels are decorated: numba fixes a
function's cache folder when it is decorated, and read NUMBA_CACHE_DIR when it
was first imported, perhaps by another library. Nothing changes for a user who
can write to one of numba's own folders.
"""
from __future__ import annotations

import atexit
import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path

import numba
from numba import njit

__all__ = ["cached_njit", "cache_folder", "fallback_folder"]

_log = logging.getLogger("coverplan.jit")
#: The fallback folder once looked for: [] not yet, [None] none writable, [path].
_FALLBACK: list = []


def _private_folder(path: Path) -> bool:
    """Whether ``path`` is (made) a real folder of this user's that no one else may write to."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(path)
        if not stat.S_ISDIR(st.st_mode):  # a link or a file put there
            return False
        getuid = getattr(os, "getuid", None)
        if getuid is not None and (st.st_uid != getuid() or st.st_mode & 0o022):
            return False
        tempfile.TemporaryFile(dir=path).close()  # as numba checks a folder
    except OSError:
        return False
    return True


def fallback_folder() -> str | None:
    """The folder numba caches in when its own ones are not writable, or None when there is none."""
    if not _FALLBACK:
        uid = getattr(os, "getuid", lambda: "user")()
        candidates = []
        given = os.environ.get("COVERPLAN_CACHE", "").strip()
        if given:  # coverplan's cache folder (geo.settings.CACHE_DIR), when set for this installation
            candidates.append(Path(given) / "numba")
        candidates.append(Path(tempfile.gettempdir()) / f"coverplan-numba-{uid}")
        found = next((str(p) for p in candidates if _private_folder(p)), None)
        if found:
            _log.info("numba's cache folders are not writable for this user: compiled kernels cached in %s", found)
        else:
            # a new private folder for this process alone (removed at exit): nothing is kept from one start
            # to the next, but every njit(cache=True) of the process finds a folder, not only cached_njit's
            try:
                found = tempfile.mkdtemp(prefix=f"coverplan-numba-{uid}-")
                atexit.register(shutil.rmtree, found, True)
            except OSError:
                found = None
            _log.warning("no writable folder for numba's cache (tried %s): kernels are compiled at each start%s",
                         ", ".join(map(str, candidates)), f" (cached in {found} while this process runs)" if found
                         else "")
        _FALLBACK.append(found)
    return _FALLBACK[0]


def _no_locator(exc: RuntimeError) -> bool:
    return "cannot cache function" in str(exc)


def _probe(x):  # decorated, never compiled: whether numba finds a cache folder for this package's files
    return x


def _configure() -> None:
    """Point numba at :func:`fallback_folder` when none of its own cache folders is writable for this
    package's files, before any kernel is decorated: for every ``njit(cache=True)`` of the process, also
    ones that do not use :func:`cached_njit`. NUMBA_CACHE_DIR is set too, so that numba's reload of its
    configuration (when a NUMBA_ variable changes) and the processes started from this one agree."""
    try:
        njit(cache=True)(_probe)
        return
    except RuntimeError as exc:
        if not _no_locator(exc):
            raise
    folder = fallback_folder()
    if folder is not None:
        os.environ["NUMBA_CACHE_DIR"] = folder
        numba.config.CACHE_DIR = folder


def cached_njit(fn=None, **options):
    """``numba.njit(cache=True, **options)`` that never fails for want of a writable cache folder
    (compiled at each start, not cached, when there is none).

    Use as ``@cached_njit`` or ``@cached_njit(fastmath=True)``.
    """
    if fn is None:
        return lambda f: cached_njit(f, **options)
    try:
        return njit(cache=True, **options)(fn)
    except RuntimeError as exc:  # no folder at all is writable (see fallback_folder)
        if not _no_locator(exc):
            raise
    return njit(cache=False, **options)(fn)


def cache_folder(kernel) -> str | None:
    """The folder a :func:`cached_njit` kernel is cached in, None when it is not cached."""
    cache = getattr(kernel, "_cache", None)  # numba's NullCache (cache_path None) when not cached
    return getattr(cache, "cache_path", None)


_configure()
