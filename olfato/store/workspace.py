"""Where a case store lives: the workspace folder and the database it uses.

The workspace (``--workspace``, else ``$OLFATO_WORKSPACE``, else ``./.olfato``) holds
the survey Parquet files, the products, the signing key and, by default, the SQLite
database ``case.db``. ``$OLFATO_DATABASE_URL`` points at another database instead,
e.g. ``postgresql+psycopg://user@host/olfato`` for a team.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from olfato import __version__

DEFAULT_WORKSPACE = Path(".olfato")
#: the workspace and its folders: owner only (the case database holds internal notes)
DIR_MODE = 0o700
#: every file in the workspace: owner read/write only
FILE_MODE = 0o600
#: temporary files a killed writer leaves behind (survey Parquet, packages)
TEMP_SUFFIXES = (".parquet.tmp", ".zip.tmp")
#: a temporary file untouched this long belongs to no running writer [s]
ORPHAN_AGE_S = 600.0


@dataclass(frozen=True)
class Workspace:
    """A workspace folder and the database URL of its store.

    Attributes
    ----------
    root : pathlib.Path
        The workspace folder (absolute).
    database_url : str
        SQLAlchemy URL of its store.
    """

    root: Path
    database_url: str

    @classmethod
    def locate(cls, root: Path | str | None = None, database_url: str | None = None) -> Workspace:
        """The workspace named by the argument, the environment, or the default.

        Parameters
        ----------
        root : pathlib.Path or str, optional
            Workspace folder; ``$OLFATO_WORKSPACE`` or ``./.olfato`` when None.
        database_url : str, optional
            Database URL; ``$OLFATO_DATABASE_URL`` or the folder's ``case.db`` (SQLite)
            when None.

        Returns
        -------
        Workspace
            The workspace, its folder made absolute (not created).
        """
        folder = Path(root or os.environ.get("OLFATO_WORKSPACE") or DEFAULT_WORKSPACE)
        url = database_url or os.environ.get("OLFATO_DATABASE_URL") or ""
        if not url:
            url = f"sqlite:///{(folder / 'case.db').resolve()}"
        return cls(folder.resolve(), url)

    @property
    def surveys_dir(self) -> Path:
        return self.root / "surveys"

    @property
    def products_dir(self) -> Path:
        return self.root / "products"

    @property
    def keys_dir(self) -> Path:
        return self.root / "keys"

    def secure(self) -> list[Path]:
        """Create the workspace owner-only, tighten what is there, clean up orphans.

        The folder and its ``surveys``/``products``/``keys`` folders get mode 0700, every
        file 0600 (the public key excepted), the SQLite database is created 0600 before
        SQLite opens it, and temporary files older than ``ORPHAN_AGE_S`` (left by a
        writer that was killed) are removed.

        Returns
        -------
        list of Path
            The orphan temporary files removed.
        """
        removed: list[Path] = []
        now = time.time()
        for folder in (self.root, self.surveys_dir, self.products_dir, self.keys_dir):
            folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        for top, dirs, files in os.walk(self.root):
            here = Path(top)
            _chmod(here, DIR_MODE)
            for d in dirs:
                _chmod(here / d, DIR_MODE)
            for f in files:
                path = here / f
                if f.endswith(TEMP_SUFFIXES):
                    try:
                        if now - path.stat().st_mtime > ORPHAN_AGE_S:
                            path.unlink()
                            removed.append(path)
                            continue
                    except FileNotFoundError:  # its writer finished meanwhile
                        continue
                if not f.endswith(".pub.pem"):
                    _chmod(path, FILE_MODE)
        if self.database_url.startswith("sqlite:///"):
            db = Path(self.database_url[len("sqlite:///") :])
            if db.parent == self.root and not db.exists():
                os.close(os.open(db, os.O_WRONLY | os.O_CREAT, FILE_MODE))
        return removed

    def resolve(self, stored: str) -> Path:
        """A path as stored (relative to the workspace, or absolute) as a real path.

        Parameters
        ----------
        stored : str
            Path as recorded in the store.

        Returns
        -------
        pathlib.Path
            The path on this machine.
        """
        p = Path(stored)
        return p if p.is_absolute() else self.root / p

    def relative(self, path: Path) -> str:
        """``path`` relative to the workspace when inside it, else absolute.

        Parameters
        ----------
        path : pathlib.Path
            A file path.

        Returns
        -------
        str
            The path to record in the store.
        """
        path = path.resolve()
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def _chmod(path: Path, mode: int) -> None:
    """Set ``path``'s permission bits to ``mode`` when they differ (and we may)."""
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except (FileNotFoundError, PermissionError):  # gone, or someone else's file
        pass


def sha256_file(path: Path | str) -> str:
    """The SHA-256 of a file's bytes, hex.

    Parameters
    ----------
    path : pathlib.Path or str
        The file, read in 1 MiB blocks.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


#: the signed-in user a server request or job acts for (see :func:`acting_as`)
_ACTING: ContextVar[str | None] = ContextVar("olfato_acting", default=None)


@contextmanager
def acting_as(name: str) -> Iterator[None]:
    """Within the block, :func:`actor` is ``name`` (the server's signed-in user).

    Parameters
    ----------
    name : str
        The account acting (recorded in runs, products and the audit trail).

    Yields
    ------
    None
        Inside the block the actor is ``name``; it is restored after.
    """
    token = _ACTING.set(name)
    try:
        yield
    finally:
        _ACTING.reset(token)


def actor() -> str:
    """Who is acting: the server's signed-in user, else ``$OLFATO_ANALYST``, else the login.

    Returns
    -------
    str
        The user's name, or ``unknown`` where no login name exists.
    """
    name = _ACTING.get() or os.environ.get("OLFATO_ANALYST")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


@lru_cache(maxsize=1)
def code_version() -> str:
    """olfato's version, with the git commit (``+dirty`` when modified) in a source checkout.

    Returns
    -------
    str
        ``olfato.__version__``, or ``VERSION+gCOMMIT`` (``.dirty`` appended) in a git
        checkout.
    """
    here = Path(__file__).resolve().parents[2]
    if not (here / ".git").exists():
        return __version__
    try:
        commit = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{commit}{'.dirty' if dirty else ''}"
