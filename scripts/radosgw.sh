#!/usr/bin/env bash
# A real S3 server for the tests and the demo: Ceph's radosgw from Debian's packages, one mon and one
# memstore OSD on 127.0.0.1, no auth inside the cluster (S3 requests are still SigV4-checked by radosgw).
#
#   scripts/radosgw.sh install        apt-get install what is missing: the Ceph packages, and the independent
#                                     tools the tests and the demo check our output with (curl, openssl)
#   scripts/radosgw.sh start DIR      start a cluster in DIR (must not exist), create a user and a bucket,
#                                     write DIR/env (S3_ENDPOINT=..., one per line) and print it; the
#                                     same server also answers over TLS at S3_TLS_ENDPOINT, with a
#                                     certificate of a private CA (S3_TLS_CA)
#   scripts/radosgw.sh stop DIR       stop exactly the daemons started in DIR, then remove DIR
#
# Settings (environment): RADOSGW_MEMSTORE_BYTES (default 3 GiB; memstore holds objects in RAM at about
# twice their size and hangs writes instead of failing once full), RADOSGW_ACCESS_KEY, RADOSGW_SECRET_KEY,
# RADOSGW_BUCKET.
set -euo pipefail

say() { printf 'radosgw.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

install_packages() {
  bash "$(dirname "$0")/apt-install.sh" "the local S3 server (Ceph radosgw, about 30 s to install)" \
    radosgw=radosgw radosgw-admin=radosgw ceph-mon=ceph-mon ceph-osd=ceph-osd monmaptool=ceph-common \
    ceph=ceph-common curl=curl openssl=openssl
}

# A TCP port nobody listens on, from a range the kernel does not hand out for outgoing connections.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free TCP port found on 127.0.0.1"
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "timed out after ${seconds}s waiting for $what (logs in $DIR/log)"
    sleep 0.1
  done
}

# A private CA, and a certificate it signs for 127.0.0.1 and localhost: the same server over TLS, as users'
# S3 behind a private CA is.
make_tls_certificate() { # make_tls_certificate DIR
  local dir=$1
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=publish-artifact test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>>"$DIR/log/setup.log"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr" 2>>"$DIR/log/setup.log"
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/server.ext" -out "$dir/server.pem" 2>>"$DIR/log/setup.log"
}

start() {
  [ -n "${DIR:-}" ] || die "usage: radosgw.sh start DIR"
  [ ! -e "$DIR" ] || die "$DIR already exists: give a new directory"
  install_packages
  mkdir -p "$DIR"/{run,log,mon,osd/ceph-0,rgw}
  DIR=$(cd "$DIR" && pwd)
  local fsid mon_port rgw_port tls_port access secret bucket conf
  fsid=$(cat /proc/sys/kernel/random/uuid)
  mon_port=$(free_port)
  rgw_port=$(free_port)
  while [ "$rgw_port" = "$mon_port" ]; do rgw_port=$(free_port); done
  tls_port=$(free_port)
  while [ "$tls_port" = "$mon_port" ] || [ "$tls_port" = "$rgw_port" ]; do tls_port=$(free_port); done
  make_tls_certificate "$DIR/tls"
  access=${RADOSGW_ACCESS_KEY:-AK$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)}
  secret=${RADOSGW_SECRET_KEY:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
  bucket=${RADOSGW_BUCKET:-artifacts}
  conf=$DIR/ceph.conf
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
# radosgw hangs on start without this when auth is none.
ms mon client mode = crc
# Start drops from about 16 s to about 3 s.
paxos propose interval = 0.05
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = ${RADOSGW_MEMSTORE_BYTES:-3221225472}
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
mon data = $DIR/mon/\$cluster-\$id
osd data = $DIR/osd/\$cluster-\$id
keyring = /dev/null
[client.rgw.a]
rgw data = $DIR/rgw
# Deleted objects are freed by RGW's garbage collector, by default hours later; memstore keeps them in RAM
# until then and hangs writes once full. Collect at once, so that deleting what a test uploaded frees it.
rgw gc obj min wait = 0
rgw gc processor period = 2
# Parts of 4 KiB, for one test: a resume past ListParts' page of 1,000 parts in 4 MB instead of 5 GB. The CLI
# never sends a part under 5 MiB but the last (--part-size refuses less), and tests check its parts' sizes.
rgw multipart min part size = 4096
rgw frontends = beast endpoint=127.0.0.1:$rgw_port ssl_endpoint=127.0.0.1:$tls_port ssl_certificate=$DIR/tls/server.pem ssl_private_key=$DIR/tls/server.key
EOF
  monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$DIR/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$DIR/monmap" 2>>"$DIR/log/setup.log"
  ceph-mon -c "$conf" -i a 2>>"$DIR/log/setup.log"
  timeout 30 ceph -c "$conf" osd create >/dev/null 2>>"$DIR/log/setup.log" || die "the monitor did not answer (logs in $DIR/log)"
  ceph-osd -c "$conf" -i 0 --mkfs 2>>"$DIR/log/setup.log"
  ceph-osd -c "$conf" -i 0 2>>"$DIR/log/setup.log"
  radosgw -c "$conf" -n client.rgw.a 2>>"$DIR/log/setup.log"
  wait_for 60 "radosgw on port $rgw_port" curl -sf -o /dev/null "http://127.0.0.1:$rgw_port/"
  wait_for 10 "radosgw's TLS on port $tls_port" curl -sf --cacert "$DIR/tls/ca.pem" -o /dev/null "https://127.0.0.1:$tls_port/"
  timeout 30 radosgw-admin -c "$conf" user create --uid=publish-artifact --display-name=publish-artifact \
    --access-key="$access" --secret-key="$secret" >/dev/null 2>>"$DIR/log/setup.log"
  # curl signs with SigV4 itself; S3 wants the payload hash header, here of the empty body.
  curl -sf -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "http://127.0.0.1:$rgw_port/$bucket" >/dev/null || die "could not create bucket $bucket"
  cat >"$DIR/env" <<EOF
S3_ENDPOINT=http://127.0.0.1:$rgw_port
S3_ACCESS_KEY=$access
S3_SECRET_KEY=$secret
S3_BUCKET=$bucket
S3_REGION=us-east-1
RADOSGW_CONF=$conf
S3_TLS_ENDPOINT=https://127.0.0.1:$tls_port
S3_TLS_CA=$DIR/tls/ca.pem
EOF
  cat "$DIR/env"
}

stop() {
  [ -n "${DIR:-}" ] || die "usage: radosgw.sh stop DIR"
  [ -d "$DIR" ] || return 0
  local pids=() pid
  for name in client.rgw.a osd.0 mon.a; do
    if [ -f "$DIR/run/$name.pid" ]; then
      pid=$(cat "$DIR/run/$name.pid")
      # Only a daemon that still runs with our configuration: a recycled pid belongs to someone else.
      if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DIR/ceph.conf"; then
        kill "$pid" 2>/dev/null && pids+=("$pid")
      fi
    fi
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$DIR"
}

command=${1:-}
DIR=${2:-}
case "$command" in
  install) install_packages ;;
  start) start ;;
  stop) stop ;;
  *) die "usage: radosgw.sh install | start DIR | stop DIR" ;;
esac
