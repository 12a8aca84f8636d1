#!/usr/bin/python3
"""Write the seeds of fuzz_handshake into corpus/fuzz_handshake/.

For every host-key algorithm: a server's whole side of a scan (version
line, KEXINIT, KEX_ECDH_REPLY with a real key of that type and a well-formed
signature, which cannot verify: the exchange hash depends on the client's
random key), and a hostsig_verify input with a real signature over random
data. Keys are made anew on each run (Debian's python3-cryptography); the
committed seeds came from one run. See fuzz_handshake.c for the layout.
"""
import os
import struct
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALGS = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]
CURVES = {"nistp256": (ec.SECP256R1(), hashes.SHA256()),
          "nistp384": (ec.SECP384R1(), hashes.SHA384()),
          "nistp521": (ec.SECP521R1(), hashes.SHA512())}


def u32(n):
    return struct.pack(">I", n)


def string(b):
    return u32(len(b)) + b


def mpint(n):
    return string(n.to_bytes((n.bit_length() + 8) // 8, "big"))


def packet(payload):
    pad = 8 - (5 + len(payload)) % 8
    if pad < 4:
        pad += 8
    return u32(1 + len(payload) + pad) + bytes([pad]) + payload + b"\0" * pad


def key_and_signature(alg, data):
    """A key blob of ALG's type and ALG's signature blob over DATA."""
    if alg == "ssh-ed25519":
        k = ed25519.Ed25519PrivateKey.generate()
        pub = k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return (string(b"ssh-ed25519") + string(pub),
                string(b"ssh-ed25519") + string(k.sign(data)))
    if alg.startswith("ecdsa-"):
        curve = alg.split("-")[-1]
        c, h = CURVES[curve]
        k = ec.generate_private_key(c)
        q = k.public_key().public_bytes(Encoding.X962,
                                        PublicFormat.UncompressedPoint)
        r, s = decode_dss_signature(k.sign(data, ec.ECDSA(h)))
        return (string(alg.encode()) + string(curve.encode()) + string(q),
                string(alg.encode()) + string(mpint(r) + mpint(s)))
    h = {"rsa-sha2-512": hashes.SHA512(), "rsa-sha2-256": hashes.SHA256(),
         "ssh-rsa": hashes.SHA1()}[alg]
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    n = k.public_key().public_numbers()
    return (string(b"ssh-rsa") + mpint(n.e) + mpint(n.n),
            string(alg.encode()) + string(k.sign(data, padding.PKCS1v15(), h)))


def kexinit(hostkey):
    lists = ["curve25519-sha256,ecdh-sha2-nistp256", hostkey, "aes128-ctr",
             "aes128-ctr", "hmac-sha2-256", "hmac-sha2-256", "none", "none",
             "", ""]
    body = bytes([20]) + os.urandom(16)
    for name in lists:
        body += string(name.encode())
    return body + b"\0" + u32(0)


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "corpus", "fuzz_handshake")
    os.makedirs(out, exist_ok=True)
    for i, alg in enumerate(ALGS):
        data = os.urandom(32)
        key, sig = key_and_signature(alg, data)
        reply = bytes([31]) + string(key) + string(os.urandom(32)) + string(sig)
        stream = (b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n" +
                  packet(kexinit(alg)) + packet(reply))
        with open(os.path.join(out, "scan-%s" % alg), "wb") as f:
            f.write(bytes([i | (i << 3)]) + stream)
        with open(os.path.join(out, "verify-%s" % alg), "wb") as f:
            f.write(bytes([0x80 | i]) + string(key) + string(sig) + data)
    with open(os.path.join(out, "probe-banner-lines"), "wb") as f:
        f.write(bytes([7 | (3 << 3)]) + b"hello\r\nworld\n" +
                b"SSH-2.0-x\r\n" + packet(kexinit("ssh-ed25519")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
