#!/usr/bin/env bash
# scripts/release.sh VERSION OUTDIR
#
# Builds the release of mbv2 VERSION into OUTDIR:
#   mbv2_VERSION_{linux,darwin}_{amd64,arm64}.tar.gz, mbv2_VERSION_windows_{amd64,arm64}.zip
#     a static binary (CGO_ENABLED=0, -trimpath, VERSION stamped in), LICENSE,
#     README.md, the built-in model's NOTICE, man pages and shell completions
#   mbv2_VERSION_oci.tar
#     an OCI image layout, linux/amd64 and linux/arm64, from scratch, named
#     mbv2:VERSION and mbv2:latest (docker load, podman load, skopeo, crane)
#   SHA256SUMS
#
# The same commit, VERSION and Go version give the same bytes: every time
# in the outputs is the commit's (SOURCE_DATE_EPOCH), entries are sorted,
# and the builds carry no paths or build IDs of this machine. The image's
# CA certificates are this machine's (Debian: ca-certificates), so the image
# is the same where that package is.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 VERSION OUTDIR" >&2
	exit 2
fi
version=$1
mkdir -p "$2"
out=$(cd "$2" && pwd)
cd "$(dirname "$0")/.."
src=$(pwd)

export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
# The build's settings, whatever the environment or go env says.
export CGO_ENABLED=0 GOFLAGS=-mod=readonly GOAMD64=v1 GOARM64=v8.0 GOEXPERIMENT=
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ldflags="-s -w -buildid= -X main.version=$version"
for target in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64; do
	os=${target%/*} arch=${target#*/}
	exe=mbv2
	[ "$os" = windows ] && exe=mbv2.exe
	GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false -ldflags="$ldflags" \
		-o "$work/${os}_$arch/$exe" ./cmd/mbv2
done

# Man pages and completions, from the command tree itself (for this
# machine's platform: they differ only in the kernel sets --kernels lists).
go run -trimpath -buildvcs=false -ldflags="$ldflags" -tags gendoc ./cmd/mbv2 gendoc "$work/docs"

# Archives, image and sums: scripts/release is a module of its own.
(cd scripts/release && go run -trimpath . pack -version "$version" -src "$src" -build "$work" -out "$out")
ls -l "$out"
