#!/bin/sh
# Capture what an SSH server sends before any key exchange: its version
# line and its KEXINIT packet. Sends a version line, reads for one second,
# and writes the raw bytes to OUT. test_kexinit reads the result.
#   sh capture-kexinit.sh HOST PORT OUT
# openssh-9.2p1.bin was made against Debian 12's sshd (OpenSSH_9.2p1
# Debian-2+deb12u10) with host keys ed25519, ecdsa and rsa:
#   sh capture-kexinit.sh 127.0.0.1 42222 openssh-9.2p1.bin
set -eu
host=${1:?HOST PORT OUT} port=${2:?} out=${3:?}
timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"; printf "SSH-2.0-capture\r\n" >&3;
    cat <&3' _ "$host" "$port" >"$out" || true
[ -s "$out" ] || { echo "nothing captured from $host:$port" >&2; exit 1; }
od -A d -c "$out" | head -n 3
