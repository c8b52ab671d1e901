"""The codec's layers against the EU DCC common test vectors (DESIGN.md §5), one test per vector and check.

The vectors are a copy of ``../shared/data/dgc-testdata`` (the EU DCC project's common test data, Apache-2.0,
its LICENSE and NOTICE beside it) in ``tests/access/dgc-testdata/common/*.json``, so a clone anywhere has them
(``WUYI_DCC_TESTDATA`` names another folder). Each holds one DCC at every stage of the pipeline and ``EXPECTEDRESULTS``, a boolean per check
it tests; the meaning of each check is that of the dgc-testdata README, and "now" is the vector's
``VALIDATIONCLOCK``. The trust list holds the vector's signer certificate under the DCC kid (the first 8 bytes
of the SHA-256 of the certificate's DER). What each check runs, all with prefix "HC1:":

- EXPECTEDUNPREFIX: :func:`codec.unprefix` of PREFIX gives BASE45, or raises UnknownPrefix.
- EXPECTEDB45DECODE: :func:`codec.b45decode` of BASE45 gives COMPRESSED, or raises Malformed at base45.
- EXPECTEDCOMPRESSION: :func:`codec.decompress` of COMPRESSED gives COSE, or raises Malformed at zlib.
- EXPECTEDVERIFY: :func:`codec.decode_cose`, :func:`codec.find_key` and :func:`codec.verify_signature` on COSE
  (ES256 or PS256, kid protected or else unprotected) pass, or raise Malformed, UnknownKey or BadSignature.
- EXPECTEDDECODE: :func:`codec.decode_cbor` of CBOR gives a map equal to JSON and to the health certificate
  (claim -260, key 1) of :func:`codec.decode_cwt` of COSE's payload, or raises Malformed.
- EXPECTEDVALIDJSON: the whole chain from PREFIX (unprefix, Base45, zlib, COSE, CWT) gives a health certificate
  equal to JSON. This is the README's meaning of the flag (decode and compare), not a schema check.
- EXPECTEDEXPIRATIONCHECK: COSE decoded and its signature verified, then :func:`codec.check_times` at the clock
  passes, or raises Expired (at or after exp) or NotYetValid (before iat), the order of :func:`codec.verify`.
  The DCC check also compares iat and exp with the signer certificate's validity; our trust list holds keys,
  not certificates, so that part is not ours, and none of these vectors depends on it.
- EXPECTEDKEYUSAGE: COSE verifies with our decoder and the DCC rule (below, :func:`key_usage_allows`) on the
  certificate's extended key usage and the certificate type in our decoded payload gives the expected answer.
  The rule is DCC policy on X.509 certificates, which our codes have no equivalent of, so it lives here.
- EXPECTEDPICTUREDECODE: zxing-cpp reads the QR of 2DCODE (a base64 PNG) as PREFIX, or reads nothing else.

Skipped, each shown as a skip with its reason:

- EXPECTEDSCHEMAVALIDATION (DCC1–6, CO28): validation of the decoded certificate against the DCC JSON schema,
  which is the DCC's payload and not a layer of our codes (the issue excludes it).
- EXPECTEDPICTUREDECODE of B1: the vector has no 2DCODE to read.
"""

import base64
import io
import json
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from cryptography import x509
from PIL import Image, UnidentifiedImageError

from wuyi.access import codec
from wuyi.access.codec import (
    BadSignature,
    CodeError,
    Expired,
    Malformed,
    NotYetValid,
    TrustList,
    UnknownKey,
    UnknownPrefix,
)

VECTORS_DIR = Path(
    os.environ.get("WUYI_DCC_TESTDATA")
    or Path(__file__).resolve().parent / "dgc-testdata" / "common"  # a copy of ../shared/data/dgc-testdata
)
PREFIX = codec.DCC_PREFIX
SKIPPED = {
    "EXPECTEDSCHEMAVALIDATION": "the DCC JSON schema is the DCC's payload, not a layer of our codes",
}
# What our decoder says for each vector a check expects to fail: the error, and the layer for Malformed.
FAILURES = {
    ("H1.json", "EXPECTEDUNPREFIX"): (UnknownPrefix, "prefix"),
    ("H2.json", "EXPECTEDUNPREFIX"): (UnknownPrefix, "prefix"),
    ("H3.json", "EXPECTEDUNPREFIX"): (UnknownPrefix, "prefix"),
    ("B1.json", "EXPECTEDB45DECODE"): (Malformed, "base45"),
    ("Z1.json", "EXPECTEDCOMPRESSION"): (Malformed, "zlib"),
    ("Z2.json", "EXPECTEDCOMPRESSION"): (Malformed, "zlib"),
    ("CO5.json", "EXPECTEDVERIFY"): (BadSignature, "cose"),
    ("CO22.json", "EXPECTEDVERIFY"): (UnknownKey, "cose"),
    ("CO23.json", "EXPECTEDVERIFY"): (UnknownKey, "cose"),
    ("CBO2.json", "EXPECTEDVERIFY"): (Malformed, "cose"),
    ("CBO1.json", "EXPECTEDDECODE"): (Malformed, "cbor"),
    ("CO16.json", "EXPECTEDEXPIRATIONCHECK"): (NotYetValid, "time"),
    ("CO17.json", "EXPECTEDEXPIRATIONCHECK"): (Expired, "time"),
}
# The DCC's extended key usages of a signer certificate: which certificate types it may sign. Each has two OIDs
# in use (with and without the ".0." arc); a certificate with none of them may sign every type.
KEY_USAGES = {
    "t": {"1.3.6.1.4.1.1847.2021.1.1", "1.3.6.1.4.1.0.1847.2021.1.1"},
    "v": {"1.3.6.1.4.1.1847.2021.1.2", "1.3.6.1.4.1.0.1847.2021.1.2"},
    "r": {"1.3.6.1.4.1.1847.2021.1.3", "1.3.6.1.4.1.0.1847.2021.1.3"},
}
HEALTH_CERTIFICATE = 1  # the key of the health certificate inside claim -260


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def cases() -> list:
    """(vector, check) for every check of every vector, named like ``CO5.json-EXPECTEDVERIFY``."""
    return [
        pytest.param(path, flag, id=f"{path.name}-{flag}")
        for path in sorted(VECTORS_DIR.glob("*.json"))
        for flag in load(path)["EXPECTEDRESULTS"]
    ]


def certificate(vector: dict) -> x509.Certificate:
    return x509.load_der_x509_certificate(base64.b64decode(vector["TESTCTX"]["CERTIFICATE"]))


def trust(vector: dict) -> TrustList:
    trusted = TrustList()
    trusted.add_certificate(certificate(vector))
    return trusted


def clock(vector: dict) -> datetime:
    return datetime.fromisoformat(vector["TESTCTX"]["VALIDATIONCLOCK"].replace("Z", "+00:00"))


def verified_payload(vector: dict) -> bytes:
    message = codec.decode_cose(bytes.fromhex(vector["COSE"]))
    codec.verify_signature(message, codec.find_key(message, trust(vector)))
    return message.payload


def health_certificate(cwt: Mapping):
    hcert = cwt.get(-260)
    if not isinstance(hcert, Mapping) or not isinstance(hcert.get(HEALTH_CERTIFICATE), Mapping):
        raise Malformed("no health certificate under -260", layer="cwt")
    return hcert[HEALTH_CERTIFICATE]


def plain(value):
    """Decoded CBOR as JSON would have it: lists for arrays (cbor2 6 gives tuples), dicts for maps."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def key_usage_allows(signer: x509.Certificate, hcert: Mapping) -> bool:
    """The DCC rule: a signer with key-usage OIDs may sign only the certificate types they name."""
    try:
        usages = {
            oid.dotted_string
            for oid in signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        }
    except x509.ExtensionNotFound:
        usages = set()
    except (
        ValueError
    ):  # CO15: an empty extended key usage (SEQUENCE SIZE 0), which cryptography will not parse
        usages = set()
    dcc_usages = usages & set().union(*KEY_USAGES.values())
    kinds = [kind for kind in KEY_USAGES if kind in hcert]
    if len(kinds) != 1:
        return False
    return not dcc_usages or bool(dcc_usages & KEY_USAGES[kinds[0]])


def read_qr(png_base64: str) -> str | None:
    """The text of the QR in the picture, or None when there is no picture or no QR in it."""
    try:
        image = Image.open(io.BytesIO(base64.b64decode(png_base64)))
    except (ValueError, UnidentifiedImageError):  # Q1: "QR code cannot be read" is not even a PNG
        return None
    barcodes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return barcodes[0].text if barcodes else None


# --- one check each: what our decoder gives for the vector ------------------------------------------------


def unprefix(vector: dict) -> None:
    assert codec.unprefix(vector["PREFIX"], PREFIX) == vector["BASE45"]


def b45decode(vector: dict) -> None:
    assert codec.b45decode(vector["BASE45"]) == bytes.fromhex(vector["COMPRESSED"])


def decompress(vector: dict) -> None:
    assert codec.decompress(bytes.fromhex(vector["COMPRESSED"])) == bytes.fromhex(vector["COSE"])


def verify(vector: dict) -> None:
    verified_payload(vector)


def decode(vector: dict) -> None:
    hcert = codec.decode_cbor(bytes.fromhex(vector["CBOR"]))
    if not isinstance(hcert, Mapping):
        raise Malformed("the health certificate is not a map", layer="cbor")
    assert plain(hcert) == vector["JSON"]
    if "COSE" in vector:
        payload = codec.decode_cose(bytes.fromhex(vector["COSE"])).payload
        assert plain(health_certificate(codec.decode_cwt(payload))) == vector["JSON"]


def valid_json(vector: dict) -> None:
    compressed = codec.b45decode(codec.unprefix(vector["PREFIX"], PREFIX))
    message = codec.decode_cose(codec.decompress(compressed))
    assert plain(health_certificate(codec.decode_cwt(message.payload))) == vector["JSON"]


def expiration(vector: dict) -> None:
    codec.check_times(codec.decode_cwt(verified_payload(vector)), clock(vector))


def key_usage(vector: dict) -> None:
    hcert = health_certificate(codec.decode_cwt(verified_payload(vector)))
    if not key_usage_allows(certificate(vector), hcert):
        raise BadSignature("the signer's key usage does not cover this certificate type")


def picture(vector: dict) -> None:
    if "2DCODE" not in vector:
        pytest.skip("the vector has no 2DCODE to read")
    assert read_qr(vector["2DCODE"]) == vector["PREFIX"]


CHECKS = {
    "EXPECTEDUNPREFIX": unprefix,
    "EXPECTEDB45DECODE": b45decode,
    "EXPECTEDCOMPRESSION": decompress,
    "EXPECTEDVERIFY": verify,
    "EXPECTEDDECODE": decode,
    "EXPECTEDVALIDJSON": valid_json,
    "EXPECTEDEXPIRATIONCHECK": expiration,
    "EXPECTEDKEYUSAGE": key_usage,
    "EXPECTEDPICTUREDECODE": picture,
}


@pytest.mark.parametrize(("path", "flag"), cases())
def test_our_decoder_gives_the_expected_result(path, flag):
    if flag in SKIPPED:
        pytest.skip(SKIPPED[flag])
    assert flag in CHECKS, f"no check for {flag}: add one or say in SKIPPED why not"
    vector = load(path)
    check = CHECKS[flag]
    if vector["EXPECTEDRESULTS"][flag]:
        check(vector)
        return
    if flag == "EXPECTEDPICTUREDECODE":
        assert read_qr(vector["2DCODE"]) != vector["PREFIX"]
        return
    if flag == "EXPECTEDKEYUSAGE":  # the signature holds; the rule refuses
        verified_payload(vector)
    with pytest.raises(CodeError) as caught:
        check(vector)
    if (path.name, flag) in FAILURES:
        error, layer = FAILURES[path.name, flag]
        assert (type(caught.value), caught.value.layer) == (error, layer)


def test_the_vectors_are_there():
    """38 vectors in the April 2022 snapshot: fewer means the folder is not the one DESIGN.md §5 names."""
    assert len(list(VECTORS_DIR.glob("*.json"))) >= 38, f"DCC test vectors missing from {VECTORS_DIR}"
