#!/usr/bin/python3
"""A hostile SSH server for jumpgate's tests (tests/integration/hostile.sh).

Listens on 127.0.0.1 (port 0 unless --port), writes the port to
--port-file, and treats every connection according to MODE:

  banner-trickle  "SSH-2.0-" then one byte every 0.2 s, never a line end
  ignore-flood    a version line, then SSH_MSG_IGNORE packets of 32 KiB as
                  fast as the client reads them, never a KEXINIT
  debug-huge      a version line, then an SSH_MSG_DEBUG packet whose length
                  says 100 MB, followed by those 100 MB
  gex-huge        a KEXINIT offering only diffie-hellman-group-exchange-
                  sha256; a GEX_REQUEST is answered with a 16,384-bit
                  modulus (what makes a client compute for seconds)
  disconnect      a version line with 8-bit C1 controls; after the KEXINITs,
                  SSH_MSG_DISCONNECT whose description is terminal escapes
  bad-signature   KEXINITs, then an ECDH reply whose signature type name is
                  terminal escapes
  auth            a real SSH server (paramiko, host key --host-key) whose
                  version line, userauth banner, userauth failure method
                  lists and keyboard-interactive prompts hold terminal
                  escapes; every authentication fails

Every escape it sends contains ESC, BEL, DEL and the 8-bit CSI (0x9b):
nothing of it may reach a terminal, a log or a status line as such.
Runs until killed. Only the standard library, and paramiko for "auth".
"""

import argparse
import os
import socket
import struct
import sys
import threading
import time

# What every hostile text is made of: an OSC title change ended by BEL, a
# screen clear, DEL, and an 8-bit CSI colour change.
EVIL = "\x1b]0;owned\x07\x1b[2J\x7f\x9b31m"
EVIL_BYTES = EVIL.encode("latin-1")

MSG_DISCONNECT = 1
MSG_IGNORE = 2
MSG_DEBUG = 4
MSG_KEXINIT = 20
MSG_KEX_ECDH_INIT = 30
MSG_KEX_ECDH_REPLY = 31
MSG_KEX_DH_GEX_GROUP = 31
MSG_KEX_DH_GEX_REQUEST = 34


def u32(n):
    """The SSH uint32 encoding of N."""
    return struct.pack(">I", n)


def string(b):
    """The SSH string encoding of bytes B."""
    return u32(len(b)) + b


def mpint(n):
    """The SSH mpint encoding of the non-negative integer N."""
    b = n.to_bytes((n.bit_length() + 8) // 8, "big")
    return string(b)


def packet(payload):
    """An unencrypted SSH binary packet holding PAYLOAD."""
    pad = 8 - (5 + len(payload)) % 8
    if pad < 4:
        pad += 8
    return u32(1 + len(payload) + pad) + bytes([pad]) + payload + b"\0" * pad


def kexinit(kex, hostkey="ssh-ed25519"):
    """A KEXINIT payload offering KEX and HOSTKEY with ordinary ciphers."""
    lists = [kex, hostkey, "aes128-ctr", "aes128-ctr", "hmac-sha2-256",
             "hmac-sha2-256", "none", "none", "", ""]
    body = bytes([MSG_KEXINIT]) + os.urandom(16)
    for name in lists:
        body += string(name.encode())
    return body + b"\0" + u32(0)


def recv_exact(sock, n):
    """Read exactly N bytes from SOCK, or raise EOFError."""
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return out


def recv_line(sock):
    """Read the client's version line (up to its line end)."""
    line = b""
    while not line.endswith(b"\n"):
        c = sock.recv(1)
        if not c:
            raise EOFError
        line += c
        if len(line) > 255:
            raise EOFError
    return line


def recv_packet(sock):
    """Read one unencrypted packet; return its payload."""
    (length,) = struct.unpack(">I", recv_exact(sock, 4))
    if length > 65536:
        raise EOFError
    body = recv_exact(sock, length)
    return body[1:length - body[0]]


def greet(sock, version=b"SSH-2.0-OpenSSH_9.2p1 Hostile"):
    """Exchange version lines."""
    sock.sendall(version + b"\r\n")
    recv_line(sock)


def offer_and_wait(sock, kex, msg):
    """Greet, send a KEXINIT offering KEX, and read up to a MSG packet."""
    greet(sock)
    sock.sendall(packet(kexinit(kex)))
    while recv_packet(sock)[0] != msg:
        pass


def drain(sock):
    """Read and drop what the client sends until it closes."""
    while sock.recv(65536):
        pass


def mode_banner_trickle(sock):
    """Start a version line and never finish it."""
    sock.sendall(b"SSH-2.0-")
    while True:
        time.sleep(0.2)
        sock.sendall(b"x")


def mode_ignore_flood(sock):
    """Bury the client in SSH_MSG_IGNORE packets."""
    greet(sock)
    one = packet(bytes([MSG_IGNORE]) + string(b"\0" * 32768))
    burst = one * 32
    while True:
        sock.sendall(burst)


def mode_debug_huge(sock):
    """Send a DEBUG packet of 100 MB."""
    greet(sock)
    size = 100 * 1000 * 1000
    head = u32(size) + bytes([4, MSG_DEBUG, 1]) + u32(size - 11)
    sock.sendall(head)
    chunk = b"A" * 65536
    sent = len(head)
    while sent < size + 4:
        sock.sendall(chunk)
        sent += len(chunk)
    drain(sock)


def mode_gex_huge(sock):
    """Offer only group exchange and answer with a 16,384-bit modulus."""
    offer_and_wait(sock, "diffie-hellman-group-exchange-sha256",
                   MSG_KEX_DH_GEX_REQUEST)
    # Odd, top bit set: the client cannot tell it from a safe prime
    # without the work this server wants it to do anyway.
    p = int.from_bytes(os.urandom(2048), "big") | (1 << 16383) | 1
    sock.sendall(packet(bytes([MSG_KEX_DH_GEX_GROUP]) + mpint(p) + mpint(2)))
    drain(sock)


def mode_disconnect(sock):
    """An 8-bit version line, then a DISCONNECT full of escapes."""
    greet(sock, b"SSH-2.0-Hostile_\x9b2J\x9b31m\xc2\x9b0m")
    sock.sendall(packet(kexinit("curve25519-sha256")))
    recv_packet(sock)
    sock.sendall(packet(bytes([MSG_DISCONNECT]) + u32(2) +
                        string(b"bye " + EVIL_BYTES) + string(b"")))
    time.sleep(1)


def mode_bad_signature(sock):
    """An ECDH reply whose signature type is terminal escapes."""
    offer_and_wait(sock, "curve25519-sha256", MSG_KEX_ECDH_INIT)
    hostkey = string(b"ssh-ed25519") + string(os.urandom(32))
    sig = string(EVIL_BYTES + b"ssh-ed25519") + string(os.urandom(64))
    reply = (bytes([MSG_KEX_ECDH_REPLY]) + string(hostkey) +
             string(os.urandom(32)) + string(sig))
    sock.sendall(packet(reply))
    drain(sock)


def auth_server(host_key):
    """A paramiko ServerInterface that fails every method, with escapes."""
    import paramiko

    class Hostile(paramiko.ServerInterface):
        """Every answer carries EVIL."""

        def get_allowed_auths(self, username):
            return "publickey,keyboard-interactive," + EVIL + ",x" + EVIL

        def check_auth_none(self, username):
            return paramiko.AUTH_FAILED

        def check_auth_password(self, username, password):
            return paramiko.AUTH_FAILED

        def check_auth_publickey(self, username, key):
            return paramiko.AUTH_FAILED

        def check_auth_interactive(self, username, submethods):
            query = paramiko.InteractiveQuery(
                "name" + EVIL, "instructions" + EVIL)
            query.add_prompt("Verification code" + EVIL + ": ", False)
            return query

        def check_auth_interactive_response(self, responses):
            return paramiko.AUTH_FAILED

        def get_banner(self):
            return ("banner " + EVIL + "\r\n", "en")

    def serve(sock):
        t = paramiko.Transport(sock)
        t.local_version = "SSH-2.0-Hostile_\x9b2J"
        t.add_server_key(host_key)
        t.start_server(server=Hostile())
        while t.is_active():
            time.sleep(0.1)
        t.close()

    return serve


MODES = {
    "banner-trickle": mode_banner_trickle,
    "ignore-flood": mode_ignore_flood,
    "debug-huge": mode_debug_huge,
    "gex-huge": mode_gex_huge,
    "disconnect": mode_disconnect,
    "bad-signature": mode_bad_signature,
}


def handle(serve, conn):
    """Serve one connection; any error just ends it."""
    try:
        serve(conn)
    except Exception:  # a client going away is the normal end
        pass
    finally:
        conn.close()


def main():
    """Parse arguments, listen, serve each connection in a thread."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=sorted(list(MODES) + ["auth"]))
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host-key", help="OpenSSH ed25519 key (auth mode)")
    args = ap.parse_args()

    if args.mode == "auth":
        import paramiko
        if not args.host_key:
            ap.error("auth needs --host-key")
        serve = auth_server(paramiko.Ed25519Key.from_private_key_file(
            args.host_key))
    else:
        serve = MODES[args.mode]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", args.port))
    ls.listen(64)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(tmp, args.port_file)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=handle, args=(serve, conn),
                         daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
