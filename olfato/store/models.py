"""The case store's tables (SQLAlchemy 2 ORM), the same on SQLite and PostgreSQL.

A *case* holds *surveys* (the samples stay in Parquet files the store points to,
with their SHA-256) and *videos*, every stage *run* made in it (any stage: detect,
locate, plan, video, network...; a new version each time, never an overwrite, with
its parameters, code version, inputs' checksums, and its state: done or failed with
the error), the *hits* and *sources* each run found, the *observations* a video run
made (footprints, tracks, activity), the *entities* and *links* of the case's network,
flight *plans*, analyst *notes*, the *products* made from them (reports, exports,
partner packages, with checksums and the partners they are releasable to) and an
*audit* trail of who did what when.

The store only persists: what to compute and how to turn a stage's result into rows
is :mod:`olfato.casework`'s business.

The migrations in :mod:`olfato.store.migrations` create exactly these tables; a test
checks the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: constraint names the same on every database, so migrations can refer to them
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the default of every timestamp column).

    Returns
    -------
    datetime.datetime
        Now, with ``tzinfo=UTC``.
    """
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Case(Base):
    """An investigation: a name analysts use on the command line."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))

    surveys: Mapped[list[Survey]] = relationship(back_populates="case", order_by="Survey.id")
    notes: Mapped[list[Note]] = relationship(back_populates="case", order_by="Note.id")
    products: Mapped[list[Product]] = relationship(back_populates="case", order_by="Product.id")


class Survey(Base):
    """One flight added to a case; its samples live in ``parquet_path`` (workspace-relative)."""

    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("case_id", "input_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    input_path: Mapped[str] = mapped_column(Text)
    input_sha256: Mapped[str] = mapped_column(String(64))
    parquet_path: Mapped[str] = mapped_column(Text)
    parquet_sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(50))
    n_samples: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[float] = mapped_column(Float)
    end_time: Mapped[float] = mapped_column(Float)
    channels: Mapped[dict[str, Any]] = mapped_column(JSON)
    lat0: Mapped[float] = mapped_column(Float)
    lon0: Mapped[float] = mapped_column(Float)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    added_by: Mapped[str] = mapped_column(String(200))

    case: Mapped[Case] = relationship(back_populates="surveys")
    runs: Mapped[list[Run]] = relationship(back_populates="survey", order_by="Run.id")


#: the states a run is recorded in
RUN_STATES = ("done", "failed")


class Run(Base):
    """One run of a stage on a subject: version N of that stage on that subject.

    ``subject`` names what the run was made on, e.g. ``survey:12``, ``video:3`` or
    ``case`` (a network analysis of the whole case); ``survey_id`` is set for runs on
    a survey. ``input_key`` is a digest of the stage, its inputs' checksums and its
    parameters, so a batch can tell that the same work was already recorded.
    """

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("case_id", "stage", "subject", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    survey_id: Mapped[int | None] = mapped_column(
        ForeignKey("surveys.id"), index=True, nullable=True
    )
    stage: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="done")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    input_key: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    code_version: Mapped[str] = mapped_column(String(200))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the posterior raster of a locate run (NumPy .npz: east, north, density)
    raster_npz: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))

    survey: Mapped[Survey | None] = relationship(back_populates="runs")
    hits: Mapped[list[Hit]] = relationship(back_populates="run", order_by="Hit.number")
    sources: Mapped[list[Source]] = relationship(back_populates="run", order_by="Source.id")
    observations: Mapped[list[Observation]] = relationship(
        back_populates="run", order_by="Observation.id"
    )


class Hit(Base):
    """One plume crossing found by a detect run."""

    __tablename__ = "hits"
    __table_args__ = (UniqueConstraint("run_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[float] = mapped_column(Float)
    end_time: Mapped[float] = mapped_column(Float)
    peak_time: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    snr: Mapped[float] = mapped_column(Float)
    signature: Mapped[str] = mapped_column(String(200))
    suspect: Mapped[bool] = mapped_column(Boolean)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON)

    run: Mapped[Run] = relationship(back_populates="hits")


class Source(Base):
    """One finding of a locate run (the Sources GeoJSON contract's fields).

    ``kind`` is ``source`` (located: position, 95 % region, rate) or ``detection`` (a
    plume seen but not located: a bearing and wedge, no region, no rate, never
    suspect). ``properties`` keeps the whole GeoJSON properties as written.
    """

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("run_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    label: Mapped[str] = mapped_column(String(50))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    east_m: Mapped[float] = mapped_column(Float)
    north_m: Mapped[float] = mapped_column(Float)
    height_m: Mapped[float] = mapped_column(Float)
    analyte: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20), default="source")
    rate_g_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    rate_lo_g_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    rate_hi_g_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    semi_major_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    semi_minor_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    azimuth_deg: Mapped[float | None] = mapped_column(Float, nullable=True)
    bearing_deg: Mapped[float | None] = mapped_column(Float, nullable=True)
    wedge_deg: Mapped[float | None] = mapped_column(Float, nullable=True)
    signature: Mapped[str] = mapped_column(String(200))
    signature_probabilities: Mapped[dict[str, Any]] = mapped_column(JSON)
    suspect: Mapped[bool] = mapped_column(Boolean)
    probability_exists: Mapped[float | None] = mapped_column(Float, nullable=True)
    hit_numbers: Mapped[list[Any]] = mapped_column(JSON)
    crlb_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    run: Mapped[Run] = relationship(back_populates="sources")

    @property
    def n_hits(self) -> int:
        return len(self.hit_numbers)

    @property
    def p_suspect(self) -> float | None:
        """Posterior probability [-] of a suspect signature, as locate wrote it in the
        Sources GeoJSON (kept in ``properties``); None for a run recorded without it."""
        value = (self.properties or {}).get("p_suspect")
        return None if value is None else float(value)

    @property
    def located(self) -> bool:
        """True for a located source (a 95 % region and a rate), False for a detection."""
        return self.kind == "source" and self.semi_major_m is not None

    @property
    def region(self) -> tuple[float, float, float]:
        """The 95 % ellipse: semi-major [m], semi-minor [m], azimuth [deg from north]."""
        if self.semi_major_m is None or self.semi_minor_m is None or self.azimuth_deg is None:
            raise ValueError(f"{self.label} is a detection: it has no 95 % region")
        return self.semi_major_m, self.semi_minor_m, self.azimuth_deg

    @property
    def rate(self) -> tuple[float, float, float]:
        """The emission rate and its 95 % interval [g/s]."""
        if self.rate_g_s is None or self.rate_lo_g_s is None or self.rate_hi_g_s is None:
            raise ValueError(f"{self.label} is a detection: it has no rate")
        return self.rate_g_s, self.rate_lo_g_s, self.rate_hi_g_s


class Plan(Base):
    """A next-flight plan file attached to a case (the file stays where it is, checksummed)."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"), nullable=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True, index=True)
    format: Mapped[str] = mapped_column(String(20), default="plan")
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class Video(Base):
    """A full-motion video added to a case (the file stays where it is, checksummed)."""

    __tablename__ = "videos"
    __table_args__ = (UniqueConstraint("case_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    input_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(50))
    #: seconds since the Unix epoch (UTC), when the video's metadata gives them
    start_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    end_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    n_frames: Mapped[int] = mapped_column(Integer, default=0)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    added_by: Mapped[str] = mapped_column(String(200))


class Observation(Base):
    """Something a run saw at a place and time: a frame footprint, a track, activity.

    ``geometry`` is a GeoJSON geometry in WGS84; ``lat``/``lon`` a representative point
    for queries; times are seconds since the Unix epoch (UTC).
    """

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    start_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    end_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    run: Mapped[Run] = relationship(back_populates="observations")


class Entity(Base):
    """A node of the case's network: a person, phone, vehicle, company, place, event...

    ``key`` is the entity's id in the records it came from (a phone number, a plate),
    unique within the case. ``personal`` marks personal data (every person): it never
    leaves in a partner package unless ``released``.
    """

    __tablename__ = "entities"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    key: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(500), default="")
    personal: Mapped[bool] = mapped_column(Boolean, default=False)
    released: Mapped[bool] = mapped_column(Boolean, default=False)
    provenance: Mapped[str] = mapped_column(String(500), default="")
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class Link(Base):
    """A typed, dated, sourced tie between two entities: a call, a transfer, ownership...

    Times are seconds since the Unix epoch (UTC); ``provenance`` says which record it
    came from (file and line, a video run, a source of a locate run).
    """

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    type: Mapped[str] = mapped_column(String(50))
    directed: Mapped[bool] = mapped_column(Boolean, default=False)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    start_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    end_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    provenance: Mapped[str] = mapped_column(String(500), default="")
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True)


class Note(Base):
    """An analyst's free-text note; ``internal`` notes never leave the agency."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="notes")


class Product(Base):
    """A file made from the case: a report, an export or a partner package."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("case_id", "kind", "lang", "format", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    lang: Mapped[str] = mapped_column(String(8), default="")
    format: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    releasable_to: Mapped[list[Any]] = mapped_column(JSON, default=list)
    run_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))

    case: Mapped[Case] = relationship(back_populates="products")


class AuditEvent(Base):
    """Who did what when: one row per change to the store, written in the same transaction."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# -- the team server: accounts, sessions and background jobs (issue 15) -------------------
#: the roles an account can have (olfato.store.accounts describes what each may do)
ROLES = ("analyst", "supervisor", "partner", "admin")
#: the states of a background job
JOB_STATES = ("queued", "running", "done", "failed")


class User(Base):
    """A person who signs in to the server: a role, and for a partner the partner's code."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    partner: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: argon2id hash (PHC string) of the password
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class BrowserSession(Base):
    """A signed-in browser: the cookie holds an opaque id, the store its SHA-256."""

    __tablename__ = "browser_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    session_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginAttempt(Base):
    """One sign-in attempt, kept to rate-limit guessing (by account name and by address)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    success: Mapped[bool] = mapped_column(Boolean)


class Job(Base):
    """Work the server runs in the background (e.g. analyse an uploaded survey)."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(50))
    state: Mapped[str] = mapped_column(String(20), default="queued")
    #: fraction done, 0 to 1
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: what the job made, e.g. {"survey_id": 3, "run_ids": [7, 8]}
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
