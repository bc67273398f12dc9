// Core-to-core latency: two threads pinned to CPUs 0 and 1 hand a counter back and forth through one cache line.
// On a virtual machine the host decides where the two vCPUs run. Sharing a last-level cache, a hand-over takes
// tens of ns; on different core complexes (or sockets), about 200 ns on the machines this was written on. Kernels
// whose threads write rows that the other thread then reads (a training step after a forward pass) slow down
// with it, so compare.sh records it beside the 2-thread figures.
// Build: gcc -O2 -pthread core_latency.c -o core_latency      Run: ./core_latency   -> one JSON line
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#define HANDOVERS 2000000L

static _Atomic long turn __attribute__((aligned(128)));

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// Waits for each value of the given parity and answers with the next one.
static void play(long first) {
  for (long i = first; i < HANDOVERS; i += 2) {
    while (atomic_load_explicit(&turn, memory_order_acquire) != i) {
    }
    atomic_store_explicit(&turn, i + 1, memory_order_release);
  }
}

static void *second(void *unused) {
  (void) unused;
  pin(1);
  play(1);
  return NULL;
}

int main(void) {
  pthread_t other;
  pin(0);
  if (pthread_create(&other, NULL, second, NULL) != 0) {
    fprintf(stderr, "cannot start a second thread\n");
    return 1;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  play(0);
  pthread_join(other, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / HANDOVERS;
  printf("{\"impl\": \"core-latency\", \"ns\": %.1f}\n", ns);
  return 0;
}
