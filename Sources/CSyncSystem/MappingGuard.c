// Fault-safe reads of mapped files.
//
// A file mapped for reading can shrink under us (another program truncates or rewrites it).
// Touching a page past the new end then raises SIGBUS, which by default kills the whole run
// with no message. Each mapping we read is registered here; when a read faults inside one,
// the handler maps a page of zeros over the faulting page, marks the mapping as torn and lets
// the read go on. The reader checks the mark when it is done and treats the file as changed
// under it (a per-file error), never as a crash. A SIGBUS outside every registered mapping is
// handed to whatever handler was installed before ours.
#define _GNU_SOURCE
#include "CSyncSystem.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

// Mappings alive at once: transfer workers times parts in flight stays well below this; a
// registration that finds no free slot fails and the caller reads with pread instead.
#define GUARD_SLOTS 4096

enum { SLOT_FREE = 0, SLOT_CLAIMED = 1, SLOT_ACTIVE = 2 };

static _Atomic int slot_state[GUARD_SLOTS];
static _Atomic uintptr_t slot_start[GUARD_SLOTS];
static _Atomic uintptr_t slot_end[GUARD_SLOTS];
static _Atomic int slot_torn[GUARD_SLOTS];
static struct sigaction previous_action;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int installed = 0;
static uintptr_t page_size = 4096;

static void on_sigbus(int signal, siginfo_t *info, void *context) {
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int i = 0; i < GUARD_SLOTS; i++) {
        if (atomic_load_explicit(&slot_state[i], memory_order_acquire) != SLOT_ACTIVE) continue;
        if (address < atomic_load_explicit(&slot_start[i], memory_order_relaxed)) continue;
        if (address >= atomic_load_explicit(&slot_end[i], memory_order_relaxed)) continue;
        void *page = (void *)(address & ~(page_size - 1));
        // mmap is a plain system call on Linux, safe to make in a signal handler.
        if (mmap(page, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            atomic_store_explicit(&slot_torn[i], 1, memory_order_release);
            return;
        }
        break;
    }
    // Not one of ours: put the earlier handler back; returning re-runs the faulting
    // instruction, which then reaches it (or the default action, which ends the process).
    sigaction(SIGBUS, &previous_action, NULL);
    (void)signal;
    (void)context;
}

static void install(void) {
    long size = sysconf(_SC_PAGESIZE);
    if (size > 0) page_size = (uintptr_t)size;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    installed = sigaction(SIGBUS, &action, &previous_action) == 0;
}

int cs_guard_register(const void *start, size_t length) {
    pthread_once(&install_once, install);
    if (!installed || length == 0) return -1;
    for (int i = 0; i < GUARD_SLOTS; i++) {
        int expected = SLOT_FREE;
        if (!atomic_compare_exchange_strong(&slot_state[i], &expected, SLOT_CLAIMED)) continue;
        atomic_store_explicit(&slot_start[i], (uintptr_t)start, memory_order_relaxed);
        atomic_store_explicit(&slot_end[i], (uintptr_t)start + length, memory_order_relaxed);
        atomic_store_explicit(&slot_torn[i], 0, memory_order_relaxed);
        atomic_store_explicit(&slot_state[i], SLOT_ACTIVE, memory_order_release);
        return i;
    }
    return -1;
}

int cs_guard_torn(int slot) {
    if (slot < 0 || slot >= GUARD_SLOTS) return 0;
    return atomic_load_explicit(&slot_torn[slot], memory_order_acquire);
}

void cs_guard_unregister(int slot) {
    if (slot < 0 || slot >= GUARD_SLOTS) return;
    atomic_store_explicit(&slot_state[slot], SLOT_FREE, memory_order_release);
}
