// CPU emulation of the CUDA constructs psyc's kernels use (compiled with g++, loaded with
// ctypes by psyc.backend_gpu.emulation). Blocks run one after another; the threads of a
// block run as a loop, or, for kernels that call __syncthreads, as cooperative fibers
// (ucontext) that switch at each barrier -- so shared memory and barriers mean what they
// mean on a GPU. Not fast, and not meant to be: it checks the kernels' logic on the CPU.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <ucontext.h>
#include <vector>

struct psyc_dim3 { unsigned x, y, z; };
namespace psyc_emu {
inline psyc_dim3 thread_idx, block_idx, block_dim, grid_dim;
inline ucontext_t scheduler;
inline std::vector<ucontext_t> fibers;
inline std::vector<char> stacks;
inline std::vector<int> done;
inline int current = -1;  // fiber running now, -1 outside fibers
inline std::function<void()> body;
constexpr size_t STACK = 256 * 1024;

inline void fiber_entry() {
    body();
    done[current] = 1;
}  // returns to uc_link = scheduler

inline void syncthreads() {
    if (current >= 0) swapcontext(&fibers[current], &scheduler);
}

inline unsigned long long atomic_min(unsigned long long* addr, unsigned long long v) {
    unsigned long long old = *addr;
    if (v < old) *addr = v;
    return old;
}

// Run fn once per thread of each block of the grid.
inline void launch(unsigned gx, unsigned gy, unsigned bx, bool barriers, std::function<void()> fn) {
    block_dim = {bx, 1, 1};
    grid_dim = {gx, gy, 1};
    body = fn;
    if (barriers) {
        fibers.resize(bx);
        done.resize(bx);
        if (stacks.size() < bx * STACK) stacks.resize(bx * STACK);
    }
    for (unsigned by = 0; by < gy; ++by)
        for (unsigned b = 0; b < gx; ++b) {
            block_idx = {b, by, 0};
            if (!barriers) {
                for (unsigned t = 0; t < bx; ++t) {
                    thread_idx = {t, 0, 0};
                    fn();
                }
                continue;
            }
            for (unsigned t = 0; t < bx; ++t) {
                getcontext(&fibers[t]);
                fibers[t].uc_stack.ss_sp = stacks.data() + t * STACK;
                fibers[t].uc_stack.ss_size = STACK;
                fibers[t].uc_link = &scheduler;
                makecontext(&fibers[t], fiber_entry, 0);
                done[t] = 0;
            }
            for (bool alive = true; alive;) {  // one phase between barriers per sweep
                alive = false;
                for (unsigned t = 0; t < bx; ++t) {
                    if (done[t]) continue;
                    current = (int)t;
                    thread_idx = {t, 0, 0};
                    swapcontext(&scheduler, &fibers[t]);
                    current = -1;
                    alive = alive || !done[t];
                }
            }
        }
}
}  // namespace psyc_emu

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __restrict__ __restrict
#define __shared__ static
#define __constant__ static const
#define threadIdx (psyc_emu::thread_idx)
#define blockIdx (psyc_emu::block_idx)
#define blockDim (psyc_emu::block_dim)
#define gridDim (psyc_emu::grid_dim)
#define __syncthreads() psyc_emu::syncthreads()
#define atomicMin(addr, v) psyc_emu::atomic_min(addr, v)
static inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
    return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
static inline unsigned long long __brevll(unsigned long long x) {
    unsigned long long r = 0;
    for (int i = 0; i < 64; ++i) { r = (r << 1) | (x & 1); x >>= 1; }
    return r;
}
static inline long long min(long long a, long long b) { return a < b ? a : b; }
static inline long long max(long long a, long long b) { return a > b ? a : b; }
