# Sourced by the S3 benchmark scripts: one moto_server at a time, on a free loopback port.
#   start_moto   starts one, waits until it answers; sets $moto (its pid), $port and $url
#   stop_moto    kills it (also on exit)
#   moto_cpu     its CPU seconds so far (user + system)
# A new server per measurement: one that already holds earlier runs' objects is slower, which
# would favour whichever tool runs first.
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
moto=
start_moto() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
  moto=$!
  url=http://127.0.0.1:$port
  for _ in $(seq 50); do curl -s "$url" >/dev/null && return 0; sleep 0.2; done
  echo "moto_server on port $port did not answer within 10 s" >&2
  return 1
}
stop_moto() { [ -n "$moto" ] && kill -9 "$moto" 2>/dev/null; wait "$moto" 2>/dev/null || true; moto=; }
moto_cpu() { awk '{ print ($14 + $15) / 100 }' "/proc/$moto/stat"; }
trap stop_moto EXIT
