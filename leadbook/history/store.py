"""The history database: one snapshot per store and as-of date (domain.md §10).

SQLAlchemy Core over one schema, for an SQLite file (the default,
``INBOX/leadbook-history.sqlite``) and for a PostgreSQL database named by URL
(a dealer group sharing one history). The schema carries its version in
``schema_version``; :data:`MIGRATIONS` brings any earlier version up to date,
from version 1 on, each step in the transaction that records it.

A lead is identified by a keyed hash of its normalised phone (HMAC-SHA256):
the history never holds a full phone number, only the hash and the masked
number for display. Where the key is kept:

- **SQLite file**: in a key file beside it (``<file>.key``, mode 0600). The
  history file is what gets copied, mailed and backed up; without the key a
  copy of it cannot be turned back into phone numbers (mobile numbers are few
  enough to hash them all, so an unkeyed or co-located key would protect
  nothing). Losing the key file loses the identities, which the run says.
- **Database URL**: in the database's own ``history_key`` table. A shared
  server has no "beside"; every store of the group must derive the same
  identities without a key file being handed round, and access to the key is
  the database's own access control (the table can be granted apart). A dump
  of the database is then as sensitive as the key.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hmac
import os
import secrets
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..texts import Value, Words, render
from .model import LeadState, RunFigures, Snapshot, TaskState
from .summary import HistoryWhy

SCHEMA_VERSION = 2
KEY_BYTES = 32
HASH_CHARS = 32  # hex digits of the HMAC kept: 128 bits, no collision among a store's leads
SQLITE_TIMEOUT_S = 60  # a writer waits this long for another run's transaction
PG_CONNECT_TIMEOUT_S = 10  # an unreachable server is a warning after this long, not a hang
PG_LOCK = 0x1EADB00C  # advisory lock id serialising schema changes on PostgreSQL


class HistoryError(Exception):
    """The history cannot be opened or used; ``why`` says why, in words."""

    def __init__(self, why: Words) -> None:
        super().__init__(why)
        self.why = why

    def __str__(self) -> str:
        return render(self.why, "zh")


metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied", sa.String(32), nullable=False),
)
history_key = sa.Table(
    "history_key", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key_hex", sa.String(2 * KEY_BYTES), nullable=False),
)
runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("store", sa.String(200), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("period_start", sa.Date),
    sa.Column("period_end", sa.Date),
    sa.Column("list_days", sa.Integer, nullable=False),
    sa.Column("leads", sa.Integer, nullable=False),
    sa.Column("due", sa.Integer, nullable=False),
    sa.Column("overdue", sa.Integer, nullable=False),
    sa.Column("traffic", sa.Float),
    sa.Column("kept", sa.Float),
    sa.Column("deals", sa.Float),
    sa.Column("cost_per_lead", sa.Float),
    sa.Column("lost_share", sa.Float),
    sa.Column("followthrough_listed", sa.Integer),
    sa.Column("followthrough_done", sa.Integer),
    sa.Column("followthrough_rate", sa.Float),
    sa.Column("figures", sa.Text),  # from schema version 2 on (see _migrate_to_2)
    sa.UniqueConstraint("store", "as_of", name="runs_store_as_of"),
)
leads = sa.Table(
    "leads", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("lead_key", sa.String(HASH_CHARS), primary_key=True),
    sa.Column("phone_masked", sa.String(40), nullable=False),
    sa.Column("consultant", sa.String(200), nullable=False),
    sa.Column("grade", sa.String(8), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    # day numbers: days since 1970-01-01 (leadbook.history.model)
    sa.Column("first_contact", sa.Integer),
    sa.Column("latest_contact", sa.Integer),
    sa.Column("next_contact", sa.Integer),
    sa.Column("next_due", sa.Integer),
    sa.Column("file", sa.String(500), nullable=False),
    sa.Column("sheet", sa.String(200), nullable=False),
    sa.Column("row", sa.Integer, nullable=False),
    # One B-tree, keyed by (run, lead), instead of a table and an index beside it.
    sqlite_with_rowid=False,
)
tasks = sa.Table(
    "tasks", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("lead_key", sa.String(HASH_CHARS), nullable=False),
    sa.Column("consultant", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("task", sa.String(40), nullable=False),
    sa.Column("due", sa.Integer, nullable=False),  # day number
    sa.Column("days_late", sa.Integer, nullable=False),
)

V1_TABLES = [schema_version, history_key, runs, leads, tasks]
READ_BATCH = 10_000  # rows fetched at a time from a snapshot table
# Values repeated row after row, made once each when read: text and day numbers.
SHARED_VALUES = frozenset({"consultant", "file", "sheet", "first_contact", "latest_contact",
                           "next_contact", "next_due", "due"})
# The snapshot tables' columns in the order of the value types' fields.
LEAD_FIELDS = ("lead_key", *LeadState._fields[1:])
TASK_FIELDS = ("lead_key", *TaskState._fields[1:])


def _migrate_to_1(conn: Connection) -> None:
    metadata.create_all(conn, tables=V1_TABLES)


def _migrate_to_2(conn: Connection) -> None:
    """Version 2: each run keeps its figures for the dealer group's roll-up
    (``leadbook rollup`` from a history). A history made from version 2 on has the
    column from its first step already."""
    if "figures" not in {c["name"] for c in sa.inspect(conn).get_columns("runs")}:
        conn.execute(sa.text("ALTER TABLE runs ADD COLUMN figures TEXT"))


# version → the step that brings the schema from version − 1 to it, in order.
MIGRATIONS: list[tuple[int, Any]] = [(1, _migrate_to_1), (2, _migrate_to_2)]


def is_url(location: str) -> bool:
    return "://" in location


def sqlite_file(location: str) -> Path | None:
    """The file of an SQLite history (a path or an ``sqlite:///`` URL), else None."""
    if not is_url(location):
        return Path(location)
    url = sa.engine.make_url(location)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database)
    return None


def _engine_url(location: str) -> sa.engine.URL:
    path = sqlite_file(location)
    if path is not None:
        return sa.engine.URL.create("sqlite", database=str(path))
    url = sa.engine.make_url(location)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3, the one installed
    return url


class HistoryStore:
    """An open history. Use :func:`open_history`; close with :meth:`close`."""

    def __init__(self, location: str, create: bool = True) -> None:
        self.location = location
        self.file = sqlite_file(location)
        if self.file is not None and not create and not self.file.is_file():
            raise HistoryError(HistoryWhy.NO_FILE(file=str(self.file)))
        try:
            self.engine = _make_engine(_engine_url(location))
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
            raise HistoryError(HistoryWhy.BAD_ADDRESS(location=_shown(location))) from exc
        self.sqlite = self.engine.dialect.name == "sqlite"
        if self.file is not None and create:
            self.file.parent.mkdir(parents=True, exist_ok=True)
        self._migrate(create)
        self.key = self._key(create)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema and key

    @contextlib.contextmanager
    def _write(self, lock: int = PG_LOCK) -> Iterator[Connection]:
        """One write transaction: BEGIN IMMEDIATE on SQLite, an advisory lock on
        PostgreSQL, so that concurrent runs queue instead of failing."""
        with self.engine.begin() as conn:
            if not self.sqlite:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})
            yield conn

    def _migrate(self, create: bool) -> None:
        with self._write() as conn:
            if not sa.inspect(conn).has_table("schema_version"):
                if not create:
                    raise HistoryError(HistoryWhy.EMPTY(location=_shown(self.location)))
                current = 0
            else:
                current = conn.execute(sa.select(sa.func.max(schema_version.c.version))
                                       ).scalar() or 0
            if current > SCHEMA_VERSION:
                raise HistoryError(HistoryWhy.NEWER(location=_shown(self.location),
                                                    found=current, known=SCHEMA_VERSION))
            for version, step in MIGRATIONS:
                if version > current:
                    step(conn)
                    conn.execute(schema_version.insert().values(
                        version=version, applied=dt.datetime.now(dt.timezone.utc).isoformat()))

    def _key(self, create: bool) -> bytes:
        if self.file is not None:
            return self._file_key(self.file.with_name(self.file.name + ".key"), create)
        with self._write() as conn:
            row = conn.execute(sa.select(history_key.c.key_hex)).first()
            if row is None:
                key = secrets.token_hex(KEY_BYTES)
                conn.execute(history_key.insert().values(id=1, key_hex=key))
                return bytes.fromhex(key)
            return bytes.fromhex(row[0])

    def _file_key(self, path: Path, create: bool) -> bytes:
        try:
            return bytes.fromhex(path.read_text(encoding="ascii").strip())
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            raise HistoryError(HistoryWhy.KEY_UNREADABLE(path=str(path))) from exc
        if not create or self.run_count() > 0:
            raise HistoryError(HistoryWhy.KEY_MISSING(path=str(path), file=str(self.file)))
        # Written under a temporary name and linked into place: of two runs creating
        # the history at once, one key wins and both use it.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(KEY_BYTES) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        return bytes.fromhex(path.read_text(encoding="ascii").strip())

    def lead_key(self, phone: str) -> str:
        """The lead's identity: HMAC-SHA256 of its normalised phone, in hex."""
        return hmac.digest(self.key, phone.encode(), "sha256").hex()[:HASH_CHARS]

    # -- reading

    def run_count(self, store: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(runs)
        if store is not None:
            query = query.where(runs.c.store == store)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def list_runs(self, store: str | None = None, before: dt.date | None = None,
             limit: int | None = None) -> list[RunFigures]:
        """The runs kept, oldest first; with ``before`` only those earlier than it,
        with ``limit`` only the latest that many of them."""
        query = sa.select(*[runs.c[f.name] for f in fields(RunFigures)])
        if store is not None:
            query = query.where(runs.c.store == store)
        if before is not None:
            query = query.where(runs.c.as_of < before)
        query = query.order_by(runs.c.store, runs.c.as_of.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            found = [RunFigures(**row._mapping) for row in conn.execute(query)]
        return sorted(found, key=lambda r: (r.store, r.as_of))

    def latest_runs(self) -> list[RunFigures]:
        """Each store's latest run, by store name."""
        newest = (sa.select(runs.c.store, sa.func.max(runs.c.as_of).label("as_of"))
                  .group_by(runs.c.store).subquery())
        query = (sa.select(*[runs.c[f.name] for f in fields(RunFigures)])
                 .join(newest, sa.and_(runs.c.store == newest.c.store,
                                       runs.c.as_of == newest.c.as_of))
                 .order_by(runs.c.store))
        with self.engine.connect() as conn:
            return [RunFigures(**row._mapping) for row in conn.execute(query)]

    def snapshot(self, store: str, as_of: dt.date) -> Snapshot | None:
        """The snapshot of one run, or None when there is none."""
        with self.reading(store, as_of) as found:
            if found is None:
                return None
            run, listed, rows = found
            return Snapshot(run, {s.key: s for s in rows}, listed)

    @contextlib.contextmanager
    def reading(self, store: str, as_of: dt.date) -> Iterator[
            tuple[RunFigures, list[TaskState], Iterator[LeadState]] | None]:
        """One run's figures, its tasks and its leads as a stream (None: no such run).

        A run compares its leads with the previous run's one by one and keeps
        only those it reports on: at 100,000 leads that is some 40 MB less than
        holding the whole earlier snapshot."""
        cols = [runs.c.id, *[runs.c[f.name] for f in fields(RunFigures)]]
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*cols).where(runs.c.store == store,
                                                      runs.c.as_of == as_of)).first()
            if row is None:
                yield None
                return
            values = dict(row._mapping)
            run_id = values.pop("id")
            make_lead, make_task = LeadState._make, TaskState._make
            listed = [make_task(r) for r in self._rows(conn, tasks, TASK_FIELDS, run_id)]
            rows = (make_lead(r) for r in self._rows(conn, leads, LEAD_FIELDS, run_id))
            yield RunFigures(**values), listed, rows

    def _rows(self, conn: Connection, table: sa.Table, names: Sequence[str],
              run_id: int) -> Iterator[tuple[Any, ...]]:
        """A snapshot table's rows as plain tuples in ``names`` order, read by the driver
        itself: SQLAlchemy's result rows cost 0.7 s at 100,000 leads, the driver 0.1 s.
        The values repeated row after row (consultant, file, sheet, day numbers) are
        made once per distinct value and shared: some 30 MB less at 100,000 leads."""
        columns = ", ".join(f'"{n}"' for n in names)
        mark = "?" if self.sqlite else "%s"
        shared = [i for i, n in enumerate(names) if n in SHARED_VALUES]
        seen: dict[Any, Any] = {}
        cursor = _driver(conn).cursor()
        try:
            cursor.execute(f"SELECT {columns} FROM {table.name} WHERE run_id = {mark}",
                           (run_id,))
            while batch := cursor.fetchmany(READ_BATCH):
                for r in batch:
                    values = list(r)
                    for i in shared:
                        values[i] = seen.setdefault(values[i], values[i])
                    yield tuple(values)
        finally:
            cursor.close()

    # -- writing

    def save(self, snap: Snapshot) -> None:
        """Keep ``snap``, replacing the store's run of that as-of date, in one transaction."""
        run = snap.run
        lock = zlib.crc32(run.store.encode())
        with self._write(lock) as conn:
            old = conn.execute(sa.select(runs.c.id).where(
                runs.c.store == run.store, runs.c.as_of == run.as_of)).scalar()
            if old is not None:
                conn.execute(tasks.delete().where(tasks.c.run_id == old))
                conn.execute(leads.delete().where(leads.c.run_id == old))
                conn.execute(runs.delete().where(runs.c.id == old))
            values = {f.name: getattr(run, f.name) for f in fields(RunFigures)}
            key = conn.execute(runs.insert().values(**values)).inserted_primary_key
            assert key is not None
            run_id = key[0]
            # in key order: the primary key's B-tree is then appended to, not split
            # all over (0.2 s less at 100,000 leads on SQLite)
            self._bulk(conn, leads, LEAD_FIELDS, run_id,
                       [snap.leads[k] for k in sorted(snap.leads)])
            self._bulk(conn, tasks, TASK_FIELDS, run_id, snap.tasks)

    def _bulk(self, conn: Connection, table: sa.Table, names: Sequence[str], run_id: int,
              items: Iterable[tuple[Any, ...]]) -> None:
        """Rows (LeadState / TaskState tuples, in ``names`` order) straight to the
        driver, streamed: SQLite's executemany, PostgreSQL's COPY. SQLAlchemy's
        per-row parameter processing cost 1.5 s for 100,000 leads
        (bench/history_cost.py); this is a fraction of it."""
        columns = ", ".join(f'"{c}"' for c in ("run_id", *names))
        rows = ((run_id, *item) for item in items)
        cursor = _driver(conn).cursor()
        try:
            if self.sqlite:
                marks = ", ".join("?" * (len(names) + 1))
                cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})",
                                   rows)
            else:
                with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        finally:
            cursor.close()

    def table_names(self) -> Sequence[str]:
        return sa.inspect(self.engine).get_table_names()


def _driver(conn: Connection) -> Any:
    """The DB-API connection under SQLAlchemy's (sqlite3's or psycopg's)."""
    raw = conn.connection.driver_connection
    if raw is None:  # pragma: no cover - an open connection always has one
        raise HistoryError(HistoryWhy.CLOSED)
    return raw


def _make_engine(url: sa.engine.URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S})
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_TIMEOUT_S},
                              poolclass=sa.pool.NullPool)

    # pysqlite's own transaction handling begins late and deferred; two writers
    # would then both read, and one fail on upgrading its lock. BEGIN IMMEDIATE
    # takes the write lock first, so a second writer waits (SQLAlchemy's recipe).
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA foreign_keys = ON")
        # The snapshot is one transaction: a power cut loses at most it, never the
        # file (SQLite's NORMAL); FULL would sync the journal at every page flush.
        dbapi_conn.execute("PRAGMA synchronous = NORMAL")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _shown(location: str) -> Value:
    """The location without a password, for messages."""
    if not is_url(location):
        return location
    try:
        return sa.engine.make_url(location).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return HistoryWhy.UNREADABLE_ADDRESS


def open_history(location: str, create: bool = True) -> HistoryStore:
    """Open (and with ``create`` make) the history at a path or URL.

    Every failure — no such server, no permission, a damaged file, a missing
    key file — is a :class:`HistoryError` in words; the library's text is in
    its ``__cause__`` for the log.
    """
    try:
        return HistoryStore(location, create)
    except HistoryError:
        raise
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        raise HistoryError(HistoryWhy.CANNOT_OPEN(location=_shown(location),
                                                  reason=reason_of(exc))) from exc


# Why a history file could not be used, by the system's error number.
_OS_WHY = {errno.EACCES: HistoryWhy.NOT_ALLOWED, errno.EPERM: HistoryWhy.NOT_ALLOWED,
           errno.ENOENT: HistoryWhy.GONE, errno.ENOTDIR: HistoryWhy.GONE,
           errno.ENOSPC: HistoryWhy.NO_SPACE, errno.EROFS: HistoryWhy.READ_ONLY}


def reason_of(exc: BaseException) -> Words:
    """A short reason without the library's full text (that goes to the -v log)."""
    if isinstance(exc, sa.exc.DBAPIError):  # no server, no database, a damaged file
        return HistoryWhy.NO_CONNECTION
    if isinstance(exc, OSError) and exc.errno in _OS_WHY:
        return _OS_WHY[exc.errno]
    return HistoryWhy.FAILED(what=type(exc).__name__)
