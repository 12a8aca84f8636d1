#!/usr/bin/python3
"""A SOCKS client for jumpgate's tests (tests/integration/socks.sh).

  socks-client.py PROXY_PORT bad ALLOWED_PORT DENIED_PORT DEAD_PORT
      every kind of bad request, each on its own connection, checked
      against the reply jumpgate must give (or the close without one);
      ALLOWED_PORT is an echo server on 127.0.0.1 the allow-list allows,
      DENIED_PORT one it does not, DEAD_PORT an allowed port nothing
      listens on. One line per case; exit status 1 if any case failed.
  socks-client.py PROXY_PORT echo HOST PORT BYTES [VERSION]
      one CONNECT (SOCKS5, or 4 for SOCKS4a) to an echo server, BYTES of
      random data through it, SHA-256 of what was sent and what came back
      compared; prints the digest.
  socks-client.py PROXY_PORT slow SECONDS
      send the first byte of a greeting and nothing more; print how many
      seconds passed until jumpgate closed the connection (at most
      SECONDS of waiting).
  socks-client.py PROXY_PORT expect HOST PORT CODE
      one SOCKS5 CONNECT to HOST:PORT that must get reply CODE; prints
      the seconds the reply took.
  socks-client.py PROXY_PORT hold HOST PORT SECONDS
      CONNECT to an echo server, then echo one line every second for
      SECONDS seconds (a connection that lives across a reload); prints
      "held" if every line came back.
"""
import hashlib
import os
import select
import socket
import struct
import sys
import time

PROXY = "127.0.0.1"


def connect(port, timeout=15):
    s = socket.create_connection((PROXY, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_exact(s, n):
    """Read N bytes; return fewer if the connection closed first."""
    out = b""
    while len(out) < n:
        try:
            chunk = s.recv(n - len(out))
        except ConnectionResetError:
            break
        if not chunk:
            break
        out += chunk
    return out


def read_until_close(s, limit=4096):
    out = b""
    while len(out) < limit:
        try:
            chunk = s.recv(limit)
        except ConnectionResetError:
            return out + b"<reset>"
        if not chunk:
            return out
        out += chunk
    return out


def v5_request(cmd, atyp, addr, port):
    if atyp == 1:
        a = socket.inet_aton(addr)
    elif atyp == 4:
        a = socket.inet_pton(socket.AF_INET6, addr)
    elif atyp == 3:
        a = bytes([len(addr)]) + addr
    else:
        a = addr
    return bytes([5, cmd, 0, atyp]) + a + struct.pack(">H", port)


def v5_connect_ip(port, host="127.0.0.1"):
    return v5_request(1, 1, host, port)


GREETING = b"\x05\x01\x00"
METHOD_OK = b"\x05\x00"


def reply(code):
    return bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0])


def bad_cases(allowed, denied, dead):
    """(name, bytes to send, half-close after?, expected answer)"""
    return [
        ("version 6 greeting", b"\x06\x01\x00", False, b""),
        ("HTTP instead of SOCKS", b"GET / HTTP/1.0\r\n\r\n", False, b""),
        ("TLS hello instead of SOCKS", b"\x16\x03\x01\x02\x00\x01", False,
         b""),
        ("no acceptable method", b"\x05\x02\x02\x80", False, b"\x05\xff"),
        ("no methods at all", b"\x05\x00", False, b"\x05\xff"),
        ("BIND", GREETING + v5_request(2, 1, "127.0.0.1", allowed), False,
         METHOD_OK + reply(7)),
        ("UDP ASSOCIATE", GREETING + v5_request(3, 1, "127.0.0.1", allowed),
         False, METHOD_OK + reply(7)),
        ("unknown command 9", GREETING + v5_request(9, 1, "127.0.0.1",
                                                     allowed), False,
         METHOD_OK + reply(7)),
        ("unknown address type 7", GREETING + bytes([5, 1, 0, 7, 1, 2]),
         False, METHOD_OK + reply(8)),
        ("reserved byte set", GREETING + b"\x05\x01\x01\x01", False,
         METHOD_OK + reply(1)),
        ("request version 4 after a v5 greeting",
         GREETING + b"\x04\x01\x00\x50\x7f\x00\x00\x01\x00", False,
         METHOD_OK),
        ("truncated greeting, then EOF", b"\x05\x03\x00", True, b""),
        ("truncated request, then EOF", GREETING + b"\x05\x01\x00\x01\x7f",
         True, METHOD_OK),
        ("name with a control byte",
         GREETING + v5_request(1, 3, b"a\x1bb.internal", 80), False,
         METHOD_OK + reply(2)),
        ("address written as a number",
         GREETING + v5_request(1, 3, b"2130706433", allowed), False,
         METHOD_OK + reply(8)),
        ("destination not in the allow-list (port)",
         GREETING + v5_connect_ip(denied), False, METHOD_OK + reply(2)),
        ("destination not in the allow-list (IPv6)",
         GREETING + v5_request(1, 4, "::1", allowed), False,
         METHOD_OK + reply(2)),
        ("destination not in the allow-list (name)",
         GREETING + v5_request(1, 3, b"evil.example", allowed), False,
         METHOD_OK + reply(2)),
        ("allowed, but nothing listens: connection refused",
         GREETING + v5_connect_ip(dead), False, METHOD_OK + reply(5)),
        ("allowed name the far side cannot resolve",
         GREETING + v5_request(1, 3, b"nothing.invalid", 80), False,
         METHOD_OK + reply(5)),
        ("SOCKS4 BIND", b"\x04\x02" + struct.pack(">H", allowed) +
         b"\x7f\x00\x00\x01u\x00", False, b"\x00\x5b" + bytes(6)),
        ("SOCKS4 not in the allow-list", b"\x04\x01" +
         struct.pack(">H", denied) + b"\x7f\x00\x00\x01u\x00", False,
         b"\x00\x5b" + bytes(6)),
        ("SOCKS4 user name of 300 bytes", b"\x04\x01" +
         struct.pack(">H", allowed) + b"\x7f\x00\x00\x01" + b"u" * 300,
         False, b"\x00\x5b" + bytes(6)),
    ]


def run_bad(port, allowed, denied, dead):
    failed = 0
    for name, data, half_close, want in bad_cases(allowed, denied, dead):
        s = connect(port)
        s.sendall(data)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        got = read_until_close(s)
        s.close()
        if got == want:
            print("ok   %s: %s" % (name, want.hex() or "closed, no reply"))
        else:
            failed += 1
            print("FAIL %s: got %s, want %s" % (name, got.hex() or
                                                 "nothing", want.hex()))
    return 1 if failed else 0


def socks_connect(port, host, dport, version=5, extra=b""):
    s = connect(port)
    if version == 4:
        s.sendall(b"\x04\x01" + struct.pack(">H", dport) +
                  b"\x00\x00\x00\x01jg\x00" + host.encode() + b"\x00" + extra)
        got = read_exact(s, 8)
        if got[:2] != b"\x00\x5a":
            raise SystemExit("SOCKS4a CONNECT refused: %s" % got.hex())
        return s
    try:
        req = v5_request(1, 1, host, dport)
    except OSError:
        req = v5_request(1, 3, host.encode(), dport)
    # Greeting, request and the first data in one segment: jumpgate must
    # keep what follows the request for the channel.
    s.sendall(GREETING + req + extra)
    got = read_exact(s, 12)
    if got != METHOD_OK + reply(0):
        raise SystemExit("SOCKS5 CONNECT refused: %s" % got.hex())
    return s


def run_echo(port, host, dport, nbytes, version):
    data = os.urandom(nbytes)
    first = data[:1000]
    s = socks_connect(port, host, dport, version, first)
    sent = hashlib.sha256(data)
    back = hashlib.sha256()
    rest = memoryview(data)[len(first):]
    got = 0
    off = 0
    s.setblocking(False)
    deadline = time.monotonic() + 60
    while got < nbytes and time.monotonic() < deadline:
        want_write = [s] if off < len(rest) else []
        readable, writable, _ = select.select([s], want_write, [], 1)
        if writable:
            try:
                off += s.send(rest[off:off + 65536])
            except BlockingIOError:
                pass
        if readable:
            chunk = s.recv(262144)
            if not chunk:
                break
            back.update(chunk)
            got += len(chunk)
    s.close()
    if got != nbytes or back.digest() != sent.digest():
        raise SystemExit("echo: %d of %d bytes back, digests %s / %s" %
                         (got, nbytes, back.hexdigest(), sent.hexdigest()))
    print(sent.hexdigest())
    return 0


def run_slow(port, seconds):
    s = connect(port, timeout=seconds)
    start = time.monotonic()
    s.sendall(b"\x05")
    try:
        got = read_until_close(s)
    except socket.timeout:
        print("still open after %s s" % seconds)
        return 1
    print("%.1f %s" % (time.monotonic() - start, got.hex() or "-"))
    return 0


def run_expect(port, host, dport, code):
    s = connect(port, timeout=30)
    start = time.monotonic()
    try:
        req = v5_request(1, 1, host, dport)
    except OSError:
        req = v5_request(1, 3, host.encode(), dport)
    s.sendall(GREETING + req)
    got = read_exact(s, 12)
    s.close()
    if got != METHOD_OK + reply(code):
        print("got %s, want %s" % (got.hex(), (METHOD_OK + reply(code)).hex()))
        return 1
    print("%.1f" % (time.monotonic() - start))
    return 0


def run_hold(port, host, dport, seconds):
    s = socks_connect(port, host, dport)
    for i in range(int(seconds)):
        line = ("line %d\n" % i).encode()
        s.sendall(line)
        if read_exact(s, len(line)) != line:
            print("lost at line %d" % i)
            return 1
        time.sleep(1)
    s.close()
    print("held")
    return 0


def main(argv):
    port = int(argv[1])
    mode = argv[2]
    if mode == "bad":
        return run_bad(port, int(argv[3]), int(argv[4]), int(argv[5]))
    if mode == "echo":
        return run_echo(port, argv[3], int(argv[4]), int(argv[5]),
                        int(argv[6]) if len(argv) > 6 else 5)
    if mode == "slow":
        return run_slow(port, float(argv[3]))
    if mode == "expect":
        return run_expect(port, argv[3], int(argv[4]), int(argv[5]))
    if mode == "hold":
        return run_hold(port, argv[3], int(argv[4]), float(argv[5]))
    raise SystemExit("unknown mode %s" % mode)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
