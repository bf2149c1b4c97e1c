"""An honest software authenticator for the WebAuthn tests: a real P-256 key pair (``cryptography``), the real
authenticatorData layout, a 'none' attestation in CBOR and ES256 signatures over authenticatorData ‖
SHA-256(clientDataJSON) — what a security key does, byte for byte, minus the button. py_webauthn checks it as
it checks a browser's answer (W3C WebAuthn Level 2, §6.1 and §6.5)."""

from __future__ import annotations

import hashlib
import json
import os
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.encode_cbor import encode_cbor

UP, UV, AT = 0x01, 0x04, 0x40  # user present, user verified, attested credential data included


class SoftKey:
    def __init__(self, *, sign_count_start: int = 0):
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = sign_count_start

    @property
    def id(self) -> str:
        return bytes_to_base64url(self.credential_id)

    def _cose_public_key(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        # COSE_Key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _authenticator_data(self, rp_id: str, flags: int, attested: bool) -> bytes:
        data = hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", self.sign_count)
        if attested:
            data += bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
            data += self._cose_public_key()
        return data

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def create(self, options: dict, origin: str, *, rp_id: str | None = None) -> dict:
        """navigator.credentials.create(): the registration answer, JSON as the browser module sends it."""
        rp_id = rp_id or options["rp"]["id"]
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = encode_cbor({"fmt": "none", "attStmt": {},
                                   "authData": self._authenticator_data(rp_id, UP | UV | AT, attested=True)})
        return {"id": self.id, "rawId": self.id, "type": "public-key",
                "response": {"clientDataJSON": bytes_to_base64url(client_data),
                             "attestationObject": bytes_to_base64url(attestation), "transports": ["usb"]},
                "clientExtensionResults": {}}

    def get(self, options: dict, origin: str, *, sign_count: int | None = None) -> dict:
        """navigator.credentials.get(): a signed assertion (the counter moves on unless ``sign_count`` is given)."""
        self.sign_count = self.sign_count + 1 if sign_count is None else sign_count
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        authenticator_data = self._authenticator_data(options["rpId"], UP | UV, attested=False)
        signature = self.private.sign(authenticator_data + hashlib.sha256(client_data).digest(),
                                      ec.ECDSA(hashes.SHA256()))
        return {"id": self.id, "rawId": self.id, "type": "public-key",
                "response": {"clientDataJSON": bytes_to_base64url(client_data),
                             "authenticatorData": bytes_to_base64url(authenticator_data),
                             "signature": bytes_to_base64url(signature), "userHandle": None},
                "clientExtensionResults": {}}
