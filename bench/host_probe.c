/* What this host gives two threads, independent of laminarc:
 *
 *     gcc -O2 -pthread bench/host_probe.c -o /tmp/host_probe && /tmp/host_probe [rounds]
 *
 * 1. An ALU-bound loop (no memory traffic) on CPU 0 alone, on CPU 1 alone, then on both at
 *    once, with the steal time /proc/stat reports for those CPUs over the run. On dedicated
 *    cores the loop runs as fast on both at once as alone. When it runs slower without any
 *    steal, the vCPU kept running but on a physical core it shares (another tenant's thread on
 *    its SMT sibling): the guest cannot see or avoid that.
 * 2. A futex round trip (wake the other thread, sleep until it wakes this one) with both
 *    threads on CPU 0, then on CPUs 0 and 1: the cost of waking a thread on the other vCPU,
 *    which must leave the guest when that vCPU is idle.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double clock_s(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void pin(int cpu) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    if (sched_setaffinity(0, sizeof(s), &s) != 0) {
        perror("sched_setaffinity");
        exit(1);
    }
}

/* steal ticks (USER_HZ) of cpu0 + cpu1, or -1 without /proc/stat */
static long steal_ticks(void) {
    FILE* f = fopen("/proc/stat", "r");
    if (!f) return -1;
    char line[512];
    long total = 0;
    while (fgets(line, sizeof(line), f)) {
        int cpu;
        long v[8];
        if (sscanf(line, "cpu%d %ld %ld %ld %ld %ld %ld %ld %ld", &cpu, &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7]) == 9 && (cpu == 0 || cpu == 1))
            total += v[7];
    }
    fclose(f);
    return total;
}

/* ---- 1. ALU loop ---- */
static pthread_barrier_t start;
static int together;
static double alu_seconds[2];

static void* alu(void* arg) {
    int cpu = (int)(intptr_t)arg;
    pin(cpu);
    if (together) pthread_barrier_wait(&start);
    double t0 = clock_s(CLOCK_MONOTONIC);
    uint64_t a0 = 1, a1 = 2, a2 = 3, a3 = 4, a4 = 5, a5 = 6, a6 = 7, a7 = 8;
    for (long i = 0; i < 400000000; i++) {
        __asm__ volatile("" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5),
                         "+r"(a6), "+r"(a7));
        a0 += a1; a1 ^= a2; a2 += a3; a3 ^= a4; a4 += a5; a5 ^= a6; a6 += a7; a7 ^= a0;
    }
    __asm__ volatile("" ::"r"(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7));
    alu_seconds[cpu] = clock_s(CLOCK_MONOTONIC) - t0;
    return NULL;
}

static void alu_round(void) {
    together = 0;
    alu((void*)0);
    alu((void*)1);
    double alone0 = alu_seconds[0], alone1 = alu_seconds[1];
    together = 1;
    pthread_barrier_init(&start, NULL, 2);
    long s0 = steal_ticks();
    pthread_t t[2];
    for (intptr_t i = 0; i < 2; i++) pthread_create(&t[i], NULL, alu, (void*)i);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    long s1 = steal_ticks();
    pthread_barrier_destroy(&start);
    printf("ALU loop: alone %.3f / %.3f s; both at once %.3f / %.3f s (x%.2f / x%.2f); "
           "steal over it %ld ms\n", alone0, alone1, alu_seconds[0], alu_seconds[1],
           alu_seconds[0] / alone0, alu_seconds[1] / alone1,
           s0 < 0 ? -1 : (s1 - s0) * 1000 / sysconf(_SC_CLK_TCK));
}

/* ---- 2. futex round trip ---- */
#define TRIPS 20000
static int32_t ping, pong;
static int peer_cpu;

static void futex_wait(int32_t* a, int32_t v) {
    syscall(SYS_futex, a, FUTEX_WAIT_PRIVATE, v, 0, 0, 0);
}
static void futex_wake(int32_t* a) { syscall(SYS_futex, a, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0); }

static void* peer(void* arg) {
    (void)arg;
    pin(peer_cpu);
    for (int32_t i = 0; i < TRIPS; i++) {
        while (__atomic_load_n(&ping, __ATOMIC_ACQUIRE) == i) futex_wait(&ping, i);
        __atomic_store_n(&pong, i + 1, __ATOMIC_RELEASE);
        futex_wake(&pong);
    }
    return NULL;
}

static void futex_round(int other) {
    pin(0);
    peer_cpu = other;
    ping = pong = 0;
    pthread_t t;
    pthread_create(&t, NULL, peer, NULL);
    usleep(10000);
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    for (int32_t i = 0; i < TRIPS; i++) {
        __atomic_store_n(&ping, i + 1, __ATOMIC_RELEASE);
        futex_wake(&ping);
        while (__atomic_load_n(&pong, __ATOMIC_ACQUIRE) == i) futex_wait(&pong, i);
    }
    double wall = clock_s(CLOCK_MONOTONIC) - t0, cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    pthread_join(t, NULL);
    printf("futex round trip, other thread on CPU %d: %.1f us, %.1f us of this thread's CPU\n",
           other, wall / TRIPS * 1e6, cpu / TRIPS * 1e6);
}

int main(int argc, char** argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 3;
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        printf("needs 2 CPUs\n");
        return 0;
    }
    for (int r = 0; r < rounds; r++) alu_round();
    for (int r = 0; r < rounds; r++) {
        futex_round(0);
        futex_round(1);
    }
    return 0;
}
