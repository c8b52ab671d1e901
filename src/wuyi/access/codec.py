"""The signed code: ``"WY1:" + base45(zlib(COSE_Sign1))`` (DESIGN.md §5), its encoder and its verifier.

The layers are those of the EU Digital COVID Certificate (eHealth Network, "Electronic Health Certificate
Container Format" (HCERT) 1.0.x; COSE: RFC 9052/9053; CWT: RFC 8392; Base45: RFC 9285) with our own prefix:

- prefix ``WY1:`` (a parameter: ``HC1:`` reads the DCC test vectors);
- Base45 of the zlib-compressed bytes;
- a COSE_Sign1 with CBOR tag 18, optionally inside the CWT tag 61; the protected header holds the algorithm
  (ES256, -7) and the kid; the verifier also takes either from the unprotected header when the protected one
  lacks it (a protected kid always wins), and verifies ES256 and PS256 (an algorithm must match its key's type);
- a CWT payload with iss (1), exp (4), iat (6), optionally nbf (5, a visitor's window not yet open), and under
  -260 our map ``{"sub", "col", "cmp", "nm", "kind"}``, with ``"role"`` on a worker's code and no other.

The kid of one of our keys is the first 8 bytes of the SHA-256 of its public key as DER SubjectPublicKeyInfo
(:func:`key_id`); a key taken from an X.509 certificate gets the DCC kid, the first 8 bytes of the SHA-256 of
the certificate's DER (:meth:`TrustList.add_certificate`).

:func:`verify` checks in this order and raises the first failure, each a :class:`CodeError` with a stable
``code``: prefix (``unknown_prefix``) → Base45, zlib, COSE structure (``malformed``) → kid in the trust list
(``unknown_key``) → signature (``bad_signature``) → the claims' structure (``malformed``) → time
(``not_yet_valid`` before nbf or iat, ``expired`` at or after exp) → revocation (``revoked``) → compound
(``not_for_this_compound``). Nothing under the signature is read beyond the COSE envelope until the signature
holds. A revocation names a pseudonym and a moment: it refuses every code of that pseudonym issued at or before
the moment (iat <= revoked since), so a code issued after it, the replacement, passes. A code is for a compound
when the compound's code is in its ``cmp`` list.

The decoder is strict, so that anything but a code we signed is refused and a code has one text: Base45 in
RFC 9285's alphabet only, one zlib stream with nothing after it and zero padding bits (see :func:`decompress`),
at most :data:`MAX_DECOMPRESSED_BYTES` inflated, exactly one CBOR item at each level. It reads what cbor2 5 and
6 decode to alike (lists or tuples, dicts or frozendicts).

Times are integer seconds since the epoch (UTC) or aware datetimes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import ClassVar, NamedTuple

import base45
import cbor2
import segno
from cbor2 import CBORTag
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

PREFIX = "WY1:"
DCC_PREFIX = "HC1:"

# COSE (RFC 9052/9053) and CWT (RFC 8392) numbers.
COSE_SIGN1_TAG = 18
CWT_TAG = 61
HEADER_ALG = 1
HEADER_KID = 4
ES256 = -7
PS256 = -37
CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_NBF = 5
CLAIM_IAT = 6
# The claim key of the DCC's health certificate, reused for ours (DESIGN.md §5).
CLAIM_WUYI = -260

KINDS = ("resident", "worker", "visitor", "paper")
_KINDS_WITHOUT_ROLE = ("resident", "visitor", "paper")
KID_BYTES = 8
ES256_SIGNATURE_BYTES = 64
# Ours are ~190 bytes decompressed, DCC codes a few KiB; inflating stops here and the code is refused.
MAX_DECOMPRESSED_BYTES = 64 * 1024
_NOT_BASE45 = 0xFF
_BASE45_VALUES = bytes(
    base45.BASE45_CHARSET.index(chr(byte)) if chr(byte) in base45.BASE45_CHARSET else _NOT_BASE45
    for byte in range(256)
)
# Masks of the first, second and third byte of every 3-byte group of an integer, for Base45 texts up to this long
# (a longer one, no code of ours, gets masks of its own).
BASE45_MASKED_CHARACTERS = 3 * 2048
# Codes signed by one key share their protected header: the last few are kept decoded, up to this size (a longer
# one is no header of ours and is decoded each time, so that no code can fill the cache with a big map).
CACHED_HEADERS = 64
CACHED_HEADER_BYTES = 64
_EMPTY_HEADER: Mapping = MappingProxyType({})
# A NumericDate beyond ±2**62 s is no date; the bound also keeps a huge CBOR integer out of messages.
TIME_LIMIT = 2**62
ZLIB_LEVEL = 9

PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey
# What a map may be: dict first, what cbor2 decodes (a frozendict from cbor2 6 is a Mapping), tried before the
# slower ABC; a tuple, as ``dict | Mapping`` would be built again at every check.
_MAPS = (dict, Mapping)


def _signing_algorithm() -> ec.ECDSA:
    """Deterministic ECDSA (RFC 6979) where OpenSSL has it (3.2+): the same claims and key give the same code,
    and no signature depends on the randomness of the machine that signs. Elsewhere the random nonce of ECDSA."""
    try:
        return ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    except UnsupportedAlgorithm:
        return ec.ECDSA(hashes.SHA256())


_SIGNING = _signing_algorithm()
# The verifier hashes the Sig_structure itself: hashlib's SHA-256 and a prehashed verify take half a microsecond
# less than cryptography hashing inside verify (bench/codec.py's machine); the check is the same ES256.
_ES256_PREHASHED = ec.ECDSA(Prehashed(hashes.SHA256()))
_PS256 = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


# --- errors ----------------------------------------------------------------------------------------------


class CodeError(Exception):
    """A code refused: ``code`` is stable for machines, ``layer`` says where it failed: ``prefix``, ``base45``,
    ``zlib``, ``cose`` (structure, kid, signature), ``cbor``, ``cwt``, ``claims``, ``time``, ``revocation`` or
    ``compound``."""

    code: ClassVar[str] = "invalid"
    default_layer: ClassVar[str] = ""

    def __init__(self, message: str, *, layer: str | None = None):
        super().__init__(message)
        self.message = message
        self.layer = layer or self.default_layer


class Malformed(CodeError):
    """Not a code: bad Base45, zlib, CBOR, COSE or claims structure (``layer`` names which)."""

    code = "malformed"


class UnknownPrefix(CodeError):
    code = "unknown_prefix"
    default_layer = "prefix"


class UnknownKey(CodeError):
    code = "unknown_key"
    default_layer = "cose"


class BadSignature(CodeError):
    code = "bad_signature"
    default_layer = "cose"


class Expired(CodeError):
    code = "expired"
    default_layer = "time"


class NotYetValid(CodeError):
    code = "not_yet_valid"
    default_layer = "time"


class Revoked(CodeError):
    code = "revoked"
    default_layer = "revocation"


class NotForThisCompound(CodeError):
    code = "not_for_this_compound"
    default_layer = "compound"


# --- keys ------------------------------------------------------------------------------------------------


def key_id(public_key: PublicKey) -> bytes:
    """Our kid: the first 8 bytes of the SHA-256 of the public key as DER SubjectPublicKeyInfo."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).digest()[:KID_BYTES]


def certificate_kid(certificate: x509.Certificate) -> bytes:
    """The DCC kid of a signer certificate: the first 8 bytes of the SHA-256 of its DER."""
    return certificate.fingerprint(hashes.SHA256())[:KID_BYTES]


@dataclass(frozen=True)
class SigningKey:
    """A P-256 private key and its kid. Codes are signed ES256."""

    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    kid: bytes = field(init=False)

    def __post_init__(self):
        if not isinstance(self.private_key, ec.EllipticCurvePrivateKey) or not isinstance(
            self.private_key.curve, ec.SECP256R1
        ):
            raise ValueError("a signing key must be a P-256 (secp256r1) private key")
        object.__setattr__(self, "kid", key_id(self.private_key.public_key()))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes | None = None) -> SigningKey:
        return cls(serialization.load_pem_private_key(pem, password=password))

    def to_pem(self, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM, encrypted with the best available algorithm when a password is given."""
        encryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        )
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.private_key.public_key()

    def public_pem(self) -> bytes:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


class TrustList(Mapping[bytes, PublicKey]):
    """kid → public key, loaded once so that :func:`verify` parses no key."""

    def __init__(self, keys: Mapping[bytes, PublicKey] | None = None):
        self._keys: dict[bytes, PublicKey] = {}
        for kid, key in (keys or {}).items():
            self.add(key, kid=kid)

    @classmethod
    def of(cls, *keys: PublicKey | SigningKey) -> TrustList:
        trust = cls()
        for key in keys:
            trust.add(key.public_key if isinstance(key, SigningKey) else key)
        return trust

    def add(self, public_key: PublicKey, *, kid: bytes | None = None) -> bytes:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            if not isinstance(public_key.curve, ec.SECP256R1):
                raise ValueError("only P-256 EC keys verify ES256")
        elif not isinstance(public_key, rsa.RSAPublicKey):
            raise ValueError("a trusted key is a P-256 EC key or an RSA key")
        kid = key_id(public_key) if kid is None else bytes(kid)
        self._keys[kid] = public_key
        return kid

    def add_pem(self, pem: bytes, *, kid: bytes | None = None) -> bytes:
        """A SubjectPublicKeyInfo PEM (``-----BEGIN PUBLIC KEY-----``)."""
        return self.add(serialization.load_pem_public_key(pem), kid=kid)

    def add_der(self, der: bytes, *, kid: bytes | None = None) -> bytes:
        """A DER SubjectPublicKeyInfo."""
        return self.add(serialization.load_der_public_key(der), kid=kid)

    def add_certificate(self, certificate: bytes | x509.Certificate, *, kid: bytes | None = None) -> bytes:
        """An X.509 certificate (PEM, DER or loaded); its kid defaults to the DCC one, :func:`certificate_kid`."""
        if not isinstance(certificate, x509.Certificate):
            if certificate.lstrip().startswith(b"-----BEGIN"):
                certificate = x509.load_pem_x509_certificate(certificate)
            else:
                certificate = x509.load_der_x509_certificate(certificate)
        return self.add(certificate.public_key(), kid=certificate_kid(certificate) if kid is None else kid)

    def __getitem__(self, kid: bytes) -> PublicKey:
        return self._keys[kid]

    def get(self, kid, default=None):
        return self._keys.get(kid, default)

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


# --- claims ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claims:
    """What a code says: a pseudonym, a colour, the compounds it opens, a masked name, a kind, and its times."""

    sub: str
    col: str
    cmp: tuple[str, ...]
    nm: str
    kind: str
    iss: str
    iat: int
    exp: int
    nbf: int | None = None
    role: str | None = None  # a worker's role (cadre, courier…); only on worker codes

    def __post_init__(self):
        object.__setattr__(self, "cmp", tuple(self.cmp))
        problems = _claim_problems(self)
        if problems:
            raise ValueError("; ".join(problems))

    def to_cwt(self) -> dict:
        cwt = {
            CLAIM_ISS: self.iss,
            CLAIM_EXP: self.exp,
            CLAIM_IAT: self.iat,
            CLAIM_WUYI: {
                "sub": self.sub,
                "col": self.col,
                "cmp": list(self.cmp),
                "nm": self.nm,
                "kind": self.kind,
            },
        }
        if self.role is not None:
            cwt[CLAIM_WUYI]["role"] = self.role
        if self.nbf is not None:
            cwt[CLAIM_NBF] = self.nbf
        return cwt

    @classmethod
    def from_cwt(cls, cwt: Mapping) -> Claims:
        """Our claims from a decoded CWT map (:func:`decode_cwt`); :class:`Malformed` when they do not fit."""
        ours = cwt.get(CLAIM_WUYI)
        if not isinstance(ours, _MAPS):
            raise Malformed(f"claim {CLAIM_WUYI} is not a map", layer="claims")
        get = ours.get
        cmp = get("cmp")
        if not (isinstance(cmp, (list, tuple)) or _is_sequence(cmp)):
            raise Malformed("cmp is not an array", layer="claims")
        # Built without __init__, whose __post_init__ would validate a copy of the fields: validated just below,
        # once per code verified, by one expression that holds for every well-formed code of one compound, or
        # else by _claim_problems, which says what is wrong.
        claims = object.__new__(cls)
        fields = claims.__dict__
        fields["sub"] = sub = get("sub")
        fields["col"] = col = get("col")
        fields["cmp"] = cmp = tuple(cmp)
        fields["nm"] = nm = get("nm")
        fields["kind"] = kind = get("kind")
        fields["iss"] = iss = cwt.get(CLAIM_ISS)
        fields["iat"] = iat = cwt.get(CLAIM_IAT)
        fields["exp"] = exp = cwt.get(CLAIM_EXP)
        fields["nbf"] = nbf = cwt.get(CLAIM_NBF)
        fields["role"] = role = get("role")
        if not (
            type(sub) is str
            and sub
            and type(col) is str
            and col
            and type(nm) is str
            and nm
            and type(iss) is str
            and iss
            and type(iat) is int
            and type(exp) is int
            and -TIME_LIMIT < iat < exp < TIME_LIMIT
            and (nbf is None or type(nbf) is int and -TIME_LIMIT < nbf < TIME_LIMIT)
            and (
                kind in _KINDS_WITHOUT_ROLE
                and role is None
                or kind == "worker"
                and type(role) is str
                and role
            )
            and len(cmp) == 1
            and type(cmp[0]) is str
            and cmp[0]
        ):
            problems = _claim_problems(claims)
            if problems:
                raise Malformed("; ".join(problems), layer="claims")
        return claims


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_seconds(value) -> bool:
    """An integer NumericDate within ±2**62 seconds: what our claims hold."""
    return isinstance(value, int) and not isinstance(value, bool) and -TIME_LIMIT < value < TIME_LIMIT


def _is_time(value) -> bool:
    """A NumericDate we can compare and print: a number within ±2**62 seconds (so neither infinite nor NaN)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and -TIME_LIMIT < value < TIME_LIMIT


def _is_sequence(value) -> bool:
    if isinstance(value, (list, tuple)):  # what cbor2 decodes an array to, checked before the slower ABC
        return True
    return isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray)


def _claim_problems(claims: Claims) -> list[str]:
    """What keeps ``claims`` from being a code's, each rule once (it runs on every code verified)."""
    problems = []
    if not isinstance(claims.sub, str) or not claims.sub:
        problems.append("sub must be a non-empty string")
    if not isinstance(claims.col, str) or not claims.col:
        problems.append("col must be a non-empty string")
    if not isinstance(claims.nm, str) or not claims.nm:
        problems.append("nm must be a non-empty string")
    if not isinstance(claims.iss, str) or not claims.iss:
        problems.append("iss must be a non-empty string")
    for code in claims.cmp:
        if not isinstance(code, str) or not code:
            problems.append("cmp must hold non-empty strings")
            break
    if claims.kind not in KINDS:
        problems.append(f"kind must be one of {', '.join(KINDS)}")
    if not _is_seconds(claims.iat):
        problems.append("iat must be an integer number of seconds")
    if not _is_seconds(claims.exp):
        problems.append("exp must be an integer number of seconds")
    if claims.nbf is not None and not _is_seconds(claims.nbf):
        problems.append("nbf must be an integer number of seconds")
    if (claims.kind == "worker") != (claims.role is not None):
        problems.append("a worker's code has a role, and no other code has one")
    elif claims.role is not None and (not isinstance(claims.role, str) or not claims.role):
        problems.append("role must be a non-empty string")
    if not problems and claims.exp <= claims.iat:
        problems.append("exp must be after iat")
    return problems


# --- the layers ------------------------------------------------------------------------------------------


def unprefix(text: str, prefix: str = PREFIX) -> str:
    if not isinstance(text, str):
        raise Malformed("a code is text", layer="prefix")
    if not text.startswith(prefix):
        raise UnknownPrefix(f"does not start with {prefix!r}")
    return text[len(prefix) :]


def b45decode(text: str) -> bytes:
    """Strict Base45 (RFC 9285): only its 45 characters (no trailing newline, no lower case), every group in range.

    Seven times faster than ``base45.b45decode``, which the tests compare it with: the characters' values, a byte
    each, are read as one big integer whose 3-byte digits are the groups (c, d, e); masks and shifts turn every
    digit into c + 45·d + 2025·e at once, and no digit carries (2025·44 + 45·44 + 44 < 2**24).
    """
    try:
        values = text.encode("ascii").translate(_BASE45_VALUES)
    except UnicodeEncodeError as exc:
        raise Malformed("a character outside Base45", layer="base45") from exc
    if _NOT_BASE45 in values:
        raise Malformed("a character outside Base45", layer="base45")
    tail = len(values) % 3
    if tail == 1:
        raise Malformed("Base45 of a length that no bytes have", layer="base45")
    if tail == 2:
        values += b"\0"  # a final pair (c, d) is the group (c, d, 0), whose value must fit in one byte
    groups = len(values) // 3
    first, second, third = _MASKS if groups <= BASE45_MASKED_CHARACTERS // 3 else _masks(groups)
    number = int.from_bytes(values, "big")
    sums = ((number & first) >> 16) + 45 * ((number & second) >> 8) + 2025 * (number & third)
    if sums & first:
        raise Malformed("a Base45 group over 65535", layer="base45")
    out = bytearray(sums.to_bytes(3 * groups, "big"))
    del out[0::3]  # the zero top byte of every 3-byte sum
    if tail == 2:
        if out[-2]:
            raise Malformed("a final Base45 pair over 255", layer="base45")
        del out[-2]
    return bytes(out)


def _masks(groups: int) -> tuple[int, int, int]:
    first, second, third = (
        int.from_bytes(mask * groups, "big") for mask in (b"\xff\0\0", b"\0\xff\0", b"\0\0\xff")
    )
    return first, second, third


# Masks this long serve every shorter text too: ``&`` of two non-negative integers stops at the shorter one.
_MASKS = _masks(BASE45_MASKED_CHARACTERS // 3)


def decompress(data: bytes) -> bytes:
    """One whole zlib stream, nothing after it, at most :data:`MAX_DECOMPRESSED_BYTES` inflated, zero padding.

    Deflate ignores the bits that pad its last byte, so a code with a padding bit flipped would inflate to the
    same signed message: such a code is refused, which leaves one text per message for any edit of a
    character (zlib writes zero padding, as does every deflate encoder we know of).
    """
    out = _inflate(data)
    if data[-5] and not _zero_padding(data, out):  # a last byte of zero has no bit set, padding or not
        raise Malformed("non-zero padding bits in the deflate stream", layer="zlib")
    return out


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_DECOMPRESSED_BYTES)
    except zlib.error as exc:
        raise Malformed(f"invalid zlib data ({exc})", layer="zlib") from exc
    if inflater.unconsumed_tail:
        raise Malformed("inflates past the size limit", layer="zlib")
    if not inflater.eof:
        raise Malformed("truncated zlib stream", layer="zlib")
    if inflater.unused_data:
        raise Malformed("data after the zlib stream", layer="zlib")
    return out


def _zero_padding(data: bytes, out: bytes) -> bool:
    """Whether the padding bits of the last deflate byte (before the 4-byte Adler-32) are zero.

    Padding takes the top bits of that byte. Clear its highest set bit: if the stream still inflates to the
    same bytes, that bit was padding. Had it been data it would lie in the end-of-block code (or in a stored
    block's last byte), and changing it adds output or breaks the stream.
    """
    last = data[-5]
    if not last:
        return True
    cleared = bytearray(data)
    cleared[-5] = last & ~(1 << (last.bit_length() - 1))
    try:
        return _inflate(bytes(cleared)) != out
    except Malformed:
        return True


def decode_cbor(data: bytes, *, layer: str = "cbor"):
    """Exactly one CBOR data item, nothing after it.

    cbor2's C decoder (5.8 and later) reads ``read_size`` bytes at a time, and only when it needs more. Asked
    first for all but the last byte, it reads that byte, and the stream reaches its end, only if the item goes on
    to the end: the stream's position still tells whether anything follows the item, after two reads instead of
    one per item. (The tests put one byte after an item, the case this hangs on, at each level.) The arguments
    are positional because the C decoder takes longer to parse a keyword than to decode a small item.
    """
    stream = io.BytesIO(data)
    read_size = len(data) - 1 if len(data) > 1 else 1
    try:
        value = cbor2.CBORDecoder(stream, None, None, "strict", read_size).decode()
    except (
        Exception
    ) as exc:  # cbor2 raises CBORDecodeError, but also ValueError, OverflowError, … on bad input
        raise Malformed(f"invalid CBOR ({exc.__class__.__name__})", layer=layer) from exc
    if stream.tell() != len(data):
        raise Malformed("data after the CBOR item", layer=layer)
    return value


class CoseSign1(NamedTuple):
    """A decoded, not yet verified COSE_Sign1. ``kid`` and ``alg`` are the protected header's, or else the
    unprotected header's, or None."""

    protected_bytes: bytes
    protected: Mapping
    unprotected: Mapping
    payload: bytes
    signature: bytes
    kid: bytes | None
    alg: object

    def to_be_signed(self) -> bytes:
        return sig_structure(self.protected_bytes, self.payload)


def sig_structure(protected_bytes: bytes, payload: bytes) -> bytes:
    """The Sig_structure of a COSE_Sign1 without external data (RFC 9052 §4.4), encoded as cbor2 encodes
    ``["Signature1", protected_bytes, b"", payload]``: an array of 4, the text, then three byte strings."""
    header_length, payload_length = len(protected_bytes), len(payload)
    return b"".join(
        (
            b"\x84\x6aSignature1",
            _SHORT_BYTE_STRING_HEADS[header_length]
            if header_length < 2**8
            else _byte_string_head(header_length),
            protected_bytes,
            b"\x40",
            _SHORT_BYTE_STRING_HEADS[payload_length]
            if payload_length < 2**8
            else _byte_string_head(payload_length),
            payload,
        )
    )


def _byte_string_head(length: int) -> bytes:
    """The head of a CBOR byte string of ``length`` bytes, its length in the shortest form (RFC 8949 §3, §4.2.1)."""
    if length < 2**8:
        return _SHORT_BYTE_STRING_HEADS[length]
    if length < 2**16:
        return b"\x59" + length.to_bytes(2, "big")
    if length < 2**32:
        return b"\x5a" + length.to_bytes(4, "big")
    return b"\x5b" + length.to_bytes(8, "big")


_SHORT_BYTE_STRING_HEADS = tuple(
    bytes((0x40 + length,)) if length < 24 else bytes((0x58, length)) for length in range(2**8)
)


def decode_cose(data: bytes) -> CoseSign1:
    """A COSE_Sign1 tagged 18, bare or inside the CWT tag 61."""
    message = _common_cose(data)
    return _decode_cose_by_cbor(data) if message is None else message


def _decode_cose_by_cbor(data: bytes) -> CoseSign1:
    item = decode_cbor(data, layer="cose")
    if isinstance(item, CBORTag) and item.tag == CWT_TAG:
        item = item.value
    if not (isinstance(item, CBORTag) and item.tag == COSE_SIGN1_TAG):
        raise Malformed("not a COSE_Sign1 (CBOR tag 18)", layer="cose")
    parts = item.value
    if not (isinstance(parts, (list, tuple)) or _is_sequence(parts)) or len(parts) != 4:
        raise Malformed("a COSE_Sign1 is an array of 4", layer="cose")
    protected_bytes, unprotected, payload, signature = parts
    if not isinstance(protected_bytes, bytes):
        raise Malformed("the protected header is not a byte string", layer="cose")
    if not protected_bytes:
        protected = _EMPTY_HEADER
    elif len(protected_bytes) <= CACHED_HEADER_BYTES:
        protected = _decode_short_protected(protected_bytes)
    else:
        protected = _decode_header(protected_bytes)
    if not isinstance(unprotected, _MAPS):
        raise Malformed("a header is not a map", layer="cose")
    if not isinstance(payload, bytes):
        raise Malformed("the payload is not a byte string", layer="cose")
    if not isinstance(signature, bytes):
        raise Malformed("the signature is not a byte string", layer="cose")
    kid = protected[HEADER_KID] if HEADER_KID in protected else unprotected.get(HEADER_KID)
    if kid is not None and not isinstance(kid, bytes):
        raise Malformed("the kid is not a byte string", layer="cose")
    alg = protected[HEADER_ALG] if HEADER_ALG in protected else unprotected.get(HEADER_ALG)
    return CoseSign1(protected_bytes, protected, unprotected, payload, signature, kid, alg)


def _common_cose(data: bytes) -> CoseSign1 | None:
    """The COSE_Sign1 of ``data`` if it has the shape :func:`encode` writes, read from its places; else None,
    and :func:`decode_cose` decodes it.

    The shape is tag 18 (``d2``), an array of 4 (``84``), a protected header of 1 to 23 bytes (``41``…``57``),
    an empty unprotected map (``a0``), a payload of up to 255 bytes (``58`` and its length) and a signature of 64
    bytes (``58 40``) that ends the data. Bytes of this shape are one CBOR item, which cbor2 decodes to these
    very parts: both ways give the same message, this one in a third of the time.
    """
    if type(data) is not bytes:  # a bytearray's slices would be bytearrays; cbor2 reads bytes out of it
        return None
    try:
        if data[0] != 0xD2 or data[1] != 0x84 or not 0x41 <= data[2] <= 0x57:
            return None
        header_end = 3 + data[2] - 0x40
        if data[header_end] != 0xA0 or data[header_end + 1] != 0x58:
            return None
        payload_end = header_end + 3 + data[header_end + 2]
        if data[payload_end] != 0x58 or data[payload_end + 1] != 0x40 or len(data) != payload_end + 66:
            return None
    except IndexError:  # shorter than the shape
        return None
    protected_bytes = data[3:header_end]
    protected = _decode_short_protected(protected_bytes)  # at most 23 bytes: CACHED_HEADER_BYTES or fewer
    kid = protected.get(HEADER_KID)  # the unprotected header is empty
    if kid is not None and not isinstance(kid, bytes):
        raise Malformed("the kid is not a byte string", layer="cose")
    payload = data[header_end + 3 : payload_end]
    return CoseSign1(
        protected_bytes,
        protected,
        _EMPTY_HEADER,
        payload,
        data[payload_end + 2 :],
        kid,
        protected.get(HEADER_ALG),
    )


@functools.lru_cache(maxsize=CACHED_HEADERS)
def _decode_short_protected(protected_bytes: bytes) -> Mapping:
    """A protected header kept decoded (see :data:`CACHED_HEADERS`), so read-only. Refusals are not kept."""
    return MappingProxyType(_decode_header(protected_bytes))


def _decode_header(protected_bytes: bytes) -> Mapping:
    header = decode_cbor(protected_bytes, layer="cose")
    if not isinstance(header, Mapping):
        raise Malformed("a header is not a map", layer="cose")
    return header


def find_key(message: CoseSign1, trust: Mapping[bytes, PublicKey]) -> PublicKey:
    kid = message.kid
    if kid is None:
        raise UnknownKey("no kid")
    key = trust.get(kid)
    if key is None:
        raise UnknownKey(f"kid {kid.hex()} is not in the trust list")
    return key


def verify_signature(message: CoseSign1, public_key: PublicKey) -> None:
    """ES256 with a P-256 key or PS256 (salt length = 32, the digest's) with an RSA key; else BadSignature."""
    alg = message.alg
    if type(alg) is not int and not _is_int(alg):  # -7.0 or a bool names no algorithm
        alg = None
    signature = message.signature
    to_be_signed = sig_structure(message.protected_bytes, message.payload)
    try:
        if alg == ES256 and _is_ec_public_key(public_key):
            if len(signature) != ES256_SIGNATURE_BYTES:
                raise BadSignature("an ES256 signature is 64 bytes")
            digest = hashlib.sha256(to_be_signed).digest()
            public_key.verify(_der_signature(signature), digest, _ES256_PREHASHED)
        elif alg == PS256 and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, to_be_signed, _PS256, hashes.SHA256())
        else:
            raise BadSignature("the algorithm is not ES256 or PS256 with a key of its type")
    except InvalidSignature as exc:
        raise BadSignature("the signature does not verify") from exc


def _is_ec_public_key(key) -> bool:
    """``isinstance(key, ec.EllipticCurvePublicKey)``: the ABC's check takes longer than hashing a code (0.4 µs),
    so the key types that passed it are kept and known again by their type."""
    if type(key) in _EC_PUBLIC_KEY_TYPES:
        return True
    if isinstance(key, ec.EllipticCurvePublicKey):
        _EC_PUBLIC_KEY_TYPES.add(type(key))
        return True
    return False


_EC_PUBLIC_KEY_TYPES: set[type] = set()


def _der_signature(raw: bytes) -> bytes:
    """r ‖ s, COSE's form of an ES256 signature (RFC 9053 §2.1), as the DER SEQUENCE of two INTEGERs that OpenSSL
    verifies: the bytes of cryptography's ``encode_dss_signature`` in a third of its time (for halves of up to 60
    bytes, whose DER lengths fit in one byte)."""
    half = len(raw) // 2
    r, s = raw[:half].lstrip(b"\0"), raw[half:].lstrip(b"\0")
    # A DER INTEGER has no leading zero byte but one that keeps the next byte's top bit from reading as a sign.
    if not r or r[0] & 0x80:
        r = b"\0" + r
    if not s or s[0] & 0x80:
        s = b"\0" + s
    return b"\x30%c\x02%c%b\x02%c%b" % (len(r) + len(s) + 4, len(r), r, len(s), s)


def _raw_signature(der: bytes) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def decode_cwt(payload: bytes) -> Mapping:
    """The CWT claims map; iss must be text and exp, nbf, iat numbers where present."""
    claims = _decode_cwt_map(payload)
    if not isinstance(claims.get(CLAIM_ISS, ""), str):
        raise Malformed("iss is not text", layer="cwt")
    for claim in (CLAIM_EXP, CLAIM_NBF, CLAIM_IAT):
        value = claims.get(claim)
        if value is not None and not _is_time(value):
            raise Malformed(f"claim {claim} is not a NumericDate", layer="cwt")
    return claims


def _decode_cwt_map(payload: bytes) -> Mapping:
    claims = decode_cbor(payload, layer="cwt")
    if not isinstance(claims, _MAPS):
        raise Malformed("the CWT payload is not a map", layer="cwt")
    return claims


def check_times(cwt: Mapping, now: int | float | datetime, *, leeway: int = 0) -> None:
    """NotYetValid before nbf or iat, Expired at or after exp (RFC 8392), each give or take ``leeway`` seconds."""
    _check_window(cwt.get(CLAIM_NBF), cwt.get(CLAIM_IAT), cwt.get(CLAIM_EXP), _seconds(now), leeway)


def _check_window(nbf, iat, exp, now: int | float, leeway: int) -> None:
    if nbf is not None and now + leeway < nbf:
        raise NotYetValid(f"valid from {int(nbf)} (nbf), now {int(now)}")
    if iat is not None and now + leeway < iat:
        raise NotYetValid(f"valid from {int(iat)} (iat), now {int(now)}")
    if exp is not None and now - leeway >= exp:
        raise Expired(f"expired at {int(exp)}, now {int(now)}")


def _seconds(moment: int | float | datetime) -> float:
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("a naive datetime: give an aware one (UTC)")
        return moment.timestamp()
    return moment


# --- encode and verify -----------------------------------------------------------------------------------


def encode(claims: Claims, key: SigningKey, *, prefix: str = PREFIX) -> str:
    """The code text for ``claims``, signed ES256 by ``key``."""
    protected_bytes = cbor2.dumps({HEADER_ALG: ES256, HEADER_KID: key.kid}, canonical=True)
    payload = cbor2.dumps(claims.to_cwt(), canonical=True)
    der = key.private_key.sign(sig_structure(protected_bytes, payload), _SIGNING)
    message = CBORTag(COSE_SIGN1_TAG, [protected_bytes, {}, payload, _raw_signature(der)])
    compressed = zlib.compress(cbor2.dumps(message), ZLIB_LEVEL)
    return prefix + base45.b45encode(compressed).decode("ascii")


def verify(
    text: str,
    trust: Mapping[bytes, PublicKey],
    now: int | float | datetime,
    *,
    prefix: str = PREFIX,
    revoked: Mapping[str, int] | None = None,
    compound: str | None = None,
    leeway: int = 0,
) -> Claims:
    """The claims of a valid code, or the first :class:`CodeError` in the order of the module docstring.

    ``revoked`` maps a pseudonym to the moment (epoch seconds) since which its codes are revoked; ``compound``
    is the code of the compound whose gate asks; ``leeway`` forgives that many seconds of clock drift.
    """
    message = decode_cose(decompress(b45decode(unprefix(text, prefix))))
    verify_signature(message, find_key(message, trust))
    # Not decode_cwt: its checks of iss and the times are Claims.from_cwt's, only looser.
    claims = Claims.from_cwt(_decode_cwt_map(message.payload))
    _check_window(claims.nbf, claims.iat, claims.exp, now if type(now) is int else _seconds(now), leeway)
    if revoked:
        since = revoked.get(claims.sub)
        if since is not None and claims.iat <= since:
            raise Revoked(f"{claims.sub} revoked since {since}, code issued {claims.iat}")
    if compound is not None and compound not in claims.cmp:
        raise NotForThisCompound(f"not for compound {compound}")
    return claims


# --- the QR ----------------------------------------------------------------------------------------------


def qr(text: str) -> segno.QRCode:
    """The QR of a code: alphanumeric mode (Base45's alphabet is QR's), error correction Q, as DCC codes."""
    return segno.make_qr(text, error="q", mode="alphanumeric", boost_error=False)


def qr_svg(text: str, *, scale: int = 4) -> str:
    return qr(text).svg_inline(scale=scale, omitsize=True)  # a viewBox: the page scales it to fit


def qr_png(text: str, *, scale: int = 4) -> bytes:
    out = io.BytesIO()
    qr(text).save(out, kind="png", scale=scale)
    return out.getvalue()
