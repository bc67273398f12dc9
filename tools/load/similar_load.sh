#!/usr/bin/env bash
# Bounded load test of `emb4j serve` on loopback: a random ROWS x DIM word2vec file (tokens w0..), the server on a free
# port, CLIENTS clients on GET /v1/similar (exact, k=10) for SECONDS, then the server's resident memory and heap
# before and after. Usage: tools/load/similar_load.sh [ROWS=100000] [DIM=100] [CLIENTS=64] [SECONDS=30]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rows=${1:-100000} dim=${2:-100} clients=${3:-64} seconds=${4:-30}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
awk -v rows="$rows" -v dim="$dim" 'BEGIN { srand(1); print rows, dim;
  for (r = 0; r < rows; r++) { line = "w" r; for (j = 0; j < dim; j++) line = line sprintf(" %.4f", rand() - 0.5); print line } }' \
  > "$work/vectors.txt"
./emb4j serve --vectors "$work/vectors.txt" --from word2vec --port 0 > "$work/out" 2> "$work/err" &
server=$!
for _ in $(seq 120); do grep -q listening "$work/out" && break; sleep 1; done
url=$(sed -n 's/^listening on //p' "$work/out")
[ -n "$url" ] || { echo "the server did not start: $(cat "$work/err")" >&2; exit 1; }
memory() { curl -s "$url/metrics" | awk '/^jvm_memory_used_bytes/ && index($0, "area=\"heap\"") { s += $NF } END { printf "%.0f", s / 1048576 }'; }
pid=$(pgrep -f "emb4j.jar serve --vectors $work/vectors.txt" | head -n 1)
curl -s "$url/v1/similar?token=w1&k=10" > /dev/null
echo "{\"heap_mib_before\": $(memory), \"rss_mib_before\": $(( $(ps -o rss= -p "$pid") / 1024 ))}"
# the client needs virtual threads (JDK 21+): $JAVA, else the newest JDK under /usr/lib/jvm
java=${JAVA:-$(ls -d /usr/lib/jvm/*/bin/java | sort -V | tail -n 1)}
"$java" tools/load/SimilarLoad.java "$url" "$rows" "$clients" "$seconds"
echo "{\"heap_mib_after\": $(memory), \"rss_mib_after\": $(( $(ps -o rss= -p "$pid") / 1024 ))}"
