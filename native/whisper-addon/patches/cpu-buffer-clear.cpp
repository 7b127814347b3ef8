// Inserted into ggml-backend.cpp by CMakeLists.txt (see there for why).
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

// Clears a buffer ggml allocated itself. Zeroing whole pages with madvise(MADV_DONTNEED) gives them
// back to the kernel, which maps zero pages again only where the buffer is written next, so a KV
// cache sized for the worst case costs the memory its decodes touch. Reads see zeros either way.
static void ggml_backend_cpu_owned_buffer_clear(ggml_backend_buffer_t buffer, uint8_t value) {
    GGML_ASSERT(buffer);
    char * base = (char *) buffer->context;
    const size_t size = buffer->size;
#if defined(__linux__)
    const uintptr_t page = (uintptr_t) sysconf(_SC_PAGESIZE);
    const uintptr_t first = ((uintptr_t) base + page - 1) & ~(page - 1);
    const uintptr_t last = ((uintptr_t) base + size) & ~(page - 1);
    if (value == 0 && last > first && madvise((void *) first, last - first, MADV_DONTNEED) == 0) {
        memset(base, 0, first - (uintptr_t) base);
        memset((void *) last, 0, (uintptr_t) base + size - last);
        return;
    }
#endif
    memset(base, value, size);
}

