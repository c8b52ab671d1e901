"""Signing keys: the current key, rotation, the trust list and signed documents for gate kits.

Private keys are stored only as PKCS#8 PEM encrypted with ``settings.WUYI_KEY_PASSPHRASE``; a decrypted key is
kept in this process's memory by kid. ``rotate`` makes a new key current and retires the others: a retired key
signs nothing more, and its public key stays on the trust list until the last code it signed has expired.

The trust list and the revocation list are served as signed JSON documents: ``{"document": {...}, "kid": hex,
"signature": base64}``, the signature ES256 (raw r‖s) over the UTF-8 of the document's canonical JSON (sorted
keys, no spaces). A gate kit is given the trust list when it is set up (over TLS, with its token) and from
then on accepts a new list only if a key it already trusts signed it, so keys roll over without a second
channel.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from functools import lru_cache

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from wuyi.access import codec
from wuyi.access.models import Code, SigningKey

ROLLOVER_GRACE = dt.timedelta(days=7)  # how long a kit may stay offline across a key rotation


@lru_cache(maxsize=64)
def _decrypted(kid: str, pem: bytes) -> codec.SigningKey:
    return codec.SigningKey.from_pem(pem, settings.WUYI_KEY_PASSPHRASE)


def signer(stored: SigningKey) -> codec.SigningKey:
    return _decrypted(stored.kid, bytes(stored.private_pem))


def _create(now: dt.datetime) -> SigningKey:
    key = codec.SigningKey.generate()
    return SigningKey.objects.create(
        kid=key.kid.hex(),
        public_der=key.public_key.public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo),
        private_pem=key.to_pem(settings.WUYI_KEY_PASSPHRASE),
    )


def current() -> SigningKey:
    """The key that signs new codes (made on first use)."""
    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-pk").first()
    if key is not None:
        return key
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().filter(retired_at__isnull=True).first()
        return key or _create(timezone.now())


@transaction.atomic
def rotate(now: dt.datetime | None = None) -> SigningKey:
    """A new current key; the others retire, trusted until the last code each signed expires, and at least
    ROLLOVER_GRACE: a gate kit offline at the rotation accepts the next trust list only if a key it trusts
    signed it, so the old key must still be on the list (and cross-sign it) when the kit comes back."""
    now = now or timezone.now()
    for old in SigningKey.objects.select_for_update().filter(retired_at__isnull=True):
        last = Code.objects.filter(key=old).aggregate(last=Max("expires_at"))["last"]
        old.retired_at = now
        old.trusted_until = max(last or now, now + ROLLOVER_GRACE)
        old.save(update_fields=["retired_at", "trusted_until"])
    return _create(now)


def trusted(now: dt.datetime | None = None):
    """The keys a verifier trusts now: the current ones and the retired ones whose codes still live."""
    now = now or timezone.now()
    return SigningKey.objects.filter(Q(retired_at__isnull=True) | Q(trusted_until__gt=now)).order_by("created_at")


_trust_cache: dict[tuple[str, ...], codec.TrustList] = {}


def trust_list(now: dt.datetime | None = None) -> codec.TrustList:
    """The trust list now: one small query for the kids trusted; their keys parsed once per process."""
    kids = tuple(trusted(now).values_list("kid", flat=True))
    cached = _trust_cache.get(kids)
    if cached is None:
        cached = codec.TrustList()
        for der in SigningKey.objects.filter(kid__in=kids).values_list("public_der", flat=True):
            cached.add_der(bytes(der))
        _trust_cache.clear()
        _trust_cache[kids] = cached
    return cached


def _canonical(document: dict) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_document(document: dict, stored: SigningKey | None = None) -> dict:
    """``document`` with the ES256 signature of ``stored`` (default: the current key) over its canonical JSON."""
    stored = stored or current()
    der = signer(stored).private_key.sign(_canonical(document), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return {"document": document, "kid": stored.kid, "signature": base64.b64encode(raw).decode()}


class BadDocument(ValueError):
    """A signed document whose signature does not check against the trust list given."""


def open_document(signed: dict, trust: codec.TrustList) -> dict:
    """The document of ``signed`` if a key of ``trust`` signed it; else BadDocument."""
    try:
        key = trust[bytes.fromhex(signed["kid"])]
        raw = base64.b64decode(signed["signature"], validate=True)
        document = signed["document"]
    except (KeyError, ValueError, TypeError) as e:
        raise BadDocument(f"not a signed document of a trusted key: {e}") from None
    if len(raw) != 64:
        raise BadDocument("the signature is not 64 bytes")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, _canonical(document), ec.ECDSA(hashes.SHA256()))
    except Exception:
        raise BadDocument("the signature does not match") from None
    return document


def trust_document(now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "kind": "wuyi-trust-list",
        "issued_at": int(now.timestamp()),
        "keys": [
            {"kid": k.kid, "public_key": base64.b64encode(bytes(k.public_der)).decode(),
             "trusted_until": int(k.trusted_until.timestamp()) if k.trusted_until else None}
            for k in trusted(now)
        ],
    }


def trust_list_from_document(document: dict) -> codec.TrustList:
    trust = codec.TrustList()
    for entry in document.get("keys", []):
        trust.add_der(base64.b64decode(entry["public_key"]))
    return trust
