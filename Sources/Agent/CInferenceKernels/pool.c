// A fork-join pool whose workers spin briefly between jobs (a decode step runs a few hundred small
// parallel operators, so waking threads through the kernel each time would cost more than the
// work), then sleep on a condition variable.
#include "internal.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sched.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

// Spin with PAUSE briefly, then yield the CPU between checks (on an oversubscribed machine the
// thread we wait for may need this core), and after about 2 ms of nothing, sleep.
#define PAUSE_SPINS 2000
#define SLEEP_AFTER_NS 2000000

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct ik_pool {
    int n;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    _Atomic unsigned gen;
    _Atomic int done;
    _Atomic int sleepers;
    _Atomic int stop;
    ik_task_fn fn;
    void *ctx;
};

typedef struct { ik_pool *pool; int ith; } worker_arg;

static void *worker(void *varg) {
    worker_arg *a = varg;
    ik_pool *p = a->pool;
    const int ith = a->ith;
    free(a);
    unsigned seen = 0;
    for (;;) {
        int spins = 0;
        uint64_t start = 0;
        while (atomic_load(&p->gen) == seen && !atomic_load(&p->stop)) {
            if (++spins < PAUSE_SPINS) { CPU_RELAX(); continue; }
            if (start == 0) start = now_ns();
            if (now_ns() - start < SLEEP_AFTER_NS) { sched_yield(); continue; }
            pthread_mutex_lock(&p->mu);
            atomic_fetch_add(&p->sleepers, 1);
            while (atomic_load(&p->gen) == seen && !atomic_load(&p->stop)) pthread_cond_wait(&p->cv, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->stop)) return NULL;
        seen = atomic_load(&p->gen);
        p->fn(p->ctx, ith, p->n);
        atomic_fetch_add(&p->done, 1);
    }
}

ik_pool *ik_pool_create(int nthreads) {
    if (nthreads < 1) nthreads = 1;
    ik_pool *p = calloc(1, sizeof(ik_pool));
    p->n = nthreads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->threads = calloc((size_t)nthreads, sizeof(pthread_t));
    for (int i = 1; i < nthreads; i++) {
        worker_arg *a = malloc(sizeof(worker_arg));
        a->pool = p; a->ith = i;
        pthread_create(&p->threads[i], NULL, worker, a);
    }
    return p;
}

void ik_pool_destroy(ik_pool *p) {
    if (!p) return;
    atomic_store(&p->stop, 1);
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++) pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p);
}

int ik_pool_threads(const ik_pool *p) { return p->n; }

void ik_pool_run(ik_pool *p, ik_task_fn fn, void *ctx) {
    if (p->n == 1) { fn(ctx, 0, 1); return; }
    p->fn = fn;
    p->ctx = ctx;
    atomic_store(&p->done, 0);
    atomic_fetch_add(&p->gen, 1);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    fn(ctx, 0, p->n);
    int spins = 0;
    while (atomic_load(&p->done) < p->n - 1) {
        if (++spins < PAUSE_SPINS) CPU_RELAX();
        else sched_yield();
    }
}
