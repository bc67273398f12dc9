// The machine's limit for bag-sum by row dtype, in C: what a tuned loop reaches over fp32, bf16, fp16, int8 and
// int4 rows (the row layouts of emb4j and FBGEMM: 16-bit rows of D values; int8 rows of D bytes then a float32
// scale and bias; int4 rows of D/2 bytes then a float16 scale and bias), B = 2048 bags x L = 32, D = 128, one
// thread, each dtype with and without prefetch instructions (every cache line of the row 16 positions ahead, as
// FBGEMM does). Java has no prefetch instruction, so the "prefetch": 0 lines are the fair limit for emb4j's loops.
// The five tables live on transparent huge pages (madvise) and the repetitions go round the dtypes in turn, so a
// drift of the machine's speed slows them alike. The int4 loop decodes the low and high nibbles into separate
// accumulators (its sum is in another column order than emb4j's: the same work, for timing only).
// Build: gcc -O3 -march=native tools/bench/dtype_limit.c -o dtype_limit   (needs AVX-512 with F16C)
// Run:   ./dtype_limit V   -> one JSON line per dtype and prefetch setting: median and best of 15 repetitions
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include <sys/mman.h>
#include <immintrin.h>
enum { D = 128, B = 2048, L = 32, REPS = 15, PF = 16 };
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static unsigned rng = 1;
static void *big(size_t n) { void *p = mmap(0, n, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0); madvise(p, n, MADV_HUGEPAGE); memset(p, 1, n); return p; }
static int *idx; static float *out;
static inline void pf(const char *p, int bytes) { for (int c = 0; c < bytes; c += 64) _mm_prefetch(p + c, _MM_HINT_T0); }
#define LOOP(ROWBYTES, BODY) \
  for (int b = 0; b < B; b++) { \
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0; \
    for (int l = 0; l < L; l++) { \
      int i = b * L + l; \
      if (prefetch && i + PF < B * L) pf(base + (long)idx[i + PF] * ROWBYTES, ROWBYTES); \
      const char *row = base + (long)idx[i] * ROWBYTES; BODY \
    } \
    float *o = out + (long)b * D; \
    _mm512_storeu_ps(o, a0); _mm512_storeu_ps(o + 16, a1); _mm512_storeu_ps(o + 32, a2); _mm512_storeu_ps(o + 48, a3); \
    _mm512_storeu_ps(o + 64, a4); _mm512_storeu_ps(o + 80, a5); _mm512_storeu_ps(o + 96, a6); _mm512_storeu_ps(o + 112, a7); }
#define F32(c) _mm512_loadu_ps((const float *)row + 16 * c)
#define BF(c) _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(row + 32 * c))), 16))
#define FH(c) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(row + 32 * c)))
#define I8(c) _mm512_fmadd_ps(s, _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(row + 16 * c)))), bb)
static void run(int kind, const char *base, int prefetch) {
  if (kind == 0) { LOOP(512, a0 = _mm512_add_ps(a0, F32(0)); a1 = _mm512_add_ps(a1, F32(1)); a2 = _mm512_add_ps(a2, F32(2)); a3 = _mm512_add_ps(a3, F32(3)); a4 = _mm512_add_ps(a4, F32(4)); a5 = _mm512_add_ps(a5, F32(5)); a6 = _mm512_add_ps(a6, F32(6)); a7 = _mm512_add_ps(a7, F32(7));) }
  else if (kind == 1) { LOOP(256, a0 = _mm512_add_ps(a0, BF(0)); a1 = _mm512_add_ps(a1, BF(1)); a2 = _mm512_add_ps(a2, BF(2)); a3 = _mm512_add_ps(a3, BF(3)); a4 = _mm512_add_ps(a4, BF(4)); a5 = _mm512_add_ps(a5, BF(5)); a6 = _mm512_add_ps(a6, BF(6)); a7 = _mm512_add_ps(a7, BF(7));) }
  else if (kind == 2) { LOOP(256, a0 = _mm512_add_ps(a0, FH(0)); a1 = _mm512_add_ps(a1, FH(1)); a2 = _mm512_add_ps(a2, FH(2)); a3 = _mm512_add_ps(a3, FH(3)); a4 = _mm512_add_ps(a4, FH(4)); a5 = _mm512_add_ps(a5, FH(5)); a6 = _mm512_add_ps(a6, FH(6)); a7 = _mm512_add_ps(a7, FH(7));) }
  else if (kind == 3) { LOOP(136, __m512 s = _mm512_set1_ps(*(const float *)(row + 128)); __m512 bb = _mm512_set1_ps(*(const float *)(row + 132));
      a0 = _mm512_add_ps(a0, I8(0)); a1 = _mm512_add_ps(a1, I8(1)); a2 = _mm512_add_ps(a2, I8(2)); a3 = _mm512_add_ps(a3, I8(3)); a4 = _mm512_add_ps(a4, I8(4)); a5 = _mm512_add_ps(a5, I8(5)); a6 = _mm512_add_ps(a6, I8(6)); a7 = _mm512_add_ps(a7, I8(7));) }
  else { LOOP(68, __m512 s = _mm512_set1_ps(_cvtsh_ss(*(const uint16_t *)(row + 64))); __m512 bb = _mm512_set1_ps(_cvtsh_ss(*(const uint16_t *)(row + 66)));
      for (int c = 0; c < 4; c++) { __m512i q = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(row + 16 * c)));
        __m512 lo = _mm512_fmadd_ps(s, _mm512_cvtepi32_ps(_mm512_and_si512(q, _mm512_set1_epi32(15))), bb);
        __m512 hi = _mm512_fmadd_ps(s, _mm512_cvtepi32_ps(_mm512_srli_epi32(q, 4)), bb);
        if (c == 0) { a0 = _mm512_add_ps(a0, lo); a1 = _mm512_add_ps(a1, hi); } else if (c == 1) { a2 = _mm512_add_ps(a2, lo); a3 = _mm512_add_ps(a3, hi); }
        else if (c == 2) { a4 = _mm512_add_ps(a4, lo); a5 = _mm512_add_ps(a5, hi); } else { a6 = _mm512_add_ps(a6, lo); a7 = _mm512_add_ps(a7, hi); } }) }
}
int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
int main(int argc, char **argv) {
  long V = argc > 1 ? atol(argv[1]) : 10000000;
  const char *names[] = {"fp32", "bf16", "fp16", "int8", "int4"}; int bytes[] = {512, 256, 256, 136, 68};
  char *tab[5]; for (int k = 0; k < 5; k++) tab[k] = big((size_t)V * bytes[k] + 64);
  for (int k = 0; k < 5; k++) if (k == 3) for (long r = 0; r < V; r++) { ((float *)(tab[3] + r * 136 + 128))[0] = 0.01f; ((float *)(tab[3] + r * 136 + 132))[0] = -1; }
  out = aligned_alloc(64, (long)B * D * 4); idx = malloc(B * L * sizeof(int));
  for (int i = 0; i < B * L; i++) { rng = rng * 1664525u + 1013904223u; idx[i] = (int)(((unsigned long)rng * (unsigned long)V) >> 32); }
  double t[5][2][REPS];
  for (int r = 0; r < REPS; r++) for (int k = 0; k < 5; k++) for (int p = 0; p < 2; p++) { double s = now(); run(k, tab[k], p); t[k][p][r] = now() - s; }
  for (int k = 0; k < 5; k++) for (int p = 0; p < 2; p++) { qsort(t[k][p], REPS, sizeof(double), cmp);
    printf("{\"dtype\": \"%s\", \"prefetch\": %d, \"V\": %ld, \"median_mrows\": %.2f, \"best_mrows\": %.2f}\n", names[k], p, V, B * L / t[k][p][REPS / 2] / 1e6, B * L / t[k][p][0] / 1e6); }
  fprintf(stderr, "checksum %f\n", out[5]); return 0;
}
