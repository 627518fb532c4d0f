"""Issuer keys: controller documents, did:web, Multikey documents and JWKS."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from ..keys import ed25519_public_key_to_multibase, rsa_public_jwk
from .credentials import _profile
from .inputs import DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT, OB3_CONTEXT, Issuer

_LOOPBACK_HOSTS = frozenset({"localhost", "[::1]"})
# A path segment of a did:web: URL-safe characters and percent-escapes only.
_PATH_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=@-]|%[0-9A-Fa-f]{2})+")
_HOST_PORT = re.compile(r"(?P<host>\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(?P<port>[0-9]{1,5}))?")

# --- keys: controller documents, did:web, JWKS -------------------------------------------------


def verification_method_id(controller: str, public_key: Ed25519PublicKey) -> str:
    """``<controller>#<publicKeyMultibase>``: the key id a Data Integrity proof names.

    This form lets a verifier (the 1EdTech validator among them) read the key from the id
    itself, and stays unique across key rotation (conformance kit "Issuer gotchas" #3).
    """
    return f"{controller}#{ed25519_public_key_to_multibase(public_key)}"


def _multikey(controller: str, public_key: Ed25519PublicKey) -> dict[str, str]:
    # Controlled Identifiers v1.0 §2.2.2 Multikey.
    return {
        "id": verification_method_id(controller, public_key),
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": ed25519_public_key_to_multibase(public_key),
    }


def controller_document(
    *,
    id: str,
    ed25519_keys: Sequence[Ed25519PublicKey],
    profile: Issuer | None = None,
) -> dict[str, Any]:
    """A controller document for ``id`` (a DID or an https issuer id) listing Ed25519 keys.

    Every key is a ``Multikey`` verification method *and* an ``assertionMethod`` — old keys too,
    so credentials signed before a rotation still verify; drop a key only when every credential
    it signed may stop verifying. ``@context``: DID v1 first (it defines ``assertionMethod``),
    then Multikey v1 (conformance kit "Issuer gotchas" #3).

    With ``profile`` (for an https issuer id, whose one document must serve both verifiers and
    OB 3.0 displayers), the OB 3.0 ``Profile`` members are added, with the OB 3.0 context.
    """
    if not ed25519_keys:
        raise ValueError("a controller document needs at least one key")
    methods = [_multikey(id, key) for key in ed25519_keys]
    if len({m["id"] for m in methods}) != len(methods):
        raise ValueError("the same key is listed twice")
    document: dict[str, Any] = {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        "id": id,
    }
    if profile is not None:
        if profile.id != id:
            raise ValueError("profile.id must equal the document id")
        document["@context"].append(OB3_CONTEXT)
        document.update({k: v for k, v in _profile(profile).items() if k != "id"})
    document["verificationMethod"] = methods
    document["assertionMethod"] = [m["id"] for m in methods]
    return document


def did_web_document(*, did: str, ed25519_keys: Sequence[Ed25519PublicKey]) -> dict[str, Any]:
    """The ``did.json`` of a ``did:web`` issuer (DID Web §3.2), served at
    :func:`did_web_to_url` ``(did)``. RSA keys are deliberately absent: see the module docstring.
    """
    did_web_to_url(did)  # validates the DID
    return controller_document(id=did, ed25519_keys=ed25519_keys)


def multikey_document(
    *, controller: str, public_key: Ed25519PublicKey, id: str | None = None
) -> dict[str, Any]:
    """One key as its own document (the https key-document form of a verification method).

    ``id`` defaults to :func:`verification_method_id`; serve the document at exactly that URL
    (without the fragment, a fragment id resolves inside the controller document instead).
    """
    return {
        "@context": [MULTIKEY_V1_CONTEXT],
        "id": id or verification_method_id(controller, public_key),
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": ed25519_public_key_to_multibase(public_key),
    }


def jwks(rsa_keys: Sequence[tuple[str, RSAPublicKey]]) -> dict[str, Any]:
    """A JWK Set (RFC 7517 §5) of RS256 public keys, ``[(kid, public_key), ...]``.

    OB 3.0 §8.2.3: the JWT ``kid`` must dereference to the JWK. Use ``<jwks url>#<kid>`` or the
    full URL as ``kid``; or serve each :func:`rsa_public_jwk` at its own URL. Keep retired keys
    here for as long as JWTs they signed should verify.
    """
    kids = [kid for kid, _ in rsa_keys]
    if len(set(kids)) != len(kids):
        raise ValueError("kid values must be unique")
    return {"keys": [rsa_public_jwk(key, kid=kid) for kid, key in rsa_keys]}


def did_web_for(host: str, path_segments: Sequence[str] = ()) -> str:
    """``did:web`` for a host (optionally ``host:port``) and path (DID Web §3.1 "Create").

    The port colon is percent-encoded (``example.org%3A8443``) and path segments are joined with
    ``:``; each segment is percent-encoded so it cannot add structure. Hosts are lowercased
    (DNS names are case-insensitive, and one issuer should have one DID).
    """
    match = _HOST_PORT.fullmatch(host.lower()) if isinstance(host, str) else None
    if match is None:
        raise ValueError(f"not a host name (with an optional port): {host!r}")
    encoded_host = match["host"] + (f"%3A{match['port']}" if match["port"] else "")
    parts = [encoded_host]
    for segment in path_segments:
        if not segment:
            raise ValueError("empty path segment")
        parts.append(quote(segment, safe=""))
    return "did:web:" + ":".join(parts)


def did_web_to_url(did: str) -> str:
    """Where the DID document of a ``did:web`` lives (DID Web §3.2 "Read").

    ``did:web:example.org`` → ``https://example.org/.well-known/did.json``;
    ``did:web:example.org:issuers:7`` → ``https://example.org/issuers/7/did.json``.

    Development-only rule: for loopback hosts (``localhost``, ``127.x.x.x``, ``[::1]``) the URL
    is plain ``http``, as the conformance kit's resolver does, so a local test server can serve
    it. did:web mandates https; a loopback DID never appears in a real credential.
    """
    if not isinstance(did, str) or not did.startswith("did:web:"):
        raise ValueError(f"not a did:web identifier: {did!r}")
    did = did.split("#", 1)[0]
    host, *parts = did[len("did:web:") :].split(":")
    # Only the port colon is percent-decoded; path segments stay percent-encoded in the URL.
    match = _HOST_PORT.fullmatch(re.sub("%3[aA]", ":", host))
    if match is None:
        raise ValueError(f"did:web has no valid host: {did!r}")
    if any(not p or not _PATH_SEGMENT.fullmatch(p) for p in parts):
        raise ValueError(f"did:web has an empty or invalid path segment: {did!r}")
    scheme = "http" if _is_loopback(match["host"]) else "https"
    port = f":{match['port']}" if match["port"] else ""
    path = "/" + "/".join(parts) + "/did.json" if parts else "/.well-known/did.json"
    return f"{scheme}://{match['host']}{port}{path}"


def _is_loopback(hostname: str) -> bool:
    if hostname in _LOOPBACK_HOSTS:
        return True
    octets = hostname.split(".")
    return (
        len(octets) == 4
        and octets[0] == "127"
        and all(o.isdigit() and len(o) <= 3 and int(o) <= 255 for o in octets)
    )
