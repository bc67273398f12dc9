#!/usr/bin/env bash
# Side-by-side: fastText (Debian 'fasttext') and emb4j on the same shuffled 80/20 split of the SMS Spam Collection,
# same hyper-parameters (epochs, dim, learning rate, word bigrams, buckets) and one thread each.
# Prints accuracy (P@1) and training words/sec/thread for both, and the ratios.
#
# Usage: tools/compare/fasttext_sms.sh [SEED]     (run from anywhere; installs fasttext with apt-get if missing)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seed="${1:-1}"
data="$root/emb4j-cli/src/main/resources/dev/emb4j/cli/demo/sms-spam/SMSSpamCollection"
epochs=25 dim=50 lr=0.5 ngrams=2 buckets=200000

if ! command -v fasttext >/dev/null 2>&1; then
  echo "installing fasttext (apt-get)..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fasttext >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The same lower-cased, shuffled split in fastText format for both tools.
python3 - "$data" "$seed" "$work" <<'PY'
import random, sys
path, seed, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = [l.rstrip("\n") for l in open(path, encoding="utf-8") if l.strip()]
random.Random(seed).shuffle(lines)
cut = int(len(lines) * 0.8)
def fmt(l):
    label, text = l.split("\t", 1)
    return "__label__" + label + " " + text.lower()
for name, part in (("train.txt", lines[:cut]), ("test.txt", lines[cut:])):
    with open(f"{out}/{name}", "w", encoding="utf-8") as f:
        f.write("\n".join(fmt(l) for l in part) + "\n")
PY

echo "split: $(wc -l < "$work/train.txt") train / $(wc -l < "$work/test.txt") test lines (seed $seed)" >&2
fasttext supervised -input "$work/train.txt" -output "$work/ft" -epoch $epochs -dim $dim -lr $lr \
  -wordNgrams $ngrams -bucket $buckets -thread 1 -minCount 1 > "$work/ft.log" 2>&1
ft_wps=$(tr '\r' '\n' < "$work/ft.log" | grep -o 'words/sec/thread: *[0-9]*' | tail -n 1 | grep -o '[0-9]*$')
ft_acc=$(fasttext test "$work/ft.bin" "$work/test.txt" | awk '$1 == "P@1" {print $2}')

"$root/emb4j" classify train --input "$work/train.txt" --output "$work/e.model" --epochs $epochs --dim $dim \
  --lr $lr --ngrams $ngrams --buckets $buckets --threads 1 --no-lowercase --json -q > "$work/e.json"
e_wps=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["words_per_sec_per_thread"])' "$work/e.json")
e_acc=$("$root/emb4j" classify test --model "$work/e.model" --input "$work/test.txt" --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["accuracy"])')

python3 - "$ft_acc" "$ft_wps" "$e_acc" "$e_wps" <<'PY'
import sys
fa, fw, ea, ew = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"{'':10} {'accuracy (P@1)':>15} {'words/sec/thread':>18}")
print(f"{'fastText':10} {fa:>15.4f} {fw:>18,.0f}")
print(f"{'emb4j':10} {ea:>15.4f} {ew:>18,.0f}")
print(f"{'ratio':10} {ea / fa:>15.4f} {ew / fw:>18.2f}")
PY
