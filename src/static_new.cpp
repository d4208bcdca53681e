// operator new and delete for the static kura, which runs once per command: a run makes some 300 small
// allocations and frees most of them again, and glibc's malloc spends ~130 instructions on each first use of
// a size (~70 K instructions, a sixth of a cache hit; docs/PERFORMANCE.md). Here a small block is cut from a
// 64 KiB chunk or taken back from a free list of its size class, in a few instructions; a large one is
// malloc's. A 16-byte header before each block keeps its class, so that both forms of delete find it, and
// keeps the 16-byte alignment operator new promises. Memory of a small block is reused by its class, never
// returned to malloc: the static kura runs no loop that would want it back (servers, refreshes and the like
// are kura-full's, util/full_build.h), and `kura list` over 10,000 profiles frees and reuses as it streams.
// The free lists are per thread: the static kura starts no thread, but a block is never shared by two lists.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

constexpr std::size_t k_header = 16;
constexpr std::size_t k_step = 16;
constexpr std::size_t k_classes = 32;  // blocks of up to 512 bytes, header included
constexpr std::size_t k_chunk = std::size_t{64} * 1024;
constexpr std::uint64_t k_large = ~std::uint64_t{0};  // the header of a block malloc holds

struct FreeBlock {
  FreeBlock* next;
};

thread_local FreeBlock* t_free[k_classes];
thread_local char* t_next = nullptr;
thread_local char* t_end = nullptr;

// The first chunk is static, where malloc's would come from a brk() beyond the heap's first 132 KiB (which
// libstdc++'s exception pool half fills): a run's small blocks mostly fit in it. Its pages, like the heap's,
// are the kernel's zero pages until written.
alignas(16) char g_first_chunk[k_chunk];
std::atomic<bool> g_first_chunk_taken{false};

char* new_chunk() {
  if (!g_first_chunk_taken.exchange(true, std::memory_order_relaxed)) return g_first_chunk;
  return static_cast<char*>(std::malloc(k_chunk));
}

void* allocate(std::size_t size) {
  const std::size_t total = (size + k_header + k_step - 1) / k_step * k_step;
  char* block = nullptr;
  std::uint64_t tag = k_large;
  if (total <= k_classes * k_step) {
    const std::size_t klass = total / k_step - 1;
    tag = klass;
    if (FreeBlock* free = t_free[klass]) {
      t_free[klass] = free->next;
      block = reinterpret_cast<char*>(free);
    } else {
      if (static_cast<std::size_t>(t_end - t_next) < total) {
        // The rest of the old chunk (at most one large block's worth) is left unused.
        t_next = new_chunk();
        if (!t_next) throw std::bad_alloc();
        t_end = t_next + k_chunk;
      }
      block = t_next;
      t_next += total;
    }
  } else {
    if (total < size) throw std::bad_alloc();  // the size wrapped around
    block = static_cast<char*>(std::malloc(total));
    if (!block) throw std::bad_alloc();
  }
  *reinterpret_cast<std::uint64_t*>(block) = tag;
  return block + k_header;
}

void release(void* pointer) noexcept {
  if (!pointer) return;
  char* block = static_cast<char*>(pointer) - k_header;
  const std::uint64_t tag = *reinterpret_cast<std::uint64_t*>(block);
  if (tag == k_large) {
    std::free(block);
    return;
  }
  auto* free = reinterpret_cast<FreeBlock*>(block);
  free->next = t_free[tag];
  t_free[tag] = free;
}

}  // namespace

void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* pointer) noexcept {
  release(pointer);
}
void operator delete[](void* pointer) noexcept {
  release(pointer);
}
void operator delete(void* pointer, std::size_t) noexcept {
  release(pointer);
}
void operator delete[](void* pointer, std::size_t) noexcept {
  release(pointer);
}
void operator delete(void* pointer, const std::nothrow_t&) noexcept {
  release(pointer);
}
void operator delete[](void* pointer, const std::nothrow_t&) noexcept {
  release(pointer);
}
