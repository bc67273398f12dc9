// Training-step limit probe: what a tuned C loop reaches on this machine for the two training workloads of
// ../shared/bench/torch_embedding_bench.py, with the same definitions (D = 128 fp32, one index set reused by every
// repetition, the gradient of .sum() as the upstream gradient: a tensor of ones, read from memory as a real one would be):
//   train-sgd:         lookup of N = 65536 ids into an (N, D) output, then SGD(lr = 0.01) on the touched rows
//   train-adagrad-bag: sum of B = 2048 bags x L = 32 ids into a (B, D) output, then Adagrad(lr = 0.01, eps = 1e-10)
// The backward pass and the step are fused, as FBGEMM does: the (id, source row) pairs are sorted by id with an LSD
// radix sort, then each touched row sums its gradient entries in eight 512-bit registers and is updated once, with
// a prefetch of the weight (and Adagrad state) rows and of the gradient row needed PF groups ahead. Every forward
// loop also prefetches PF rows ahead. Tables get transparent huge pages (madvise), as the JVM's do under
// -XX:+UseTransparentHugePages. The sort is serial; the forward pass and the update loop split over the threads
// (by output rows and by touched rows: race-free). Like gather_limit.c it reports its best of 15 steps.
// Build: gcc -O3 -march=native -fopenmp train_limit.c -o train_limit   (needs AVX-512)
// Run:   ./train_limit V [threads] [PF]   -> JSON lines with the fields of the benchmark scripts, each workload
//        with a prefetch distance of PF rows (default 16) and then with none ("prefetch": 0); PF = 0: only without
#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum { D = 128, B = 2048, L = 32, N = 65536, REPS = 15, DIGIT = 12 };
static const float LR = 0.01f, EPS = 1e-10f;
static int PF = 16;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static unsigned rng = 1;
static void draw(int *idx, long n, long V) {
  for (long i = 0; i < n; i++) { rng = rng * 1664525u + 1013904223u; idx[i] = (int)(((unsigned long)rng * (unsigned long)V) >> 32); }
}
static void emit(const char *w, long V, int T, double s, long rows) {
  printf("{\"impl\": \"c-probe\", \"workload\": \"%s\", \"ids\": \"reuse\", \"V\": %ld, \"D\": %d, \"threads\": %d, \"ms\": %.3f, \"mrows_per_s\": %.2f, \"prefetch\": %d}\n",
         w, V, D, T, s * 1e3, rows / s / 1e6, PF);
  fflush(stdout);
}

// A zeroed table of n floats on 2 MB-aligned memory, marked for transparent huge pages.
static float *table(long n) {
  size_t bytes = ((size_t)n * sizeof(float) + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);
  float *p = aligned_alloc(2u << 20, bytes);
  if (!p) { fprintf(stderr, "out of memory: %zu bytes\n", bytes); exit(1); }
  madvise(p, bytes, MADV_HUGEPAGE);
  memset(p, 0, bytes);
  return p;
}

static void prefetch_row(const float *row) {
  for (int c = 0; c < D; c += 16) _mm_prefetch((const char *)(row + c), _MM_HINT_T0);
}

// Sorts the pairs (id << 32 | source) by id: stable LSD radix sort, DIGIT bits per pass.
static uint64_t *sort_by_id(uint64_t *keys, uint64_t *tmp, long n, long V) {
  static long count[1 << DIGIT];
  for (int shift = 32; ((V - 1) >> (shift - 32)) > 0; shift += DIGIT) {
    memset(count, 0, sizeof count);
    for (long i = 0; i < n; i++) count[(keys[i] >> shift) & ((1 << DIGIT) - 1)]++;
    long sum = 0;
    for (int b = 0; b < (1 << DIGIT); b++) { long c = count[b]; count[b] = sum; sum += c; }
    for (long i = 0; i < n; i++) tmp[count[(keys[i] >> shift) & ((1 << DIGIT) - 1)]++] = keys[i];
    uint64_t *t = keys; keys = tmp; tmp = t;
  }
  return keys;
}

// One touched row: sums its gradient entries (rows of grad) in registers and applies SGD or Adagrad to w (and h).
static void update(float *w, float *h, const float *grad, const uint64_t *e, long count) {
  __m512 g[8];
  const float *s = grad + (long)(uint32_t)e[0] * D;
  for (int k = 0; k < 8; k++) g[k] = _mm512_loadu_ps(s + 16 * k);
  for (long j = 1; j < count; j++) {
    s = grad + (long)(uint32_t)e[j] * D;
    for (int k = 0; k < 8; k++) g[k] = _mm512_add_ps(g[k], _mm512_loadu_ps(s + 16 * k));
  }
  const __m512 lr = _mm512_set1_ps(LR), eps = _mm512_set1_ps(EPS);
  for (int k = 0; k < 8; k++) {
    __m512 step = g[k];
    if (h) {
      __m512 hk = _mm512_fmadd_ps(g[k], g[k], _mm512_loadu_ps(h + 16 * k));
      _mm512_storeu_ps(h + 16 * k, hk);
      step = _mm512_div_ps(g[k], _mm512_add_ps(_mm512_sqrt_ps(hk), eps));
    }
    _mm512_storeu_ps(w + 16 * k, _mm512_fnmadd_ps(lr, step, _mm512_loadu_ps(w + 16 * k)));
  }
}

// The fused backward pass and step: sort, find where each row's entries start, update each touched row once.
static void step(float *W, float *H, const float *grad, const int *idx, long n, int per_source, long V,
                 uint64_t *keys, uint64_t *tmp, long *starts) {
  for (long i = 0; i < n; i++) keys[i] = (uint64_t)idx[i] << 32 | (uint64_t)(i / per_source);
  uint64_t *sorted = sort_by_id(keys, tmp, n, V);
  long groups = 0;
  for (long i = 0; i < n; i++)
    if (i == 0 || (sorted[i] >> 32) != (sorted[i - 1] >> 32)) starts[groups++] = i;
  starts[groups] = n;
  #pragma omp parallel for schedule(static)
  for (long gi = 0; gi < groups; gi++) {
    if (PF && gi + PF < groups) {
      uint64_t ahead = sorted[starts[gi + PF]];
      prefetch_row(W + (long)(ahead >> 32) * D);
      if (H) prefetch_row(H + (long)(ahead >> 32) * D);
      prefetch_row(grad + (long)(uint32_t)ahead * D);
    }
    long id = (long)(sorted[starts[gi]] >> 32);
    update(W + id * D, H ? H + id * D : NULL, grad, sorted + starts[gi], starts[gi + 1] - starts[gi]);
  }
}

static void lookup(const float *W, const int *idx, float *out) {
  #pragma omp parallel for schedule(static)
  for (long i = 0; i < N; i++) {
    if (PF && i + PF < N) prefetch_row(W + (long)idx[i + PF] * D);
    memcpy(out + i * D, W + (long)idx[i] * D, D * sizeof(float));
  }
}

static void bag_sum(const float *W, const int *idx, float *out) {
  #pragma omp parallel for schedule(static)
  for (int b = 0; b < B; b++) {
    __m512 a[8];
    for (int k = 0; k < 8; k++) a[k] = _mm512_setzero_ps();
    for (int l = 0; l < L; l++) {
      long i = (long)b * L + l;
      if (PF && i + PF < (long)B * L) prefetch_row(W + (long)idx[i + PF] * D);
      const float *row = W + (long)idx[i] * D;
      for (int k = 0; k < 8; k++) a[k] = _mm512_add_ps(a[k], _mm512_loadu_ps(row + 16 * k));
    }
    for (int k = 0; k < 8; k++) _mm512_storeu_ps(out + (long)b * D + 16 * k, a[k]);
  }
}

// Best of REPS steps of one workload, with the prefetch distance PF as set.
static double best_step(float *W, float *H, const float *ones, const int *idx, float *out, long V,
                        uint64_t *keys, uint64_t *tmp, long *starts) {
  double best = 1e9;
  for (int r = 0; r < REPS; r++) {
    double t = now();
    if (H) {
      bag_sum(W, idx, out);
      step(W, H, ones, idx, (long)B * L, L, V, keys, tmp, starts);
    } else {
      lookup(W, idx, out);
      step(W, NULL, ones, idx, N, 1, V, keys, tmp, starts);
    }
    t = now() - t; if (t < best) best = t;
  }
  return best;
}

int main(int argc, char **argv) {
  long V = argc > 1 ? atol(argv[1]) : 1000000;
  int T = argc > 2 ? atoi(argv[2]) : 1;
  int pf = argc > 3 ? atoi(argv[3]) : 16;
  omp_set_num_threads(T);
  float *W = table(V * D);
  for (long i = 0; i < V * D; i++) W[i] = (float)(i % 97) * 0.01f - 0.48f;
  float *out = table((long)N * D), *ones = table((long)N * D);
  for (long i = 0; i < (long)N * D; i++) ones[i] = 1.0f;
  int *idx = malloc(N * sizeof(int));
  uint64_t *keys = malloc(N * sizeof(uint64_t)), *tmp = malloc(N * sizeof(uint64_t));
  long *starts = malloc((N + 1) * sizeof(long));
  // each workload with prefetching, then without: what a loop without prefetch instructions (Java's) can reach
  int distances[2] = {pf, 0};
  draw(idx, N, V);
  for (int k = 0; k < (pf ? 2 : 1); k++) {
    PF = distances[k];
    emit("train-sgd", V, T, best_step(W, NULL, ones, idx, out, V, keys, tmp, starts), N);
  }
  float *H = table(V * D);
  draw(idx, (long)B * L, V);
  for (int k = 0; k < (pf ? 2 : 1); k++) {
    PF = distances[k];
    emit("train-adagrad-bag", V, T, best_step(W, H, ones, idx, out, V, keys, tmp, starts), (long)B * L);
  }
  fprintf(stderr, "checksum %f %f\n", out[5], W[5]);
  return 0;
}
