"""The index folder: generations, the per-process searcher and the shared writer.

Layout of the backend's ``PATH``::

    CURRENT              name of the live generation ("gen-000004"), replaced atomically
    BUILDING             name of the generation a rebuild is filling, while it runs
    gen-000004/          a complete Whoosh index (the live one)
    gen-000005/          the index a rebuild is building
    gen-000005.journal   updates made to the live index while gen-000005 was built
    .swap.lock           writers hold it shared; a rebuild holds it exclusive to swap

Readers only ever open the generation CURRENT names, so a rebuild that dies half
way leaves the old index serving; the next rebuild removes its leftovers.
"""

import fcntl
import logging
import os
import pickle
import shutil
import struct
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager

from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError, LockError
from whoosh.writing import CLEAR

from .analysis import make_schema

logger = logging.getLogger(__name__)

CURRENT = "CURRENT"
BUILDING = "BUILDING"
SWAP_LOCK = ".swap.lock"
GENERATION_PREFIX = "gen-"
FILTER_CACHE_SIZE = 64


class IndexBusyError(Exception):
    """The index stayed locked by other writers for longer than the timeout."""


def _generation_number(name: str) -> int:
    try:
        return int(name[len(GENERATION_PREFIX) :])
    except ValueError:
        return -1


class SearcherState:
    """One open searcher plus what is cached for it (filter doc sets)."""

    def __init__(self, generation, index, searcher):
        self.generation = generation
        self.index = index
        self.searcher = searcher
        self.filter_cache = OrderedDict()
        self._doc_ids = None

    @property
    def doc_ids(self):
        """docnum -> doc_id column (reading its offsets costs a pass over the index)."""
        if self._doc_ids is None:
            reader = self.searcher.reader()
            # An index with no document yet has no columns to read (and no docnum to look up).
            self._doc_ids = reader.column_reader("doc_id") if reader.doc_count_all() else {}
        return self._doc_ids

    def cached(self, key, build):
        """Returns the value for ``key`` (a filter's doc set, a word's corrections),
        building it once per searcher."""
        cache = self.filter_cache
        try:
            cache.move_to_end(key)
            return cache[key]
        except KeyError:
            value = cache[key] = build()
            if len(cache) > FILTER_CACHE_SIZE:
                cache.popitem(last=False)
            return value


# Per-process searchers, keyed by index folder; opening one costs tens of ms.
_searchers: dict[str, SearcherState] = {}
_searchers_lock = threading.RLock()
_searcher_opens: dict[str, int] = {}


class IndexStore:
    """Access to the generations in one index folder."""

    def __init__(self, path: str, *, lock_timeout: float = 30.0):
        self.path = os.path.abspath(path)
        self.lock_timeout = lock_timeout

    @property
    def searcher_opens(self) -> int:
        """How many times this process opened a searcher on this folder from scratch."""
        return _searcher_opens.get(self.path, 0)

    # Generations

    def _read_name(self, filename):
        try:
            with open(os.path.join(self.path, filename)) as f:
                return f.read().strip() or None
        except FileNotFoundError:
            return None

    def _write_name(self, filename, value):
        tmp = os.path.join(self.path, f".{filename}.{os.getpid()}.tmp")
        with open(tmp, "w") as f:
            f.write(value)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, os.path.join(self.path, filename))

    def current_generation(self) -> str | None:
        return self._read_name(CURRENT)

    def building_generation(self) -> str | None:
        return self._read_name(BUILDING)

    def generations(self) -> list[str]:
        try:
            names = os.listdir(self.path)
        except FileNotFoundError:
            return []
        return sorted(
            (n for n in names if n.startswith(GENERATION_PREFIX) and os.path.isdir(os.path.join(self.path, n))),
            key=_generation_number,
        )

    def _next_generation(self) -> str:
        numbers = [_generation_number(n) for n in self.generations()]
        for name in (self.current_generation(), self.building_generation()):
            if name:
                numbers.append(_generation_number(name))
        return f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"

    def _create_generation(self, name):
        folder = os.path.join(self.path, name)
        os.makedirs(folder, exist_ok=True)
        return FileStorage(folder).create_index(make_schema())

    def open_generation(self, name):
        return FileStorage(os.path.join(self.path, name)).open_index()

    def open_current(self):
        """Opens the live index, creating an empty first generation if there is none."""
        name = self.current_generation()
        if name is not None:
            try:
                return name, self.open_generation(name)
            except (EmptyIndexError, FileNotFoundError):
                logger.warning("Search index generation %s is missing; recreating it", name)
        with self._swap_lock(exclusive=True):
            name = self.current_generation()
            if name is not None:
                try:
                    return name, self.open_generation(name)
                except (EmptyIndexError, FileNotFoundError):
                    pass
            name = self._next_generation()
            index = self._create_generation(name)
            self._write_name(CURRENT, name)
            return name, index

    # Locks

    @contextmanager
    def _swap_lock(self, *, exclusive):
        os.makedirs(self.path, exist_ok=True)
        fd = os.open(os.path.join(self.path, SWAP_LOCK), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    # Reading

    def searcher_state(self) -> SearcherState:
        """The process's searcher on the live generation, refreshed if the index changed."""
        with _searchers_lock:
            state = _searchers.get(self.path)
            current = self.current_generation()
            if state is not None and state.generation == current and state.searcher.up_to_date():
                return state
            # A changed index gets a new searcher, not searcher.refresh(): refresh reuses the readers
            # of unchanged segments, which keep their old deletions (a re-saved item was found twice),
            # and closes the old searcher under any result still reading from it. The old one is
            # closed when nothing refers to it any more.
            name, index = self.open_current()
            _searcher_opens[self.path] = _searcher_opens.get(self.path, 0) + 1
            state = SearcherState(name, index, index.searcher())
            _searchers[self.path] = state
            return state

    def searcher(self):
        return self.searcher_state().searcher

    # Writing

    def _acquire_writer(self, index):
        """A Whoosh writer, waiting (bounded) for writers in other processes."""
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.005
        while True:
            try:
                return index.writer()
            except LockError:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"The search index at {self.path} stayed locked by another writer for {self.lock_timeout:g} s"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.02)

    def write(self, operations: list[tuple[str, object]]):
        """Applies ("update", fields) / ("delete", doc_id) operations to the live index.

        While a rebuild runs the same operations are journaled for it, so the new
        generation does not miss them.
        """
        if not operations:
            return
        # Create the first generation before taking the shared lock: creating it takes the
        # exclusive lock on another descriptor, which flock would wait for forever.
        self.open_current()
        with self._swap_lock(exclusive=False):
            index = self._open_live()
            writer = self._acquire_writer(index)
            try:
                apply_operations(writer, operations)
                # Journal before committing: a crash in between must not leave the
                # rebuild's generation without an update the live one has.
                building = self.building_generation()
                if building:
                    self._journal(building, operations)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    def _open_live(self):
        """The live generation, for a writer holding the shared lock.

        It never creates a generation, as ``open_current`` may: that takes the exclusive lock,
        which this process's own shared lock would block forever. Another writer's commit can
        remove the table of contents being read; reading again finds the new one.
        """
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return self.open_generation(self.current_generation())
            except (EmptyIndexError, FileNotFoundError):
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    def _journal(self, generation, operations):
        data = pickle.dumps(operations, protocol=pickle.HIGHEST_PROTOCOL)
        fd = os.open(
            os.path.join(self.path, f"{generation}.journal"),
            os.O_WRONLY | os.O_CREAT | os.O_APPEND,
            0o644,
        )
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, struct.pack(">I", len(data)) + data)
        finally:
            os.close(fd)

    def _read_journal(self, generation):
        try:
            with open(os.path.join(self.path, f"{generation}.journal"), "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return
        offset = 0
        while offset + 4 <= len(data):
            (size,) = struct.unpack(">I", data[offset : offset + 4])
            chunk = data[offset + 4 : offset + 4 + size]
            if len(chunk) < size:
                break  # a torn last record from a crashed writer
            yield from pickle.loads(chunk)
            offset += 4 + size

    def clear(self):
        """Empties the live index."""
        self.open_current()
        with self._swap_lock(exclusive=False):
            index = self.open_generation(self.current_generation())
            writer = self._acquire_writer(index)
            writer.commit(mergetype=CLEAR)

    # Rebuilding

    def start_build(self) -> "GenerationBuild":
        os.makedirs(self.path, exist_ok=True)
        self.open_current()  # make sure there is a live generation to keep serving
        name = self._next_generation()
        self._remove_leftovers(keep={self.current_generation()})
        index = self._create_generation(name)
        self._write_name(BUILDING, name)
        return GenerationBuild(self, name, index)

    def _remove_leftovers(self, keep):
        """Deletes generations and journals other than those in ``keep``.

        The generation that was live before a swap is kept until the next rebuild:
        other processes may still be reading it.
        """
        for name in self.generations():
            if name not in keep:
                shutil.rmtree(os.path.join(self.path, name), ignore_errors=True)
        for filename in os.listdir(self.path):
            if filename.endswith(".journal") and filename[: -len(".journal")] not in keep:
                try:
                    os.remove(os.path.join(self.path, filename))
                except FileNotFoundError:
                    pass

    def finish_build(self, build: "GenerationBuild"):
        with self._swap_lock(exclusive=True):
            previous = self.current_generation()
            if self.building_generation() != build.name:
                raise RuntimeError(f"The search index rebuild into {build.name} was superseded by another rebuild")
            operations = list(self._read_journal(build.name))
            if operations:
                writer = self._acquire_writer(build.index)
                apply_operations(writer, operations)
                writer.commit()
            self._write_name(CURRENT, build.name)
            os.remove(os.path.join(self.path, BUILDING))
        self._remove_leftovers(keep={build.name, previous})


class GenerationBuild:
    """A new generation being filled by a rebuild through one long-lived writer."""

    def __init__(self, store, name, index):
        self.store = store
        self.name = name
        self.index = index
        self.writer = index.writer(limitmb=256)
        self.seen = set()

    def add(self, documents):
        for fields in documents:
            doc_id = fields["doc_id"]
            if doc_id in self.seen:
                # The same object indexed twice (e.g. as parent and child model):
                # commit so the later version can replace the earlier one.
                self.writer.commit()
                self.writer = self.index.writer(limitmb=256)
                self.writer.update_document(**fields)
                continue
            self.seen.add(doc_id)
            self.writer.add_document(**fields)

    def finish(self):
        self.writer.commit()
        self.store.finish_build(self)


def apply_operations(writer, operations):
    # An index built before the ``words`` field keeps working until its next rebuild.
    has_words = "words" in writer.schema
    for action, payload in operations:
        if action == "update":
            if not has_words:
                payload = {name: value for name, value in payload.items() if name != "words"}
            writer.update_document(**payload)
        elif action == "delete":
            writer.delete_by_term("doc_id", payload)
        else:  # pragma: no cover
            raise ValueError(f"Unknown index operation {action!r}")
