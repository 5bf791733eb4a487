#!/usr/bin/env bash
# Writes a throw-away CA, a server certificate and a client certificate into DIR for TLS tests:
#   ca.crt ca.key server.crt server.key client.crt client.key
# The server certificate names IP:127.0.0.1 and DNS:localhost so clients can verify it on
# loopback, and may also act as a client (cluster bus and replication links between TLS-only
# nodes connect with it). Keys are EC P-256: generating them is instant, unlike RSA on a busy 2-core box.
# Usage: bash scripts/gen-tls-certs.sh DIR
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: bash scripts/gen-tls-certs.sh DIR" >&2
  exit 2
fi
if ! command -v openssl >/dev/null; then
  echo "gen-tls-certs: openssl not found; install it with 'apt-get install -y openssl'" >&2
  exit 1
fi

dir=$1
mkdir -p "$dir"
cd "$dir"

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

newkey ca.key
openssl req -x509 -new -key ca.key -sha256 -days 30 -subj "/CN=valkey-search-benchmark test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.crt 2>/dev/null

# sign NAME CN EXTFILE: issues NAME.crt from the CA for a fresh NAME.key.
sign() {
  newkey "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 30 \
    -extfile "$3" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr"
}

printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
  "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" > server.ext
printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
  "extendedKeyUsage=clientAuth" > client.ext

sign server localhost server.ext
sign client valkey-search-benchmark-client client.ext
rm -f server.ext client.ext ca.srl
chmod 600 ./*.key
