#!/bin/sh
# make-cert.sh: a throwaway CA and a server certificate for the loopback
# TLS tests, made with the openssl command line.
#
#   tests/tools/make-cert.sh DIR
#
# Writes DIR/ca.pem (the CA to give a client, --cacert), DIR/server.pem
# and DIR/server.key (for smtp-server.py --tls-cert and --tls-key), the
# server's valid for IP 127.0.0.1 and DNS localhost.  EC keys (P-256), so
# that it takes a few milliseconds, not the seconds of an RSA key.  The
# CA's key stays in DIR as ca.key, for a test that wants to sign another.
#
# Exit: 0, 1 when openssl fails or is missing, 2 on usage error.

set -eu

if [ $# -ne 1 ]; then
	echo 'usage: make-cert.sh DIR' >&2
	exit 2
fi
dir=$1
if ! command -v openssl >/dev/null 2>&1; then
	echo 'make-cert.sh: the openssl command is missing' >&2
	exit 1
fi
mkdir -p "$dir"
cd "$dir"

# Everything goes to a log shown only on failure: quiet when it works.
log=make-cert.log
fail() {
	cat "$log" >&2
	echo "make-cert.sh: openssl failed: $1" >&2
	exit 1
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	-nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=consent test CA' \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign >"$log" 2>&1 ||
	fail 'the CA'
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout server.key -out server.csr -subj '/CN=localhost' \
	>>"$log" 2>&1 || fail 'the server request'
# The extensions go in at signing: "openssl x509 -req" drops those of the
# request unless told to copy them, and -copy_extensions is OpenSSL 3 only.
printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
	'basicConstraints=critical,CA:FALSE' \
	'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' \
	>server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
	-CAcreateserial -days 2 -extfile server.ext -out server.pem \
	>>"$log" 2>&1 || fail 'signing the server certificate'
rm -f "$log" server.ext server.csr ca.srl
