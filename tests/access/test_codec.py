"""The WY1 codec (DESIGN.md §5): a round trip, every refusal with its code, keys, pycose, the QR, mutated codes."""

import hashlib
import io
import zlib
from datetime import UTC, datetime, timedelta

import base45
import cbor2
import pytest
import segno
import zxingcpp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from PIL import Image
from pycose.algorithms import Es256
from pycose.headers import KID, Algorithm
from pycose.keys import EC2Key
from pycose.keys.curves import P256
from pycose.messages import CoseMessage, Sign1Message

from wuyi.access import codec
from wuyi.access.codec import (
    BadSignature,
    Claims,
    CodeError,
    Expired,
    Malformed,
    NotForThisCompound,
    NotYetValid,
    Revoked,
    SigningKey,
    TrustList,
    UnknownKey,
    UnknownPrefix,
)

ISSUED = 1584316800  # 2020-03-16 00:00 UTC
HOURS = 3600
COMPOUND = "440304001001001"
OTHER_COMPOUND = "440304001001002"


def fixed_key(name: str) -> SigningKey:
    """A key derived from its name, so that the codes of a run are those of every run (ECDSA per RFC 6979)."""
    secret = int.from_bytes(hashlib.sha256(name.encode()).digest(), "big")
    return SigningKey(ec.derive_private_key(secret, ec.SECP256R1()))


KEY = fixed_key("wuyi test key")
OTHER_KEY = fixed_key("another key")
TRUST = TrustList.of(KEY)
CLAIMS = Claims(
    sub="p-7Q2KX9M4ZTW3",
    col="green",
    cmp=(COMPOUND,),
    nm="张*明",
    kind="resident",
    iss="440300",
    iat=ISSUED,
    exp=ISSUED + 8 * HOURS,
)
CODE = codec.encode(CLAIMS, KEY)
SOON = ISSUED + HOURS


def cose_of(code: str) -> bytes:
    return zlib.decompress(base45.b45decode(code[4:]))


def code_of(cose: bytes, prefix: str = "WY1:") -> str:
    return prefix + base45.b45encode(zlib.compress(cose)).decode()


def raw_es256(key: SigningKey, data: bytes) -> bytes:
    r, s = decode_dss_signature(key.private_key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sign1(
    payload,
    key: SigningKey = KEY,
    *,
    protected=None,
    unprotected=None,
    signature: bytes | None = None,
    tag: int | None = 18,
) -> bytes:
    """A COSE_Sign1 built by hand (not by the codec): any payload, headers and tag, signed ES256 by ``key``."""
    protected = {1: -7, 4: key.kid} if protected is None else protected
    protected_bytes = cbor2.dumps(protected) if protected else b""
    payload_bytes = payload if isinstance(payload, bytes) else cbor2.dumps(payload)
    to_be_signed = cbor2.dumps(["Signature1", protected_bytes, b"", payload_bytes])
    signature = raw_es256(key, to_be_signed) if signature is None else signature
    message = [protected_bytes, unprotected or {}, payload_bytes, signature]
    return cbor2.dumps(message if tag is None else cbor2.CBORTag(tag, message))


def cwt(**changes) -> dict:
    """Our claims as a CWT map, with ``changes`` to the -260 map (None deletes a key)."""
    claims = CLAIMS.to_cwt()
    for name, value in changes.items():
        if value is None:
            del claims[-260][name]
        else:
            claims[-260][name] = value
    return claims


def refusal(code: str, now=SOON, trust=TRUST, **options) -> CodeError:
    with pytest.raises(CodeError) as caught:
        codec.verify(code, trust, now, **options)
    return caught.value


# --- the round trip -----------------------------------------------------------------------------------------


def test_a_code_verifies_to_its_claims():
    assert CODE.startswith("WY1:")
    assert codec.verify(CODE, TRUST, SOON) == CLAIMS
    assert codec.verify(CODE, TRUST, datetime.fromtimestamp(SOON, UTC), compound=COMPOUND) == CLAIMS


def test_the_same_claims_and_key_give_the_same_code():
    assert codec.encode(CLAIMS, KEY) == CODE


def test_a_resident_code_is_about_310_characters():
    assert 250 <= len(CODE) <= 320


def test_a_visitor_code_carries_its_window():
    visitor = Claims(
        sub="v-1",
        col="green",
        cmp=(COMPOUND, OTHER_COMPOUND),
        nm="李*",
        kind="visitor",
        iss="440300",
        iat=ISSUED,
        exp=ISSUED + 4 * HOURS,
        nbf=ISSUED + 2 * HOURS,
    )
    code = codec.encode(visitor, KEY)
    assert codec.verify(code, TRUST, ISSUED + 3 * HOURS, compound=OTHER_COMPOUND) == visitor
    assert isinstance(refusal(code, ISSUED + HOURS), NotYetValid)


def test_a_worker_code_carries_a_role_and_no_other_code_does():
    worker = Claims(**{**CLAIMS.__dict__, "kind": "worker", "role": "courier"})
    code = codec.encode(worker, KEY)
    assert cbor2.loads(cbor2.loads(cose_of(code)).value[2])[-260]["role"] == "courier"
    assert codec.verify(code, TRUST, SOON) == worker
    with pytest.raises(ValueError, match="role"):
        Claims(**{**CLAIMS.__dict__, "kind": "worker"})
    with pytest.raises(ValueError, match="role"):
        Claims(**{**CLAIMS.__dict__, "role": "courier"})


def test_the_protected_header_is_es256_and_the_kid_and_the_claims_are_cwt():
    tag = cbor2.loads(cose_of(CODE))
    assert tag.tag == 18
    protected, unprotected, payload, signature = tag.value
    assert cbor2.loads(protected) == {1: -7, 4: KEY.kid}
    assert unprotected == {}
    assert len(signature) == 64
    assert cbor2.loads(payload) == {
        1: "440300",
        4: ISSUED + 8 * HOURS,
        6: ISSUED,
        -260: {"sub": "p-7Q2KX9M4ZTW3", "col": "green", "cmp": [COMPOUND], "nm": "张*明", "kind": "resident"},
    }


def test_claims_that_cannot_be_a_code_are_not_made():
    with pytest.raises(ValueError, match="kind"):
        Claims(sub="s", col="green", cmp=(), nm="n", kind="tourist", iss="i", iat=1, exp=2)
    with pytest.raises(ValueError, match="exp must be after iat"):
        Claims(sub="s", col="green", cmp=(), nm="n", kind="paper", iss="i", iat=2, exp=2)
    with pytest.raises(ValueError, match="sub"):
        Claims(sub="", col="green", cmp=(), nm="n", kind="paper", iss="i", iat=1, exp=2)


# --- every refusal ------------------------------------------------------------------------------------------

ERROR_CODES = {
    Malformed: "malformed",
    UnknownPrefix: "unknown_prefix",
    UnknownKey: "unknown_key",
    BadSignature: "bad_signature",
    Expired: "expired",
    NotYetValid: "not_yet_valid",
    Revoked: "revoked",
    NotForThisCompound: "not_for_this_compound",
}


def test_each_error_has_its_stable_code():
    assert {cls: cls.code for cls in ERROR_CODES} == ERROR_CODES
    assert all(issubclass(cls, CodeError) for cls in ERROR_CODES)


@pytest.mark.parametrize(
    "text",
    ["HC1:" + CODE[4:], "wy1:" + CODE[4:], CODE[4:], "", "WY2:" + CODE[4:], " " + CODE],
    ids=["dcc prefix", "lower case", "no prefix", "empty", "another version", "leading space"],
)
def test_unknown_prefix(text):
    error = refusal(text)
    assert (error.code, error.layer) == ("unknown_prefix", "prefix")


def test_the_prefix_is_a_parameter():
    assert codec.verify("HC1:" + CODE[4:], TRUST, SOON, prefix="HC1:") == CLAIMS


BASE45_CASES = {
    "lower case": "WY1:" + CODE[4:].lower(),
    "outside the alphabet": CODE[:20] + "#" + CODE[21:],
    "trailing newline": CODE + "\n",
    "length 1 mod 3": CODE + "A" if len(CODE[4:]) % 3 == 0 else CODE[:-1],
    "triplet over 65535": "WY1:GGW" + CODE[7:],
    "pair over 255": "WY1:" + CODE[4:-2] + "::" if len(CODE[4:]) % 3 == 2 else "WY1:" + CODE[4:] + "::",
    "not ascii": CODE[:30] + "码" + CODE[31:],
}


@pytest.mark.parametrize("text", BASE45_CASES.values(), ids=BASE45_CASES.keys())
def test_malformed_base45(text):
    error = refusal(text)
    assert (error.code, error.layer) == ("malformed", "base45")


@given(st.binary(max_size=400))
@settings(max_examples=500, deadline=None)
def test_base45_decodes_what_the_base45_package_encodes(data):
    assert codec.b45decode(base45.b45encode(data).decode()) == data


@given(st.text(alphabet=base45.BASE45_CHARSET + "a\n", max_size=40))
@settings(max_examples=2000, deadline=None)
def test_base45_accepts_exactly_what_the_base45_package_accepts_without_a_newline(text):
    try:
        expected = base45.b45decode(text) if "\n" not in text else None
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(Malformed):
            codec.b45decode(text)
    else:
        assert codec.b45decode(text) == expected


def test_a_non_string_is_malformed():
    error = refusal(CODE.encode())
    assert (error.code, error.layer) == ("malformed", "prefix")


def flip_padding(compressed: bytes) -> bytes | None:
    """The stream with the highest clear bit of its last deflate byte set, if that bit is padding."""
    last = compressed[-5]
    for bit in range(7, -1, -1):
        if not last & (1 << bit):
            flipped = bytearray(compressed)
            flipped[-5] = last | (1 << bit)
            try:
                if zlib.decompress(bytes(flipped)) == zlib.decompress(compressed):
                    return bytes(flipped)
            except zlib.error:
                pass
            return None
    return None


def padded_stream() -> bytes:
    """A compressed code whose last deflate byte has padding bits, with one of them set."""
    for n in range(200):
        claims = Claims(**{**CLAIMS.__dict__, "sub": f"p-{n}"})
        flipped = flip_padding(zlib.compress(cose_of(codec.encode(claims, KEY)), 9))
        if flipped:
            return flipped
    raise AssertionError("no code with padding bits in 200")


ZLIB_CASES = {
    "not compressed": cose_of(CODE),
    "truncated": zlib.compress(cose_of(CODE))[:-6],
    "bad checksum": zlib.compress(cose_of(CODE))[:-1] + b"\x00",
    "data after the stream": zlib.compress(cose_of(CODE)) + b"\x00",
    "gzip": b"\x1f\x8b" + zlib.compress(cose_of(CODE))[2:],
    "a bomb": zlib.compress(bytes(1_000_000), 9),
    "empty": b"",
}


@pytest.mark.parametrize("compressed", ZLIB_CASES.values(), ids=ZLIB_CASES.keys())
def test_malformed_zlib(compressed):
    error = refusal("WY1:" + base45.b45encode(compressed).decode())
    assert (error.code, error.layer) == ("malformed", "zlib")


def test_padding_bits_set_in_the_last_deflate_byte_are_malformed():
    """Deflate ignores them; refusing them keeps one text per signed message."""
    compressed = padded_stream()
    zlib.decompress(compressed)  # zlib itself accepts it
    error = refusal("WY1:" + base45.b45encode(compressed).decode())
    assert (error.code, error.layer, error.message) == (
        "malformed",
        "zlib",
        "non-zero padding bits in the deflate stream",
    )


@given(st.binary(max_size=600), st.integers(0, 9))
@settings(max_examples=300, deadline=None)
def test_whatever_zlib_writes_decompresses(data, level):
    assert codec.decompress(zlib.compress(data, level)) == data


SIGNED = cbor2.loads(cose_of(CODE)).value
COSE_CASES = {
    "untagged": cbor2.dumps(SIGNED),
    "another tag": cbor2.dumps(cbor2.CBORTag(17, SIGNED)),
    "tag 61 alone": cbor2.dumps(cbor2.CBORTag(61, SIGNED)),
    "three elements": cbor2.dumps(cbor2.CBORTag(18, SIGNED[:3])),
    "five elements": cbor2.dumps(cbor2.CBORTag(18, [*SIGNED, b""])),
    "a map": cbor2.dumps(cbor2.CBORTag(18, {"p": SIGNED[0]})),
    "protected as a map": cbor2.dumps(cbor2.CBORTag(18, [{1: -7}, *SIGNED[1:]])),
    "protected not CBOR": cbor2.dumps(cbor2.CBORTag(18, [b"\xff\xff", *SIGNED[1:]])),
    "protected an array": cbor2.dumps(cbor2.CBORTag(18, [b"\x80", *SIGNED[1:]])),
    "unprotected an array": cbor2.dumps(cbor2.CBORTag(18, [SIGNED[0], [], *SIGNED[2:]])),
    "detached payload": cbor2.dumps(cbor2.CBORTag(18, [*SIGNED[:2], None, SIGNED[3]])),
    "signature as text": cbor2.dumps(cbor2.CBORTag(18, [*SIGNED[:3], "sig"])),
    "kid as text": sign1(CLAIMS.to_cwt(), protected={1: -7, 4: "kid"}),
    "bytes after the message": cose_of(CODE) + b"\x00",
    "not CBOR": b"\xff",
    "truncated": cose_of(CODE)[:-10],
}


@pytest.mark.parametrize("cose", COSE_CASES.values(), ids=COSE_CASES.keys())
def test_malformed_cose(cose):
    error = refusal(code_of(cose))
    assert (error.code, error.layer) == ("malformed", "cose")


def test_the_cwt_tag_around_the_cose_tag_is_accepted():
    assert (
        codec.verify(code_of(cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(cose_of(CODE))))), TRUST, SOON)
        == CLAIMS
    )


def test_unknown_key():
    assert isinstance(refusal(CODE, trust=TrustList.of(OTHER_KEY)), UnknownKey)
    assert isinstance(refusal(CODE, trust={}), UnknownKey)
    no_kid = refusal(code_of(sign1(CLAIMS.to_cwt(), protected={1: -7})))
    assert (no_kid.code, no_kid.layer) == ("unknown_key", "cose")


def test_the_kid_is_taken_from_the_unprotected_header_when_the_protected_one_has_none():
    code = code_of(sign1(CLAIMS.to_cwt(), protected={1: -7}, unprotected={4: KEY.kid}))
    assert codec.verify(code, TRUST, SOON) == CLAIMS


def test_a_protected_kid_wins_over_an_unprotected_one():
    wrong_first = code_of(sign1(CLAIMS.to_cwt(), protected={1: -7, 4: b"12345678"}, unprotected={4: KEY.kid}))
    assert isinstance(refusal(wrong_first), UnknownKey)
    right_first = code_of(sign1(CLAIMS.to_cwt(), protected={1: -7, 4: KEY.kid}, unprotected={4: b"foo"}))
    assert codec.verify(right_first, TRUST, SOON) == CLAIMS


def tampered_payload() -> bytes:
    protected, unprotected, payload, signature = SIGNED
    claims = cbor2.loads(payload)
    claims[-260]["col"] = "red"
    return cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature]))


BAD_SIGNATURE_CASES = {
    "payload changed": tampered_payload(),
    "signed by another key with our kid": sign1(CLAIMS.to_cwt(), OTHER_KEY, protected={1: -7, 4: KEY.kid}),
    "signature of 63 bytes": cbor2.dumps(cbor2.CBORTag(18, [*SIGNED[:3], SIGNED[3][:63]])),
    "signature of 72 bytes": cbor2.dumps(cbor2.CBORTag(18, [*SIGNED[:3], SIGNED[3] + bytes(8)])),
    "signature zero": cbor2.dumps(cbor2.CBORTag(18, [*SIGNED[:3], bytes(64)])),
    "PS256 with an EC key": sign1(CLAIMS.to_cwt(), protected={1: -37, 4: KEY.kid}),
    "EdDSA": sign1(CLAIMS.to_cwt(), protected={1: -8, 4: KEY.kid}),
    "no algorithm": sign1(CLAIMS.to_cwt(), protected={4: KEY.kid}),
    "algorithm as text": sign1(CLAIMS.to_cwt(), protected={1: "ES256", 4: KEY.kid}),
    "algorithm as a float": sign1(CLAIMS.to_cwt(), protected={1: -7.0, 4: KEY.kid}),
}


@pytest.mark.parametrize("cose", BAD_SIGNATURE_CASES.values(), ids=BAD_SIGNATURE_CASES.keys())
def test_bad_signature(cose):
    error = refusal(code_of(cose))
    assert (error.code, error.layer) == ("bad_signature", "cose")


def test_the_algorithm_may_stand_in_the_unprotected_header_but_must_match_the_key():
    code = code_of(sign1(CLAIMS.to_cwt(), protected={4: KEY.kid}, unprotected={1: -7}))
    assert codec.verify(code, TRUST, SOON) == CLAIMS


CLAIMS_CASES = {
    "payload not a map": sign1([1, 2, 3]),
    "payload not CBOR": sign1(b"\xff"),
    "payload with trailing bytes": sign1(cbor2.dumps(CLAIMS.to_cwt()) + b"\x00"),
    "no -260": sign1({k: v for k, v in CLAIMS.to_cwt().items() if k != -260}),
    "-260 not a map": sign1({**CLAIMS.to_cwt(), -260: "x"}),
    "no sub": sign1(cwt(sub=None)),
    "empty sub": sign1(cwt(sub="")),
    "cmp not an array": sign1(cwt(cmp=COMPOUND)),
    "cmp with a number": sign1(cwt(cmp=[440304001001001])),
    "unknown kind": sign1(cwt(kind="tourist")),
    "a worker without a role": sign1(cwt(kind="worker")),
    "a resident with a role": sign1(cwt(role="cadre")),
    "a worker with a numeric role": sign1(cwt(kind="worker", role=7)),
    "col a number": sign1(cwt(col=1)),
    "no iss": sign1({k: v for k, v in CLAIMS.to_cwt().items() if k != 1}),
    "iss a number": sign1({**CLAIMS.to_cwt(), 1: 440300}),
    "exp text": sign1({**CLAIMS.to_cwt(), 4: "tomorrow"}),
    "exp a float": sign1({**CLAIMS.to_cwt(), 4: float(ISSUED + 8 * HOURS)}),
    "exp a bignum": sign1({**CLAIMS.to_cwt(), 4: 10**5000}),
    "exp not after iat": sign1({**CLAIMS.to_cwt(), 4: ISSUED}),
    "iat true": sign1({**CLAIMS.to_cwt(), 6: True}),
    "nbf text": sign1({**CLAIMS.to_cwt(), 5: "soon"}),
}


@pytest.mark.parametrize("cose", CLAIMS_CASES.values(), ids=CLAIMS_CASES.keys())
def test_malformed_claims_under_a_good_signature(cose):
    error = refusal(code_of(cose))
    assert error.code == "malformed"
    assert error.layer in {"cwt", "claims"}


@pytest.mark.parametrize("now", [ISSUED + 8 * HOURS, ISSUED + 8 * HOURS + 1, ISSUED + 400 * HOURS])
def test_expired_at_and_after_exp(now):
    error = refusal(CODE, now)
    assert (error.code, error.layer) == ("expired", "time")


@pytest.mark.parametrize("now", [ISSUED - 1, ISSUED - 24 * HOURS])
def test_not_yet_valid_before_iat(now):
    error = refusal(CODE, now)
    assert (error.code, error.layer) == ("not_yet_valid", "time")


def test_valid_from_iat_to_just_before_exp():
    assert codec.verify(CODE, TRUST, ISSUED) == CLAIMS
    assert codec.verify(CODE, TRUST, ISSUED + 8 * HOURS - 1) == CLAIMS


def test_leeway_forgives_a_drifting_clock_both_ways():
    assert codec.verify(CODE, TRUST, ISSUED - 60, leeway=60) == CLAIMS
    assert codec.verify(CODE, TRUST, ISSUED + 8 * HOURS + 59, leeway=60) == CLAIMS
    assert isinstance(refusal(CODE, ISSUED - 61, leeway=60), NotYetValid)


def test_a_naive_datetime_is_a_programming_error():
    with pytest.raises(ValueError, match="naive"):
        codec.verify(CODE, TRUST, datetime(2020, 3, 16, 1))


REVOCATIONS = [
    # (revoked since, relative to the code's iat; refused?)
    (-1, False),  # revoked before this code was issued: this code is the replacement
    (0, True),  # the same second counts as before the revocation
    (+1, True),
    (+HOURS, True),
]


@pytest.mark.parametrize(("since", "refused"), REVOCATIONS)
def test_a_revocation_refuses_the_codes_issued_at_or_before_it(since, refused):
    revoked = {CLAIMS.sub: ISSUED + since}
    if refused:
        error = refusal(CODE, revoked=revoked)
        assert (error.code, error.layer) == ("revoked", "revocation")
    else:
        assert codec.verify(CODE, TRUST, SOON, revoked=revoked) == CLAIMS


def test_a_revocation_of_another_pseudonym_changes_nothing():
    assert codec.verify(CODE, TRUST, SOON, revoked={"p-someone-else": ISSUED + HOURS}) == CLAIMS


def test_a_code_is_for_the_compounds_in_its_list():
    error = refusal(CODE, compound=OTHER_COMPOUND)
    assert (error.code, error.layer) == ("not_for_this_compound", "compound")
    assert codec.verify(CODE, TRUST, SOON, compound=COMPOUND) == CLAIMS


CHECK_ORDER = [
    # (what is wrong, the error that wins)
    ({"trust": {}, "now": ISSUED - 1}, UnknownKey),
    ({"now": ISSUED + 9 * HOURS, "revoked": {CLAIMS.sub: ISSUED}}, Expired),
    ({"revoked": {CLAIMS.sub: ISSUED}, "compound": OTHER_COMPOUND}, Revoked),
    ({"now": ISSUED - 1, "compound": OTHER_COMPOUND}, NotYetValid),
]


@pytest.mark.parametrize(("options", "expected"), CHECK_ORDER)
def test_the_first_failure_in_the_documented_order_is_raised(options, expected):
    assert type(refusal(CODE, **options)) is expected


def test_a_bad_signature_is_found_before_the_time():
    assert isinstance(refusal(code_of(tampered_payload()), ISSUED + 100 * HOURS), BadSignature)


# --- keys ---------------------------------------------------------------------------------------------------


def test_the_kid_is_the_sha256_of_the_der_public_key():
    der = KEY.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert KEY.kid == hashlib.sha256(der).digest()[:8]


@pytest.mark.parametrize("password", [None, b"correct horse"])
def test_a_signing_key_survives_pem(password):
    pem = KEY.to_pem(password)
    assert (b"ENCRYPTED" in pem) == bool(password)
    again = SigningKey.from_pem(pem, password)
    assert again.kid == KEY.kid
    assert codec.verify(codec.encode(CLAIMS, again), TRUST, SOON) == CLAIMS


def test_signing_keys_are_p256():
    with pytest.raises(ValueError, match="P-256"):
        SigningKey(ec.generate_private_key(ec.SECP384R1()))


def self_signed(key) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wuyi test")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )


def test_a_trust_list_loads_pem_der_and_certificates():
    trust = TrustList()
    assert trust.add_pem(KEY.public_pem()) == KEY.kid
    der = OTHER_KEY.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert trust.add_der(der) == OTHER_KEY.kid
    certificate = self_signed(KEY.private_key)
    dcc_kid = certificate.fingerprint(hashes.SHA256())[:8]
    assert trust.add_certificate(certificate.public_bytes(serialization.Encoding.PEM)) == dcc_kid
    assert trust.add_certificate(certificate.public_bytes(serialization.Encoding.DER), kid=b"k") == b"k"
    assert len(trust) == 4 and set(trust) == {KEY.kid, OTHER_KEY.kid, dcc_kid, b"k"}
    assert codec.verify(CODE, trust, SOON) == CLAIMS


def test_a_trust_list_takes_p256_and_rsa_keys_only():
    trust = TrustList()
    trust.add(rsa.generate_private_key(65537, 2048).public_key())
    with pytest.raises(ValueError):
        trust.add(ec.generate_private_key(ec.SECP384R1()).public_key())


# --- an independent COSE library ----------------------------------------------------------------------------


def pycose_key(key: SigningKey) -> EC2Key:
    numbers = key.public_key.public_numbers()
    return EC2Key(crv=P256, x=numbers.x.to_bytes(32, "big"), y=numbers.y.to_bytes(32, "big"))


def test_pycose_decodes_and_verifies_our_codes():
    message = CoseMessage.decode(cose_of(CODE))
    assert isinstance(message, Sign1Message)
    assert message.phdr == {Algorithm: Es256, KID: KEY.kid}
    message.key = pycose_key(KEY)
    assert message.verify_signature()
    assert cbor2.loads(message.payload) == CLAIMS.to_cwt()


def test_pycose_sees_a_tampered_code_fail():
    message = CoseMessage.decode(tampered_payload())
    message.key = pycose_key(KEY)
    assert not message.verify_signature()


def test_we_verify_what_pycose_signs():
    numbers = KEY.private_key.private_numbers()
    key = EC2Key(
        crv=P256,
        x=numbers.public_numbers.x.to_bytes(32, "big"),
        y=numbers.public_numbers.y.to_bytes(32, "big"),
        d=numbers.private_value.to_bytes(32, "big"),
    )
    message = Sign1Message(
        phdr={Algorithm: Es256, KID: KEY.kid}, payload=cbor2.dumps(CLAIMS.to_cwt()), key=key
    )
    assert codec.verify(code_of(message.encode()), TRUST, SOON) == CLAIMS


# --- the QR -------------------------------------------------------------------------------------------------


def test_the_qr_is_alphanumeric_at_level_q():
    symbol = codec.qr(CODE)
    assert (symbol.mode, symbol.error) == ("alphanumeric", "Q")


def test_a_qr_image_reads_back_as_the_code():
    image = Image.open(io.BytesIO(codec.qr_png(CODE)))
    (barcode,) = zxingcpp.read_barcodes(image)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.ec_level == "Q"
    assert barcode.text == CODE
    assert codec.verify(barcode.text, TRUST, SOON) == CLAIMS


def test_the_svg_draws_the_same_symbol():
    svg = codec.qr_svg(CODE)
    assert svg.startswith("<svg viewBox") and svg == segno.make_qr(CODE, error="q", mode="alphanumeric").svg_inline(
        scale=4, omitsize=True  # a viewBox and no fixed size: the page scales it to the card
    )


# --- mutated codes ------------------------------------------------------------------------------------------


def test_every_single_character_substitution_is_refused():
    """All 44 other Base45 characters at every position: the whole neighbourhood of a code, not a sample."""
    refused = 0
    for at in range(len(CODE)):
        for character in base45.BASE45_CHARSET:
            if character != CODE[at]:
                with pytest.raises(CodeError):
                    codec.verify(CODE[:at] + character + CODE[at + 1 :], TRUST, SOON)
                refused += 1
    assert refused == 44 * len(CODE)


# --- hypothesis-mutated codes -------------------------------------------------------------------------------

CHARACTERS = st.sampled_from(base45.BASE45_CHARSET) | st.sampled_from("abcxyz#\n\x00é码")


@st.composite
def mutated_texts(draw) -> str:
    """The code with 1 to 3 characters replaced, inserted or deleted anywhere, the prefix included."""
    text = CODE
    spread = draw(
        st.randoms(use_true_random=True)
    )  # positions over the whole text: integers favour the first
    for _ in range(draw(st.integers(1, 3))):
        at = spread.randrange(len(text))
        operation = draw(st.sampled_from(["replace", "insert", "delete"]))
        if operation == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + draw(CHARACTERS) + text[at + (operation == "replace") :]
    return text


COSE = cose_of(CODE)


@st.composite
def mutated_messages(draw) -> bytes:
    """The COSE bytes of the code with 1 to 3 bytes changed (xor), inserted or deleted, to be re-encoded."""
    data = bytearray(COSE)
    spread = draw(st.randoms(use_true_random=True))
    for _ in range(draw(st.integers(1, 3))):
        at = spread.randrange(len(data))
        operation = draw(st.sampled_from(["xor", "insert", "delete"]))
        if operation == "xor":
            data[at] ^= draw(st.integers(1, 255))
        elif operation == "insert":
            data.insert(at, draw(st.integers(0, 255)))
        else:
            del data[at]
    return bytes(data)


MUTATIONS = settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(mutated_texts())
@MUTATIONS
def test_every_mutated_text_is_refused(text):
    assume(text != CODE)
    with pytest.raises(CodeError) as caught:
        codec.verify(text, TRUST, SOON)
    event(f"{caught.value.code} at {caught.value.layer}")


@given(mutated_messages())
@MUTATIONS
def test_every_mutated_message_is_refused(cose):
    assume(cose != COSE)
    with pytest.raises(CodeError) as caught:
        codec.verify(code_of(cose), TRUST, SOON)
    event(f"{caught.value.code} at {caught.value.layer}")


# --- the fast paths read as the general ones ---------------------------------------------------------------


def outcome(read, data):
    """What ``read(data)`` gives: its result, or the class of the CodeError it raises."""
    try:
        return read(data)
    except CodeError as error:
        return type(error)


def test_our_codes_take_the_common_shape():
    assert codec._common_cose(COSE) == codec._decode_cose_by_cbor(COSE)


SHAPES = {
    "ours": COSE,
    "tag 61 around": cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(COSE))),
    "a protected header of 24 bytes": sign1(CLAIMS.to_cwt(), protected={1: -7, 4: KEY.kid, 9: b"x" * 8}),
    "no protected header": sign1(CLAIMS.to_cwt(), protected={}, unprotected={1: -7, 4: KEY.kid}),
    "an unprotected kid": sign1(CLAIMS.to_cwt(), protected={1: -7}, unprotected={4: KEY.kid}),
    "a payload of 23 bytes": sign1(b"\x57" + b"x" * 22),
    "a payload's length in 2 bytes": sign1(b"\x59" + bytes(2) + b"x" * 300),
    "a payload's length not in its shortest form": COSE.replace(b"\x4d", b"\x58\x0d", 1),
    "a signature of 63 bytes": sign1(CLAIMS.to_cwt(), signature=bytes(63)),
    "a kid as text": sign1(CLAIMS.to_cwt(), protected={1: -7, 4: "kid"}),
    "a byte after": COSE + b"\x00",
    "a byte short": COSE[:-1],
    "empty": b"",
    "a bytearray": bytearray(COSE),
}


@pytest.mark.parametrize("data", SHAPES.values(), ids=SHAPES.keys())
def test_decode_cose_reads_every_shape_as_cbor2_decodes_it(data):
    assert outcome(codec.decode_cose, data) == outcome(codec._decode_cose_by_cbor, data)


@given(mutated_messages())
@settings(max_examples=3_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_common_shape_is_read_as_cbor2_decodes_it(cose):
    common = outcome(codec._common_cose, cose)
    event("common shape" if common is not None else "other shape")
    if common is not None:
        assert common == outcome(codec._decode_cose_by_cbor, cose)


ODD_VALUES = st.sampled_from([None, "", "x", 0, -1, 1.5, True, b"b", [], ["x"], {}, 2**62, -(2**62), 2**70])


@st.composite
def claim_maps(draw) -> dict:
    """Our CWT map with some of its values replaced by odd ones, and its cmp by a list of odd ones."""
    claims = CLAIMS.to_cwt()
    if draw(st.booleans()):
        claims[-260].update(kind="worker", role="courier")
    for key in draw(st.sets(st.sampled_from(["sub", "col", "nm", "kind", "role"]))):
        claims[-260][key] = draw(ODD_VALUES | st.sampled_from(list(codec.KINDS)))
    for key in draw(st.sets(st.sampled_from([1, 4, 5, 6]))):
        claims[key] = draw(ODD_VALUES | st.integers(ISSUED - 10, ISSUED + 10))
    if draw(st.booleans()):
        claims[-260]["cmp"] = draw(st.lists(ODD_VALUES | st.just(COMPOUND), max_size=3))
    return claims


@given(claim_maps())
@settings(max_examples=3_000, deadline=None)
def test_claims_from_a_cwt_map_are_what_the_constructor_accepts(cwt_map):
    """from_cwt's one-expression check lets through only what the constructor's full check lets through."""
    ours = cwt_map[-260]
    fields = dict(
        sub=ours.get("sub"),
        col=ours.get("col"),
        cmp=ours.get("cmp"),
        nm=ours.get("nm"),
        kind=ours.get("kind"),
        iss=cwt_map.get(1),
        iat=cwt_map.get(6),
        exp=cwt_map.get(4),
        nbf=cwt_map.get(5),
        role=ours.get("role"),
    )
    try:
        expected = Claims(**fields)
    except ValueError:
        expected = Malformed
    event("valid" if expected is not Malformed else "refused")
    assert outcome(Claims.from_cwt, cwt_map) == expected
