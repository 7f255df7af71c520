"""The chemical signature library: what each kind of emitter looks like.

A signature is the expected ENHANCEMENT above background per gas channel as a molar
ratio to its reference channel (ppb of that gas per ppb of the reference), with a
log-normal ``spread`` [-] for how much real sites scatter around those ratios. The
default library ships in ``olfato/data/signatures/default.yaml``; a user file can
replace it or add to it. The YAML format::

    version: 1
    signatures:
      clandestine_lab:
        category: suspect          # suspect | benign
        reference: acetone         # an analyte olfato knows, with ratio 1
        ratios: {acetone: 1.0, voc: 2.2, toluene: 0.35}
        spread: 0.4                # log-normal sigma of each ratio between sites
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from olfato.errors import OlfatoError
from olfato.physics.analytes import KNOWN_ANALYTES

SCHEMA_VERSION = 1


class Signature(BaseModel):
    """One kind of emitter: category, reference analyte, molar ratios, spread.

    Attributes
    ----------
    name : str
        Key of the signature in its library (``clandestine_lab``).
    category : {"suspect", "benign"}
        Whether a match points to a suspect site.
    reference : str
        Analyte whose ratio is 1; the others are molar ratios to it [ppb/ppb].
    ratios : dict of str to float
        Analyte -> expected enhancement per unit enhancement of ``reference`` [-].
    spread : float
        Log-normal sigma of each ratio between sites [-], in [0, 3].
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    category: Literal["suspect", "benign"]
    reference: str
    ratios: dict[str, float] = Field(min_length=1)
    spread: float = Field(ge=0.0, le=3.0)

    @field_validator("ratios")
    @classmethod
    def _ratios_known_positive(cls, v: dict[str, float]) -> dict[str, float]:
        out = {}
        for analyte, r in v.items():
            a = analyte.lower()
            if a not in KNOWN_ANALYTES:
                raise ValueError(
                    f"unknown analyte '{analyte}' (known: {', '.join(sorted(KNOWN_ANALYTES))})"
                )
            if not r > 0:
                raise ValueError(f"ratio of '{analyte}' must be > 0, got {r}")
            out[a] = float(r)
        return out

    @model_validator(mode="after")
    def _reference_in_ratios(self) -> Signature:
        ref = self.reference.lower()
        if ref not in self.ratios:
            raise ValueError(f"reference analyte '{self.reference}' is not among its ratios")
        if abs(self.ratios[ref] - 1.0) > 1e-9:
            raise ValueError(
                f"the reference analyte '{ref}' must have ratio 1, got {self.ratios[ref]}"
            )
        object.__setattr__(self, "reference", ref)
        return self

    @property
    def suspect(self) -> bool:
        return self.category == "suspect"

    @property
    def analytes(self) -> list[str]:
        return list(self.ratios)


class _LibraryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1]
    signatures: dict[str, Signature] = Field(min_length=1)


class SignatureLibrary(BaseModel):
    """Signatures by name, with the file(s) they came from."""

    model_config = ConfigDict(frozen=True)

    signatures: dict[str, Signature]
    sources: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Signature:
        try:
            return self.signatures[name]
        except KeyError:
            raise OlfatoError(
                f"unknown signature '{name}'; the library ({', '.join(self.sources)}) has: "
                f"{', '.join(sorted(self.signatures))}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self.signatures

    def __len__(self) -> int:
        return len(self.signatures)

    @property
    def names(self) -> list[str]:
        return list(self.signatures)

    def by_category(self, category: str) -> list[Signature]:
        """The signatures of one category.

        Parameters
        ----------
        category : {"suspect", "benign"}
            Category to select.

        Returns
        -------
        list of Signature
            Those signatures, in library order (empty when none).
        """
        return [s for s in self.signatures.values() if s.category == category]


def default_path() -> Path:
    """Path of the shipped default library.

    Returns
    -------
    pathlib.Path
        ``olfato/data/signatures/default.yaml`` inside the installed package.
    """
    return Path(str(files("olfato") / "data" / "signatures" / "default.yaml"))


def _read(path: Path) -> dict[str, Signature]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OlfatoError(
            f"{path}: cannot read the signature library: {exc.strerror or exc}"
        ) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OlfatoError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise OlfatoError(
            f"{path}: a signature library is a mapping with 'version: 1' and 'signatures:'",
        )
    try:
        parsed = _LibraryFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        where = f"signature '{loc[1]}', " if len(loc) > 1 and loc[0] == "signatures" else ""
        field = ".".join(str(p) for p in loc)
        raise OlfatoError(
            f"{path}: {where}field '{field}': {err['msg']}"
            + (f" ({len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""),
        ) from None
    return {n: s.model_copy(update={"name": n}) for n, s in parsed.signatures.items()}


def load_signatures(
    path: str | Path | None = None, extra: str | Path | None = None
) -> SignatureLibrary:
    """Load the signature library.

    ``path``: a library file that REPLACES the default; None for the shipped default.
    ``extra``: a library file whose signatures are ADDED to it, replacing those of
    the same name. Bad files raise :class:`OlfatoError` naming file, signature and field.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Library file (YAML, ``version: 1``) replacing the shipped default.
    extra : str or pathlib.Path, optional
        Library file whose signatures are added, replacing those of the same name.

    Returns
    -------
    SignatureLibrary
        The signatures by name, with ``sources`` listing the files read.

    Raises
    ------
    OlfatoError
        A file that cannot be read, is not YAML, or fails validation (unknown
        analyte, ratio not > 0, reference without ratio 1, ...).
    """
    base = Path(path) if path is not None else default_path()
    sigs = _read(base)
    sources = [str(base)]
    if extra is not None:
        sigs.update(_read(Path(extra)))
        sources.append(str(extra))
    return SignatureLibrary(signatures=sigs, sources=tuple(sources))
