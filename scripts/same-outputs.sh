#!/usr/bin/env bash
# Checks that a change gives the same bits: builds mbv2 at git revision REV and
# from this checkout, classifies every photo with every model under each kernel
# set and on 1, 2 and 3 threads, and compares every probability of the two
# builds' JSON outputs byte for byte.
#
#   usage: scripts/same-outputs.sh REV [MODEL.tflite...]
#   models: by default testdata/mbv2_tiny.tflite and $MBV2_TESTDATA/models/*.tflite;
#   photos: $MBV2_TESTDATA/images/*.{bmp,jpg,png}
#   env:   KERNELS (default "generic auto"), THREADS (default "1 2 3"),
#          FLAGS (more classify flags for both builds, e.g. "--precision float32")
set -euo pipefail

rev=${1:?usage: $0 REV [MODEL.tflite...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
data=${MBV2_TESTDATA:-$root/../shared}
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/old-src" 2>/dev/null; rm -rf "$tmp"' EXIT

git -C "$root" worktree add --quiet --detach "$tmp/old-src" "$rev"
(cd "$tmp/old-src" && go build -o "$tmp/old" ./cmd/mbv2)
(cd "$root" && go build -o "$tmp/new" ./cmd/mbv2)

models=("$@")
if [[ ${#models[@]} -eq 0 ]]; then
	models=("$root/testdata/mbv2_tiny.tflite" "$data"/models/*.tflite)
fi
shopt -s nullglob
photos=("$data"/images/*.bmp "$data"/images/*.jpg "$data"/images/*.png)
[[ ${#photos[@]} -gt 0 ]] || { echo "no photos under $data/images (set MBV2_TESTDATA)" >&2; exit 2; }

differ=0
for m in "${models[@]}"; do
	for k in ${KERNELS:-generic auto}; do
		for t in ${THREADS:-1 2 3}; do
			for build in old new; do
				# shellcheck disable=SC2086
				"$tmp/$build" classify -m "$m" --kernels "$k" --threads "$t" -j 1 -k 0 --json ${FLAGS:-} \
					"${photos[@]}" >"$tmp/$build.jsonl"
			done
			if cmp -s "$tmp/old.jsonl" "$tmp/new.jsonl"; then
				echo "same   $(basename "$m") kernels=$k threads=$t"
			else
				echo "DIFFER $(basename "$m") kernels=$k threads=$t"
				differ=1
			fi
		done
	done
done
exit $differ
