#!/usr/bin/env bash
# Runs the three sides of the embedding benchmark in one go and prints the ratios:
#   PyTorch  ../shared/bench/torch_embedding_bench.py  (Debian python3-torch, under libtcmalloc-minimal4 unless
#                                                        EMB4J_TORCH_PLAIN_MALLOC is set; both installed with
#                                                        apt-get if missing)
#   C        ../shared/bench/gather_limit.c            (gcc -O3 -march=native -fopenmp; lookup and bag-sum)
#            tools/bench/train_limit.c                  (the same; train-sgd and train-adagrad-bag, fused backward and
#                                                        step, with and without prefetch instructions)
#   emb4j    ./emb4j bench                              (the same workloads and JSON fields)
# All lines go to $OUT/results.jsonl; the table at the end divides emb4j's M rows/s by PyTorch's and by C's
# ("reuse" lines of the C probe: the same index set in every repetition, as in the other two). PyTorch and emb4j
# report the median of 7 timed calls, the C probes their best of 15: the column "best % of C" sets emb4j's best call
# (best_ms) beside C's best. For training, "c" prefetches 16 rows ahead (the machine's limit) and "c no-pf" does
# not: Java has no prefetch instruction, so "% no-pf" is the fair measure of emb4j's loops. With ROUNDS > 1 the
# three sides run again, in turn, that many times, and the table shows the median of the rounds' figures for each
# side (and the best call of all rounds for "best % of C"): on a shared machine one round's figures swing by tens of
# percent.
#
# With HISTORY=1 (the default) emb4j also runs each workload and size in a JVM of its own ("fresh") and once more
# with --after-all (each figure taken in a JVM that already ran every other workload and size), and a second table
# sets the two side by side: a model with several tables of different sizes lives in the second case. The --after-all
# JVM pauses before each figure while a fresh JVM times the same workload and size (before it in odd rounds, after
# it in even ones), so that each pair is taken at about the same moment. Both JVMs then hold memory at once: the
# largest pair (train-adagrad-bag at 1e7, two threads) needs about 22 GB.
#
# With HISTORY=only, just the history check runs (no C, no PyTorch, no shared-JVM emb4j run): about a third of the
# time, for checking that figure on its own.
#
# Usage: tools/bench/compare.sh            (threads 1 and 2; V = 1e4, 1e6, 1e7)
# Environment: THREADS="1 2"  VOCABS="10000 1000000 10000000"  STORE=heap|offheap  OUT=dir  ROUNDS=1
#              HISTORY=1|0|only
#              EMB4J_JAVA_OPTS (default -Xmx14g -Xms14g: a 1e7 x 128 table is 5.1 GB and Adagrad keeps as much
#                              again; the heap is fixed at its maximum so that G1 neither shrinks it at the System.gc()
#                              between workloads nor grows it again under a workload's allocations: each growth hands
#                              the calls fresh pages, whose first touch costs milliseconds on this virtual machine.
#                              Committed is not resident: the heap's pages are touched only as they are used.)
#              EMB4J_SHARED (default: ../shared next to the repository)
# Measure on a quiet machine: other processes on the same cores change every figure. On a virtual machine, where the
# host places the vCPUs matters too: tools/bench/core_latency.c measures the core-to-core hand-over before and after
# each multi-threaded emb4j run, and the table's footer prints it (tens of ns: a shared cache; ~200 ns: not).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
SHARED=${EMB4J_SHARED:-$ROOT/../shared}
THREADS=${THREADS:-"1 2"}
VOCABS=${VOCABS:-"10000 1000000 10000000"}
STORE=${STORE:-heap}
ROUNDS=${ROUNDS:-1}
HISTORY=${HISTORY:-1}
WORKLOADS="lookup bag-sum train-sgd train-adagrad-bag"
OUT=${OUT:-$ROOT/target/bench}
PYTHON=/usr/bin/python3
export EMB4J_JAVA_OPTS=${EMB4J_JAVA_OPTS:--Xmx14g -Xms14g}

mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: > "$RESULTS"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "need root (or sudo) to run: $*" >&2; return 1; fi
}

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch (PyTorch for $PYTHON) with apt-get..." >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch >&2
fi

# The PyTorch script runs PyTorch under tcmalloc, as PyTorch's performance guide advises, only where the library is
# installed at the path it preloads; with glibc malloc its training steps spend most of their time mapping fresh
# memory on this machine.
if [ -z "${EMB4J_TORCH_PLAIN_MALLOC-}" ] && [ ! -e /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 ]; then
  echo "installing libtcmalloc-minimal4 (PyTorch's allocator in the benchmark) with apt-get..." >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libtcmalloc-minimal4 >&2
fi

echo "building the C probe: gcc -O3 -march=native -fopenmp gather_limit.c" >&2
gcc -O3 -march=native -fopenmp "$SHARED/bench/gather_limit.c" -o "$OUT/gather_limit"
gcc -O3 -march=native -fopenmp "$ROOT/tools/bench/train_limit.c" -o "$OUT/train_limit" -lm
gcc -O2 -pthread "$ROOT/tools/bench/core_latency.c" -o "$OUT/core_latency"

# One JSON line: the core-to-core latency now, tagged with the round and what it was measured around.
core_latency() {
  "$OUT/core_latency" | sed "s/}\$/, \"round\": $1, \"when\": \"$2\"}/"
}

# A fresh JVM's figure for the history check: round $1, threads $2, workload $3, V = $4.
history_fresh() {
  echo "round $1: emb4j fresh JVM: $3 V=$4 threads=$2" >&2
  "$ROOT/emb4j" bench --threads "$2" --store "$STORE" --vocab "$4" --workload "$3" 2>/dev/null \
    | sed 's/}$/, "run": "history"}/' >> "$RESULTS"
}

# One round of the history check on $2 threads. The --after-all JVM runs every workload and size once, then pauses
# before each figure (--pause-before-each); beside each, a fresh JVM times the same workload and size, before it in
# odd rounds and after it in even ones. The two figures of a pair are then taken within a minute of each other, on a
# machine whose speed drifts over minutes.
history_round() {
  local round=$1 t=$2 waiting line w v pid from_after to_after
  # shellcheck disable=SC2086 # VOCABS is a list, split on purpose
  coproc AFTER_ALL { "$ROOT/emb4j" bench --threads "$t" --store "$STORE" --vocab "$(echo $VOCABS | tr ' ' ',')" \
    --workload "$(echo $WORKLOADS | tr ' ' ',')" --after-all --pause-before-each 2>/dev/null; }
  # bash forgets a coprocess's descriptors when it exits: keep copies
  pid=$AFTER_ALL_PID
  exec {from_after}<&"${AFTER_ALL[0]}" {to_after}>&"${AFTER_ALL[1]}"
  while IFS= read -r waiting <&"$from_after"; do
    w='' v=''
    read -r w v < <(sed -n 's/^{"waiting": "\([a-z-]*\)", "V": \([0-9]*\)}$/\1 \2/p' <<< "$waiting") || true
    if [ -z "$w" ]; then
      echo "compare.sh: expected a {\"waiting\": ...} line from emb4j bench --after-all, got: $waiting" >&2
      exit 1
    fi
    if [ $((round % 2)) -eq 1 ]; then history_fresh "$round" "$t" "$w" "$v"; fi
    echo "round $round: emb4j --after-all: $w V=$v threads=$t" >&2
    echo go >&"$to_after"
    IFS= read -r line <&"$from_after"
    sed 's/}$/, "run": "history"}/' <<< "$line" >> "$RESULTS"
    if [ $((round % 2)) -eq 0 ]; then history_fresh "$round" "$t" "$w" "$v"; fi
  done
  exec {from_after}<&- {to_after}>&-
  wait "$pid"
}

# shellcheck disable=SC2086 # VOCABS is a list, split on purpose
for round in $(seq "$ROUNDS"); do
  for t in $THREADS; do
    for v in $VOCABS; do
      [ "$HISTORY" = only ] && break
      echo "round $round: C probe: V=$v threads=$t" >&2
      OMP_PROC_BIND=close "$OUT/gather_limit" "$v" "$t" 2>/dev/null | grep '"reuse"' >> "$RESULTS"
      OMP_PROC_BIND=close "$OUT/train_limit" "$v" "$t" 2>/dev/null >> "$RESULTS"
    done
    if [ "$HISTORY" != only ]; then
      echo "round $round: PyTorch: threads=$t V=$VOCABS" >&2
      "$PYTHON" "$SHARED/bench/torch_embedding_bench.py" "$t" $VOCABS >> "$RESULTS"
      echo "round $round: emb4j: threads=$t V=$VOCABS store=$STORE" >&2
      if [ "$t" -gt 1 ]; then core_latency "$round" "before emb4j threads=$t" >> "$RESULTS"; fi
      "$ROOT/emb4j" bench --threads "$t" --store "$STORE" --vocab "$(echo $VOCABS | tr ' ' ',')" 2>/dev/null >> "$RESULTS"
      if [ "$t" -gt 1 ]; then core_latency "$round" "after emb4j threads=$t" >> "$RESULTS"; fi
    fi
    if [ "$HISTORY" = 1 ] || [ "$HISTORY" = only ]; then
      history_round "$round" "$t"
    fi
  done
done

"$PYTHON" - "$RESULTS" "$ROUNDS" <<'PY'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
rows = [r for r in lines if r["impl"] != "core-latency" and "run" not in r]
history = [r for r in lines if r.get("run") == "history"]
latencies = [r for r in lines if r["impl"] == "core-latency"]
rounds = int(sys.argv[2])
def side(r):
    if r["impl"] == "c-probe":
        return "c0" if r.get("prefetch") == 0 else "c"
    return "torch" if r["impl"].startswith("pytorch") else "emb4j"
figures = {}  # (workload, V, threads, side) -> M rows/s of each round
bests = {}  # (workload, V, threads, side) -> M rows/s of the best call of each round (the C probe reports only that)
for r in rows:
    key = (r["workload"], r["V"], r["threads"], side(r))
    figures.setdefault(key, []).append(r["mrows_per_s"])
    if side(r) in ("c", "c0"):
        bests.setdefault(key, []).append(r["mrows_per_s"])
    elif r.get("best_ms"):
        bests.setdefault(key, []).append(r["mrows_per_s"] * r["ms"] / r["best_ms"])
table = {k: statistics.median(v) for k, v in figures.items()}
best = {k: max(v) for k, v in bests.items()}
keys = sorted({(w, v, t) for (w, v, t, _) in table},
              key=lambda k: (["lookup", "bag-sum", "train-sgd", "train-adagrad-bag"].index(k[0]), k[1], k[2]))
if rounds > 1:
    print("median of %d rounds for each side; 'best %% of C': emb4j's best call of all rounds / C's" % rounds)
if any(r["impl"].startswith("pytorch") and r.get("allocator") == "glibc" for r in rows):
    print("PyTorch ran on glibc malloc, not tcmalloc as its performance guide advises: its training figures are low")
fmt = "{:<18} {:>9} {:>3} {:>9} {:>9} {:>9} {:>9} {:>9} {:>12} {:>9} {:>9}"
if keys:
    print(fmt.format("workload", "V", "thr", "emb4j", "pytorch", "c", "x torch", "% of C", "best % of C", "c no-pf",
                   "% no-pf"))
for w, v, t in keys:
    e = table.get((w, v, t, "emb4j")); p = table.get((w, v, t, "torch")); c = table.get((w, v, t, "c"))
    c0 = table.get((w, v, t, "c0"))
    be = best.get((w, v, t, "emb4j")); bc = best.get((w, v, t, "c"))
    f = lambda x: "-" if x is None else "%.2f" % x
    pct = lambda x, y: "-" if not (x and y) else "%.0f%%" % (100 * x / y)
    print(fmt.format(w, v, t, f(e), f(p), f(c), "-" if not (e and p) else "%.2fx" % (e / p), pct(e, c), pct(be, bc),
                     f(c0), pct(e, c0)))
if history:
    hist, cpu, huge = {}, {}, {}  # (workload, V, threads, jvm) -> M rows/s, CPU ms of a call, huge-page MB, per round
    for r in history:
        k = (r["workload"], r["V"], r["threads"], r["jvm"])
        hist.setdefault(k, []).append(r["mrows_per_s"])
        if r.get("cpu_ms"):
            cpu.setdefault(k, []).append(r["cpu_ms"])
        if r.get("anon_huge_kb") is not None:
            huge.setdefault(k, []).append(r["anon_huge_kb"] / 1024)
    hist, cpu, huge = ({k: statistics.median(v) for k, v in d.items()} for d in (hist, cpu, huge))
    print()
    print("emb4j in a fresh JVM per workload and size, and after every other workload ran in the same JVM (--after-all);")
    print("'cpu ratio' from the calling thread's CPU time per call (blind to other processes' load), 'huge MB' the")
    print("anonymous memory on transparent huge pages (fresh / after-all)")
    hfmt = "{:<18} {:>9} {:>3} {:>9} {:>9} {:>6} {:>9} {:>13}"
    print(hfmt.format("workload", "V", "thr", "fresh", "after-all", "ratio", "cpu ratio", "huge MB"))
    order = ["lookup", "bag-sum", "train-sgd", "train-adagrad-bag"]
    hkeys = sorted({(w, v, t) for (w, v, t, _) in hist}, key=lambda k: (order.index(k[0]), k[1], k[2]))
    for w, v, t in hkeys:
        a = hist.get((w, v, t, "fresh")); b = hist.get((w, v, t, "after-all"))
        if a is None and b is None:
            continue
        ca = cpu.get((w, v, t, "fresh")); cb = cpu.get((w, v, t, "after-all"))
        ha = huge.get((w, v, t, "fresh")); hb = huge.get((w, v, t, "after-all"))
        print(hfmt.format(w, v, t, "-" if a is None else "%.2f" % a, "-" if b is None else "%.2f" % b,
                          "-" if not (a and b) else "%.0f%%" % (100 * b / a),
                          "-" if not (ca and cb) else "%.0f%%" % (100 * ca / cb),
                          "-" if ha is None or hb is None else "%.0f / %.0f" % (ha, hb)))
if latencies:
    print("core-to-core latency (tools/bench/core_latency.c): " +
          "; ".join("round %d %s: %.0f ns" % (r["round"], r["when"], r["ns"]) for r in latencies))
PY
echo "results: $RESULTS" >&2
