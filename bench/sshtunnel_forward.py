#!/usr/bin/python3
"""Forward local ports through one SSH server with sshtunnel until SIGTERM.

bench/run starts it as the "sshtunnel" path (Debian's python3-sshtunnel on
paramiko):

    sshtunnel_forward.py --ssh HOST:PORT --user NAME --key FILE
        --known-hosts FILE --forward LPORT:HOST:PORT [--forward ...]

The server's host key must be in the known_hosts file (looked up as
[HOST]:PORT, or HOST for port 22); paramiko refuses any other key. It prints
"ready" once every local port listens, and exits 1 on any set-up error.
"""

import argparse
import faulthandler
import signal
import sys
import threading

import paramiko
import sshtunnel


def split_hostport(text):
    """Split HOST:PORT into (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise argparse.ArgumentTypeError("expected HOST:PORT, got %r" % text)
    return host, int(port)


def split_forward(text):
    """Split LPORT:HOST:PORT into (lport, (host, port))."""
    lport, sep, rest = text.partition(":")
    if not sep or not lport.isdigit():
        raise argparse.ArgumentTypeError(
            "expected LPORT:HOST:PORT, got %r" % text)
    return int(lport), split_hostport(rest)


def known_host_key(path, host, port):
    """Return the host key known for host:port in path (prefer ed25519)."""
    name = host if port == 22 else "[%s]:%d" % (host, port)
    keys = paramiko.HostKeys(path).lookup(name)
    if not keys:
        sys.exit("sshtunnel_forward: no key for %s in %s" % (name, path))
    for kind in ("ssh-ed25519", "ecdsa-sha2-nistp256"):
        if kind in keys:
            return keys[kind]
    return keys[keys.keys()[0]]


def main():
    """Start the forwarder, wait for SIGTERM, stop it."""
    parser = argparse.ArgumentParser(prog="sshtunnel_forward")
    parser.add_argument("--ssh", type=split_hostport, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--known-hosts", required=True)
    parser.add_argument("--forward", type=split_forward, action="append",
                        required=True)
    args = parser.parse_args()

    host, port = args.ssh
    forwarder = sshtunnel.SSHTunnelForwarder(
        args.ssh,
        ssh_username=args.user,
        ssh_pkey=args.key,
        # Transport.connect(hostkey=...) rejects any other server key.
        ssh_host_key=known_host_key(args.known_hosts, host, port),
        ssh_config_file=None,
        allow_agent=False,
        host_pkey_directories=[],
        local_bind_addresses=[("127.0.0.1", f[0]) for f in args.forward],
        remote_bind_addresses=[f[1] for f in args.forward],
        mute_exceptions=False,
    )
    # kill -USR1 shows where every thread is (when a run stalls).
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    try:
        forwarder.start()
    except sshtunnel.BaseSSHTunnelForwarderError as e:
        sys.exit("sshtunnel_forward: %s" % e)
    print("ready", flush=True)
    while not stop.wait(1):
        pass
    forwarder.stop()


if __name__ == "__main__":
    main()
