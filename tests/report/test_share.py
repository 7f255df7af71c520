"""The partner package: only releasable products, signed, and any tampering is caught."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from typer.testing import CliRunner

import olfato
from olfato.report.share import (
    MANIFEST,
    PackageError,
    build_package,
    export_public_key,
    load_public_key,
    public_pem,
    verify_package,
)
from tests.report.conftest import CASE, INTERNAL_NOTE, Made


@pytest.fixture(scope="module")
def package(made: Made, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "sonora-MX.zip"
    with made.store() as store:
        build_package(store, CASE, "mx", out)
    return out


def rewrite(src: Path, dst: Path, change: dict[str, bytes | None]) -> Path:
    """Copy a zip, replacing (bytes) or dropping (None) the named members, adding new ones."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            if item.filename in change:
                data = change[item.filename]
                if data is not None:
                    zout.writestr(item.filename, data)
            else:
                zout.writestr(item, zin.read(item.filename))
        for name, data in change.items():
            if name not in zin.namelist() and data is not None:
                zout.writestr(name, data)
    return dst


def trusted(made: Made) -> Ed25519PublicKey:
    return load_public_key(export_public_key(made.workspace))


def _texts(package: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(package) as z:
        return [(n, z.read(n)) for n in z.namelist() if not n.endswith(".pdf")]


def test_package_holds_only_releasable_products_and_verifies(made: Made, package: Path) -> None:
    with zipfile.ZipFile(package) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read(MANIFEST))
        everything = b"".join(z.read(n) for n in names)
    files = {f["path"] for f in manifest["files"]}
    # the reports releasable to MX (both languages, html and pdf) and the three exports
    assert len(files) == 7
    assert {p.rsplit(".", 2)[-2] + "." + p.rsplit(".", 1)[-1] for p in files if "report" in p} == {
        "en.html",
        "en.pdf",
        "es.html",
        "es.pdf",
    }
    assert all(".v1." in p for p in files)  # the internal report (v2, en html) is left out
    assert manifest["releasable_to"] == "MX"
    assert "ground confirmation" in manifest["caveat"]
    assert INTERNAL_NOTE.encode() not in everything and b"K-7" not in everything
    # provenance names inputs and the signature library by file and checksum, never by a
    # folder of the analyst's machine (the package goes to another authority)
    text = b"".join(z_read for n, z_read in _texts(package))
    assert b"default.yaml" in text and str(Path(olfato.__file__).parent).encode() not in text
    assert str(made.workspace.root).encode() not in text
    result = verify_package(package, trusted(made))
    assert result.manifest["case"] == CASE


def test_nothing_releasable_is_an_error(made: Made, tmp_path: Path) -> None:
    with made.store() as store, pytest.raises(PackageError, match="releasable to CO"):
        build_package(store, CASE, "CO", tmp_path / "co.zip")
    assert not (tmp_path / "co.zip").exists()


def test_tampered_product_fails(made: Made, package: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(package) as z:
        csv_name = next(n for n in z.namelist() if n.endswith(".csv"))
        data = z.read(csv_name)
    bad = rewrite(package, tmp_path / "bad.zip", {csv_name: data.replace(b"true", b"fals")})
    with pytest.raises(PackageError, match="does not match its signed SHA-256"):
        verify_package(bad, trusted(made))


def test_tampered_manifest_fails(made: Made, package: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(package) as z:
        body = z.read(MANIFEST)
    bad = rewrite(package, tmp_path / "bad.zip", {MANIFEST: body.replace(b'"MX"', b'"CO"')})
    with pytest.raises(PackageError, match="signature does not match"):
        verify_package(bad, trusted(made))


def test_added_or_removed_file_fails(made: Made, package: Path, tmp_path: Path) -> None:
    added = rewrite(package, tmp_path / "added.zip", {"products/extra.kml": b"<kml/>"})
    with pytest.raises(PackageError, match="does not list: products/extra.kml"):
        verify_package(added, trusted(made))
    with zipfile.ZipFile(package) as z:
        pdf = next(n for n in z.namelist() if n.endswith(".pdf"))
    removed = rewrite(package, tmp_path / "removed.zip", {pdf: None})
    with pytest.raises(PackageError, match="listed in the manifest but missing"):
        verify_package(removed, trusted(made))


def test_resigned_by_another_key_or_wrong_key_fails(
    made: Made, package: Path, tmp_path: Path
) -> None:
    other = Ed25519PrivateKey.generate()
    with zipfile.ZipFile(package) as z:
        body = z.read(MANIFEST).replace(b'"MX"', b'"CO"')
    import base64

    forged = rewrite(
        package,
        tmp_path / "forged.zip",
        {"manifest.json": body, "manifest.sig": base64.b64encode(other.sign(body))},
    )
    with pytest.raises(PackageError, match="signed by another key"):
        verify_package(forged, trusted(made))
    # the genuine package, checked against a key that is not the producer's
    wrong = tmp_path / "wrong.pub.pem"
    wrong.write_bytes(public_pem(other.public_key()))
    with pytest.raises(PackageError, match="signature does not match"):
        verify_package(package, load_public_key(wrong))


def test_corrupt_zip_fails(made: Made, package: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(package.read_bytes()[: package.stat().st_size // 2])
    with pytest.raises(PackageError, match="fails verification"):
        verify_package(cut, trusted(made))


def test_share_cli_verify(made: Made, package: Path, tmp_path: Path) -> None:
    from olfato.cli import app

    runner = CliRunner()
    env = {
        "OLFATO_WORKSPACE": str(made.workspace.root),
        "OLFATO_DATABASE_URL": made.workspace.database_url,
    }
    key = tmp_path / "producer.pub.pem"
    r = runner.invoke(app, ["share", "key", "--out", str(key)], env=env)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["share", "verify", str(package), "--key", str(key)], env=env)
    assert r.exit_code == 0, r.output
    assert "signature valid" in r.output
    with zipfile.ZipFile(package) as z:
        body = z.read(MANIFEST)
    bad = rewrite(package, tmp_path / "bad.zip", {MANIFEST: body.replace(b"sonora", b"sonorb")})
    r = runner.invoke(app, ["share", "verify", str(bad), "--key", str(key)], env=env)
    assert r.exit_code == 1
    assert "error:" in r.output and "Do not use its contents" in r.output
    assert "Traceback" not in r.output
    out = tmp_path / "cli.zip"
    r = runner.invoke(
        app, ["share", "package", CASE, "--releasable-to", "MX", "--out", str(out)], env=env
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app, ["share", "package", CASE, "--releasable-to", "MX", "--out", str(out)], env=env
    )
    assert r.exit_code == 1 and "never overwrites" in r.output
