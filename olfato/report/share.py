"""The partner package: a case's products releasable to one partner, signed.

``build_package`` puts into one zip only the newest products marked releasable to
the partner (reports rendered for release, which leave internal notes out, and
exports), after checking each file still has the SHA-256 the store recorded. The
zip holds ``manifest.json`` (case, partner, who, when, olfato version, the caveat
and every file's path, size and SHA-256) and ``manifest.sig``, an Ed25519 signature
of the manifest's exact bytes by the workspace's signing key (RFC 8032, with the
``cryptography`` package).

``verify_package`` checks the signature against a key the verifier trusts (the
producer's public key, exported with ``olfato share key``; compare its fingerprint
by another channel), then every file's size and SHA-256, and that the zip holds
nothing the manifest does not list. Any change to a file, to the manifest or to the
file list fails verification. The zip is checked before anything is unpacked: no
two members of one name (a zip tool would extract the other), no encryption, only
stored or deflated members, a manifest and signature of bounded size, and every
member's declared size equal to the signed one; members are hashed as they are
unpacked, so a "zip bomb" never fills memory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from olfato import CAVEAT, __version__
from olfato.errors import OlfatoError
from olfato.report.products import check_partners, record_products
from olfato.store import models as m
from olfato.store.cases import load_case
from olfato.store.db import Store
from olfato.store.workspace import Workspace, actor, sha256_file

FORMAT = "olfato-partner-package/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PRIVATE_KEY = "signing-ed25519.pem"
PUBLIC_KEY = "signing-ed25519.pub.pem"


class PackageError(OlfatoError):
    """A partner package that cannot be made, or that fails verification."""


# -- keys ------------------------------------------------------------------------------
def signing_key(workspace: Workspace) -> Ed25519PrivateKey:
    """The workspace's Ed25519 signing key, created (mode 0600) on first use.

    The public key is written beside it (``signing-ed25519.pub.pem``).

    Parameters
    ----------
    workspace : Workspace
        The workspace; the keys live in its ``keys/`` folder.

    Returns
    -------
    cryptography.hazmat.primitives.asymmetric.ed25519.Ed25519PrivateKey
        The signing key.

    Raises
    ------
    PackageError
        The key file exists but is not a readable PEM Ed25519 private key.
    """
    folder = workspace.keys_dir
    path = folder / PRIVATE_KEY
    if path.exists():
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise PackageError(f"The signing key {path} is not a readable PEM key: {exc}") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise PackageError(f"The signing key {path} is not an Ed25519 key.")
        return key
    folder.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    (folder / PUBLIC_KEY).write_bytes(public_pem(key.public_key()))
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    """A public key as PEM (SubjectPublicKeyInfo).

    Parameters
    ----------
    key : Ed25519PublicKey
        The public key.

    Returns
    -------
    bytes
        The PEM text.
    """
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, hex: what people compare by phone.

    Parameters
    ----------
    key : Ed25519PublicKey
        The public key.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def export_public_key(workspace: Workspace) -> Path:
    """The path of the workspace's public key file (creating the key pair if needed).

    Parameters
    ----------
    workspace : Workspace
        The workspace; the keys live in its ``keys/`` folder.

    Returns
    -------
    pathlib.Path
        ``keys/signing-ed25519.pub.pem``.

    Raises
    ------
    PackageError
        An existing signing key is unreadable.
    """
    signing_key(workspace)
    return workspace.keys_dir / PUBLIC_KEY


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A trusted public key from a PEM file.

    Parameters
    ----------
    path : pathlib.Path
        PEM file of an Ed25519 public key (as ``olfato share key`` exports it).

    Returns
    -------
    Ed25519PublicKey
        The key.

    Raises
    ------
    PackageError
        The file is missing, not PEM, or not an Ed25519 key.
    """
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except FileNotFoundError as exc:
        raise PackageError(f"The key file {path} does not exist.") from exc
    except (ValueError, TypeError) as exc:
        raise PackageError(f"{path} is not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise PackageError(f"{path} is not an Ed25519 public key.")
    return key


# -- building --------------------------------------------------------------------------
def releasable_products(store: Store, case_name: str, partner: str) -> list[m.Product]:
    """The newest product of each kind, language and format releasable to ``partner``.

    Packages themselves are left out.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    partner : str
        Partner code, upper case (``MX``).

    Returns
    -------
    list of olfato.store.models.Product
        Sorted by kind, language and format.
    """
    view = load_case(store, case_name)
    newest: dict[tuple[str, str, str], m.Product] = {}
    for p in view.products:
        if p.kind == "package" or partner not in (p.releasable_to or []):
            continue
        k = (p.kind, p.lang, p.format)
        if k not in newest or p.version > newest[k].version:
            newest[k] = p
    return sorted(newest.values(), key=lambda p: (p.kind, p.lang, p.format))


def build_package(store: Store, case_name: str, partner: str, out: Path) -> m.Product:
    """Write the signed package of ``case_name``'s products releasable to ``partner``.

    The package is recorded as a product of kind ``package`` releasable to the partner.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    partner : str
        One partner code (``MX``, ``CO-FGN``).
    out : pathlib.Path
        The zip file to write; it must not exist.

    Returns
    -------
    olfato.store.models.Product
        The package's product row.

    Raises
    ------
    PackageError
        Not exactly one partner code (``parameter="releasable_to"``), nothing
        releasable to it, ``out`` exists, or a product is missing, changed since it
        was made, or includes internal notes; nothing is written then.
    """
    codes = check_partners([partner])
    if len(codes) != 1:
        raise PackageError("Give exactly one partner code, e.g. MX.", parameter="releasable_to")
    code = codes[0]
    products = releasable_products(store, case_name, code)
    if not products:
        raise PackageError(
            f"No product of case {case_name} is marked releasable to {code}; nothing to share.",
            hint=f"Make some with `olfato report {case_name} --releasable-to {code}`.",
        )
    out = Path(out)
    if out.exists():
        raise PackageError(f"{out} already exists; olfato never overwrites a product.")
    files: list[dict[str, Any]] = []
    sources: list[tuple[str, Path]] = []
    for p in products:
        path = store.workspace.resolve(p.path)
        if not path.exists():
            raise PackageError(f"Product {p.id} ({path}) is missing; nothing was packaged.")
        digest = sha256_file(path)
        if digest != p.sha256:
            raise PackageError(
                f"Product {p.id} ({path}) has changed since it was made (SHA-256 {digest[:12]}..."
                f", recorded {p.sha256[:12]}...); nothing was packaged.",
            )
        if p.kind == "report" and p.parameters.get("internal_notes", True):
            raise PackageError(f"Product {p.id} includes internal notes; it cannot be shared.")
        name = f"products/{path.name}"
        files.append(
            {
                "path": name,
                "sha256": digest,
                "size": path.stat().st_size,
                "kind": p.kind,
                "lang": p.lang,
                "format": p.format,
                "version": p.version,
            }
        )
        sources.append((name, path))
    key = signing_key(store.workspace)
    manifest = {
        "format": FORMAT,
        "case": case_name,
        "releasable_to": code,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "created_by": actor(),
        "olfato_version": __version__,
        "caveat": CAVEAT,
        "signer": {"algorithm": "Ed25519", "fingerprint": fingerprint(key.public_key())},
        "files": files,
    }
    body = json.dumps(manifest, indent=1, sort_keys=True).encode()
    sig = base64.b64encode(key.sign(body)) + b"\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".zip.tmp", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, body)
            z.writestr(SIGNATURE, sig)
            # no public key inside: a key that travels with what it vouches for proves
            # nothing; the partner verifies with the key they got and checked by fingerprint
            for name, path in sources:
                z.write(path, name)
        os.link(tmp, out)  # fails rather than replace a file made meanwhile
    except FileExistsError as exc:
        raise PackageError(f"{out} already exists; olfato never overwrites a product.") from exc
    finally:
        os.unlink(tmp)
    from olfato.report.products import next_version

    rows = record_products(
        store,
        case_name,
        [
            {
                "kind": "package",
                "lang": "",
                "format": "zip",
                "version": next_version(store, case_name, "package", "", "zip"),
                "path": out,
                "releasable_to": [code],
                "parameters": {"products": [p.id for p in products]},
            }
        ],
        action="share.package",
    )
    return rows[0]


# -- verifying -------------------------------------------------------------------------
@dataclass
class Verified:
    """A package that passed verification.

    Attributes
    ----------
    path : pathlib.Path
        The package.
    manifest : dict
        Its signed manifest (case, partner, who, when, files).
    fingerprint : str
        The fingerprint of the key that signed it.
    """

    path: Path
    manifest: dict[str, Any]
    fingerprint: str

    @property
    def message(self) -> str:
        n = len(self.manifest["files"])
        return (
            f"{self.path}: signature valid (Ed25519 key fingerprint {self.fingerprint}) and all "
            f"{n} file(s) match their SHA-256. Case {self.manifest['case']}, releasable to "
            f"{self.manifest['releasable_to']}, made {self.manifest['created_at']} by "
            f"{self.manifest['created_by']}. {CAVEAT}"
        )


def _safe(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and "\\" not in name


#: largest manifest.json / manifest.sig read [bytes]
MAX_MANIFEST_BYTES = 4 << 20
MAX_SIGNATURE_BYTES = 1024
#: compression methods olfato writes (and reads)
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}


def _check_members(z: zipfile.ZipFile, bad: str) -> dict[str, zipfile.ZipInfo]:
    """The zip's members by name, after refusing what no olfato package holds."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in z.infolist():
        if info.filename in members:
            raise PackageError(
                f"{bad}: it holds two members named {info.filename!r}; a zip tool would "
                "unpack one that was not verified. Do not use its contents."
            )
        members[info.filename] = info
        if info.flag_bits & 0x1:
            raise PackageError(f"{bad}: member {info.filename!r} is encrypted.")
        if info.compress_type not in _METHODS:
            raise PackageError(
                f"{bad}: member {info.filename!r} uses compression method "
                f"{info.compress_type}, not {' or '.join(_METHODS.values())}."
            )
    return members


def _read_small(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, bad: str) -> bytes:
    """A member of at most ``limit`` bytes (declared and actual)."""
    if info.file_size > limit:
        raise PackageError(
            f"{bad}: {info.filename} declares {info.file_size:,} bytes (at most {limit:,})."
        )
    try:
        with z.open(info) as f:
            data = f.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError) as exc:
        raise PackageError(f"{bad}: {info.filename} is corrupted ({exc}).") from exc
    if len(data) > limit:
        raise PackageError(f"{bad}: {info.filename} is larger than {limit:,} bytes.")
    return data


def _hash_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, bad: str) -> tuple[str, int]:
    """SHA-256 and length of a member, unpacked a block at a time."""
    h = hashlib.sha256()
    n = 0
    try:
        with z.open(info) as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
                n += len(block)
                if n > info.file_size:  # zipfile stops at the declared size; belt and braces
                    raise PackageError(f"{bad}: {info.filename} is larger than it declares.")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError) as exc:
        raise PackageError(f"{bad}: {info.filename} is corrupted ({exc}).") from exc
    return h.hexdigest(), n


def _manifest_files(body: bytes, bad: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The signed manifest and its file entries, checked field by field."""
    try:
        manifest = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise PackageError(f"{bad}: the signed manifest is not valid JSON ({exc}).") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise PackageError(f"{bad}: the signed manifest has no list of files.")
    listed: dict[str, dict[str, Any]] = {}
    for i, f in enumerate(manifest["files"]):
        ok = (
            isinstance(f, dict)
            and isinstance(f.get("path"), str)
            and isinstance(f.get("sha256"), str)
            and len(f["sha256"]) == 64
            and isinstance(f.get("size"), int)
            and not isinstance(f.get("size"), bool)
            and f["size"] >= 0
        )
        if not ok:
            raise PackageError(
                f"{bad}: entry {i} of the signed manifest's files lacks a path, a 64-digit "
                "sha256 or a size."
            )
        if f["path"] in listed or f["path"] in (MANIFEST, SIGNATURE):
            raise PackageError(f"{bad}: the signed manifest lists {f['path']!r} twice.")
        listed[f["path"]] = f
    for key in ("case", "releasable_to", "created_at", "created_by"):
        if not isinstance(manifest.get(key), str):
            raise PackageError(f"{bad}: the signed manifest's {key!r} is missing or not text.")
    return manifest, listed


def verify_package(path: Path, trusted: Ed25519PublicKey) -> Verified:
    """Check a package's signature against ``trusted`` and every file against the manifest.

    Parameters
    ----------
    path : pathlib.Path
        The package (zip).
    trusted : Ed25519PublicKey
        The producer's public key, obtained by a trusted channel.

    Returns
    -------
    Verified
        The manifest and the signer's fingerprint.

    Raises
    ------
    PackageError
        The file is missing or not a zip, the signature does not match under
        ``trusted``, or a file is missing, unlisted, unsafely named or altered.
    """
    path = Path(path)
    bad = f"{path} fails verification"
    try:
        z = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise PackageError(f"{path} does not exist.") from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise PackageError(f"{bad}: it is not a readable zip file ({exc}).") from exc
    with z:
        members = _check_members(z, bad)
        if MANIFEST not in members or SIGNATURE not in members:
            raise PackageError(f"{bad}: it has no {MANIFEST} and {SIGNATURE}.")
        body = _read_small(z, members[MANIFEST], MAX_MANIFEST_BYTES, bad)
        raw_sig = _read_small(z, members[SIGNATURE], MAX_SIGNATURE_BYTES, bad)
        try:
            sig = base64.b64decode(raw_sig.strip(), validate=True)
        except ValueError as exc:
            raise PackageError(f"{bad}: the signature is not base64 ({exc}).") from exc
        try:
            trusted.verify(sig, body)
        except InvalidSignature as exc:
            raise PackageError(
                f"{bad}: the signature does not match the manifest under the trusted key "
                f"({fingerprint(trusted)}). The package was altered after signing, or "
                "was signed by another key. Do not use its contents.",
            ) from exc
        manifest, listed = _manifest_files(body, bad)
        extra = set(members) - set(listed) - {MANIFEST, SIGNATURE}
        if extra:
            raise PackageError(
                f"{bad}: it holds file(s) the signed manifest does not list: "
                f"{', '.join(sorted(extra))}. Do not use its contents."
            )
        for name, f in listed.items():
            if not _safe(name):
                raise PackageError(f"{bad}: unsafe file name {name!r} in the manifest.")
            if name not in members:
                raise PackageError(f"{bad}: {name} is listed in the manifest but missing.")
            if members[name].file_size != f["size"]:
                raise PackageError(
                    f"{bad}: {name} declares {members[name].file_size:,} bytes, signed "
                    f"{f['size']:,}. Do not use its contents."
                )
            digest, size = _hash_member(z, members[name], bad)
            if digest != f["sha256"] or size != f["size"]:
                raise PackageError(
                    f"{bad}: {name} does not match its signed SHA-256 (found {digest[:12]}..., "
                    f"signed {f['sha256'][:12]}...). Do not use its contents."
                )
    return Verified(path, manifest, fingerprint(trusted))
