#!/usr/bin/env bash
# Makes the small JPEGs that model/imageio/jpeg's tests decode: one synthetic
# 75x53 picture (odd sizes: no whole MCUs) in every layout the decoder covers.
# Needs cjpeg and jpegtran (Debian: libjpeg-turbo-progs) and python3 with PIL
# and numpy (python3-pil, python3-numpy). The files are committed; run this
# only to change them.
set -euo pipefail
out=$(cd "$(dirname "$0")/../model/imageio/jpeg/testdata" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=${PYTHON:-/usr/bin/python3}

"$py" - "$tmp" "$out" <<'PY'
import sys, numpy as np
from PIL import Image
tmp, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(1)
def picture(w, h, ch):
    y, x = np.mgrid[0:h, 0:w].astype(float)
    a = [128 + 100 * np.sin(x / 9 + c) * np.cos(y / 7 - c) + 20 * (x / w - 0.5) * (c + 1) for c in range(ch)]
    a = np.stack(a, -1) + rng.normal(0, 3, (h, w, ch))
    a[h // 3:h // 2, w // 4:w // 2] = 230  # a hard edge
    return np.clip(a, 0, 255).astype(np.uint8)
Image.fromarray(picture(75, 53, 3)).save(f'{tmp}/src.ppm')
Image.fromarray(picture(13, 9, 3)).save(f'{tmp}/tiny.ppm')
cmyk = Image.fromarray(picture(75, 53, 4), 'CMYK')
cmyk.save(f'{out}/cmyk.jpg', quality=90)
cmyk.save(f'{out}/cmyk-prog.jpg', quality=90, progressive=True)
PY
# YCCK: the same 4-component data marked as YCCK by the Adobe segment.
for f in cmyk cmyk-prog; do
	"$py" - "$out/$f.jpg" "$out/${f/cmyk/ycck}.jpg" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.index(b'Adobe')   # APP14 payload: the transform is its 12th byte
b[i + 11] = 2
open(sys.argv[2], 'wb').write(b)
PY
done

cat > "$tmp/seq.scans" <<'S'
0; 1; 2;
S
# Separate DC scans with a refinement, spectral bands, successive approximation.
cat > "$tmp/prog.scans" <<'S'
0: 0-0, 0, 1; 1: 0-0, 0, 1; 2: 0-0, 0, 1;
0: 1-2, 0, 2; 0: 3-9, 0, 2; 2: 1-63, 0, 0; 1: 1-63, 0, 1; 0: 10-63, 0, 2;
0: 0-0, 1, 0; 1: 0-0, 1, 0; 2: 0-0, 1, 0;
0: 1-63, 2, 1; 0: 1-63, 1, 0; 1: 1-63, 1, 0;
S
q=(-quality 90)
for s in 1x1:444 2x1:422 2x2:420 1x2:440 4x1:411; do
	cjpeg "${q[@]}" -sample "${s%%:*}" -outfile "$out/${s##*:}.jpg" "$tmp/src.ppm"
done
cjpeg "${q[@]}" -grayscale -outfile "$out/gray.jpg" "$tmp/src.ppm"
cjpeg "${q[@]}" -rgb -outfile "$out/rgb.jpg" "$tmp/src.ppm"
cjpeg "${q[@]}" -sample 2x2 -outfile "$out/tiny420.jpg" "$tmp/tiny.ppm"
cjpeg "${q[@]}" -sample 2x2 -scans "$tmp/seq.scans" -outfile "$out/420-scans.jpg" "$tmp/src.ppm"
cjpeg "${q[@]}" -sample 2x2 -optimize -outfile "$out/420-opt.jpg" "$tmp/src.ppm"
# Lossless transcodings: the same coefficients, so the same pixels.
for f in 444 422 420 440 411 gray rgb tiny420; do
	jpegtran -progressive -outfile "$out/$f-prog.jpg" "$out/$f.jpg"
done
jpegtran -scans "$tmp/prog.scans" -outfile "$out/420-progscans.jpg" "$out/420.jpg"
jpegtran -restart 3B -outfile "$out/420-rst.jpg" "$out/420.jpg"
jpegtran -restart 1 -outfile "$out/gray-rst.jpg" "$out/gray.jpg"
jpegtran -progressive -restart 2B -outfile "$out/420-prog-rst.jpg" "$out/420.jpg"
jpegtran -progressive -restart 5B -outfile "$out/gray-prog-rst.jpg" "$out/gray.jpg"
# What the decoder leaves to others.
cjpeg "${q[@]}" -arithmetic -outfile "$out/arith.jpg" "$tmp/src.ppm"
ls -l "$out"
