#!/usr/bin/env bash
# Times mbv2 beside the XNNPACK peer in the same run: MobileNetV2 1.0/224, batch 1,
# float32, random weights, with 1 and 2 threads. The two engines take turns, round
# after round, so that both see the same load on a shared machine; the summary is the
# median over rounds of each engine's median latency.
#
#   usage: scripts/bench-peers.sh PEERS_DIR [MBV2_BENCH_FLAGS...]
#          MBV2_PEERS=PEERS_DIR scripts/bench-peers.sh
#   PEERS_DIR holds xnnpack/mnv2_xnn.c; it is only read (the build goes to a temp dir).
#   env:   ROUNDS (default 3), ITERS (timed runs per engine and round, default 300),
#          MBV2 (an mbv2 binary; default: built from this checkout)
#   needs: gcc, libxnnpack-dev, libpthreadpool-dev
set -euo pipefail

peers=${1:-${MBV2_PEERS:-}}
[[ $# -gt 0 ]] && shift
if [[ -z $peers || ! -f $peers/xnnpack/mnv2_xnn.c ]]; then
	echo "usage: $0 PEERS_DIR [mbv2 bench flags...]  (PEERS_DIR/xnnpack/mnv2_xnn.c, or \$MBV2_PEERS)" >&2
	exit 2
fi
rounds=${ROUNDS:-3}
iters=${ITERS:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cp -r "$peers/xnnpack" "$tmp/"
gcc -O2 -std=c11 -o "$tmp/mnv2_xnn" "$tmp/xnnpack/mnv2_xnn.c" -lXNNPACK -lpthreadpool -lm
mbv2=${MBV2:-$tmp/mbv2}
if [[ -z ${MBV2:-} ]]; then
	(cd "$root" && go build -o "$mbv2" ./cmd/mbv2)
fi

# json_field NAME: the first number of that key in mbv2's JSON on stdin.
json_field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" | head -1; }
# kv_field NAME: the value of NAME=... in XNNPACK's result line on stdin.
kv_field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

echo "# $("$mbv2" version | tr '\n' ' ')"
echo "# $(nproc) cpus, loadavg $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds of $iters runs"
printf "%-8s %7s %5s %10s %8s %8s %8s\n" engine threads round median_ms min_ms p90_ms GFLOP/s
results=$tmp/results
: >"$results"
for threads in 1 2; do
	for round in $(seq "$rounds"); do
		json=$("$mbv2" bench --width 1.0 --res 224 --threads "$threads" --iters "$iters" --json "$@")
		med=$(json_field median <<<"$json")
		printf "%-8s %7d %5d %10.3f %8.3f %8.3f %8.1f\n" mbv2 "$threads" "$round" "$med" \
			"$(json_field min <<<"$json")" "$(json_field p90 <<<"$json")" "$(json_field gflops <<<"$json")"
		echo "mbv2 $threads $med" >>"$results"

		line=$("$tmp/mnv2_xnn" 1.0 224 "$threads" "$iters" $((iters / 10 + 5)))
		med=$(kv_field median_ms <<<"$line")
		printf "%-8s %7d %5d %10.3f %8.3f %8.3f %8.1f\n" xnnpack "$threads" "$round" "$med" \
			"$(kv_field min_ms <<<"$line")" "$(kv_field p90_ms <<<"$line")" "$(kv_field GFLOPs <<<"$line")"
		echo "xnnpack $threads $med" >>"$results"
	done
done

echo
echo "## median over rounds of the median latency, ms"
printf "%7s %10s %10s %14s\n" threads mbv2 xnnpack mbv2/xnnpack
for threads in 1 2; do
	m=$(awk -v t="$threads" '$1 == "mbv2" && $2 == t { print $3 }' "$results" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	x=$(awk -v t="$threads" '$1 == "xnnpack" && $2 == t { print $3 }' "$results" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	printf "%7d %10.3f %10.3f %14.2f\n" "$threads" "$m" "$x" "$(awk -v m="$m" -v x="$x" 'BEGIN { print m / x }')"
done
