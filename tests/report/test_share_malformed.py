"""Malformed partner packages (issue 13): every one a clean error, nothing unpacked first."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from olfato.report.share import (
    MANIFEST,
    SIGNATURE,
    PackageError,
    fingerprint,
    signing_key,
    verify_package,
)
from tests.report import test_share
from tests.report.conftest import Made
from tests.report.test_share import rewrite, trusted

package = test_share.package  # the module's signed package fixture, shared


def _members(pkg: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(pkg) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def test_package_has_no_unsigned_key_and_names_the_fingerprint(made: Made, package: Path):
    with zipfile.ZipFile(package) as z:
        names = z.namelist()
        listed = {f["path"] for f in json.loads(z.read(MANIFEST))["files"]}
    assert set(names) == listed | {MANIFEST, SIGNATURE}  # nothing unsigned, no key file
    result = verify_package(package, trusted(made))
    assert fingerprint(trusted(made)) in result.message  # the whole fingerprint


def test_two_members_of_one_name_are_refused(made: Made, package: Path, tmp_path: Path):
    bad = tmp_path / "dup.zip"
    members = _members(package)
    csv_info, _ = next((i, d) for i, d in members if i.filename.endswith(".csv"))
    with zipfile.ZipFile(bad, "w") as z, pytest.warns(UserWarning, match="Duplicate name"):
        for info, data in members:
            z.writestr(info, data)
        z.writestr(csv_info.filename, b"unsigned,evil\n")  # the one `unzip` extracts last
    with pytest.raises(PackageError, match="two members named 'products/.*csv'"):
        verify_package(bad, trusted(made))


def test_oversized_manifest_is_refused_before_reading(made: Made, package: Path, tmp_path):
    with zipfile.ZipFile(package) as z:
        body = z.read(MANIFEST)
    huge = body + b" " * (5 << 20)  # 5 MiB that deflate to a few KiB
    bad = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bad, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for info, data in _members(package):
            z.writestr(info.filename, huge if info.filename == MANIFEST else data)
    assert bad.stat().st_size < package.stat().st_size + 100_000
    with pytest.raises(PackageError, match=r"manifest.json declares 5,24.* bytes \(at most"):
        verify_package(bad, trusted(made))


def test_member_larger_than_signed_is_refused(made: Made, package: Path, tmp_path):
    with zipfile.ZipFile(package) as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        data = z.read(name)
    bad = rewrite(package, tmp_path / "big.zip", {name: data + b"\n" * (1 << 20)})
    with pytest.raises(PackageError, match=r"declares 1,.* bytes, signed"):
        verify_package(bad, trusted(made))


def test_encrypted_member(made: Made, package: Path, tmp_path: Path):
    # set the "encrypted" flag of one member in its local header and central directory
    raw = bytearray(package.read_bytes())
    with zipfile.ZipFile(package) as z:
        info = next(i for i in z.infolist() if i.filename.endswith(".csv"))
        central = z.start_dir  # the first central directory entry
    raw[info.header_offset + 6] |= 0x1  # the first central directory entry
    while True:
        name_len = int.from_bytes(raw[central + 28 : central + 30], "little")
        name = bytes(raw[central + 46 : central + 46 + name_len]).decode()
        if name == info.filename:
            raw[central + 8] |= 0x1
            break
        extra = int.from_bytes(raw[central + 30 : central + 32], "little")
        comment = int.from_bytes(raw[central + 32 : central + 34], "little")
        central += 46 + name_len + extra + comment
    bad = tmp_path / "enc.zip"
    bad.write_bytes(bytes(raw))
    with pytest.raises(PackageError, match=r"member 'products/.*csv' is encrypted"):
        verify_package(bad, trusted(made))


def test_unknown_compression(made: Made, package: Path, tmp_path: Path):
    bad = tmp_path / "bz.zip"
    with zipfile.ZipFile(bad, "w") as z:
        for info, data in _members(package):
            z.writestr(info, data, compress_type=zipfile.ZIP_BZIP2)
    with pytest.raises(PackageError, match="compression method 12, not stored or deflated"):
        verify_package(bad, trusted(made))


def test_corrupt_stream(made: Made, package: Path, tmp_path: Path):
    raw = bytearray(package.read_bytes())
    with zipfile.ZipFile(package) as z:
        info = next(i for i in z.infolist() if i.filename.endswith(".pdf"))
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 50
    raw[start : start + 64] = bytes(64)
    bad = tmp_path / "corrupt.zip"
    bad.write_bytes(bytes(raw))
    with pytest.raises(PackageError, match=r"\.pdf (is corrupted|does not match)"):
        verify_package(bad, trusted(made))


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"files": "x"}',
        b'{"files": [{"path": "products/a.csv"}]}',
        b'{"files": [], "case": 3}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_signed_but_malformed_manifest(made: Made, package: Path, tmp_path: Path, body: bytes):
    key = signing_key(made.workspace)
    bad = rewrite(
        package,
        tmp_path / "malformed.zip",
        {MANIFEST: body, SIGNATURE: base64.b64encode(key.sign(body)) + b"\n"},
    )
    with pytest.raises(PackageError, match="fails verification: (the signed manifest|entry 0)"):
        verify_package(bad, trusted(made))


def test_cli_malformed_package_exit_1_no_traceback(made: Made, package: Path, tmp_path: Path):
    from olfato.cli import app

    env = {
        "OLFATO_WORKSPACE": str(made.workspace.root),
        "OLFATO_DATABASE_URL": made.workspace.database_url,
    }
    bad = tmp_path / "bz.zip"
    with zipfile.ZipFile(bad, "w") as z:
        for info, data in _members(package):
            z.writestr(info, data, compress_type=zipfile.ZIP_BZIP2)
    r = CliRunner().invoke(app, ["share", "verify", str(bad)], env=env)
    assert r.exit_code == 1 and "compression method 12" in r.output
    assert "Traceback" not in r.output
