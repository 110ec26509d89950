// An allocator for the engine's large tables (the id registry's slots, its sale numbers and
// offsets): arrays of several megabytes are asked for in 2 MiB pages on Linux. Probing a 10 M-id
// table touches a random page per event; with 4 KiB pages nearly every probe (and every prefetch)
// also misses the TLB and walks the page tables, and first touches fault page by page. The kernel
// gives transparent huge pages to regions advised with MADV_HUGEPAGE (the default "madvise" mode),
// so the allocator aligns large arrays to 2 MiB and advises them. Small arrays, and other systems,
// use the ordinary heap.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace incentives::detail {

template <class T>
struct huge_page_allocator {
    using value_type = T;
    static constexpr std::size_t page = std::size_t{2} << 20;
    static constexpr std::size_t threshold = 2 * page;  ///< smaller arrays come from the ordinary heap

    huge_page_allocator() noexcept = default;
    template <class U>
    huge_page_allocator(const huge_page_allocator<U>&) noexcept {}  // NOLINT: rebinding, as std::allocator

    [[nodiscard]] T* allocate(std::size_t n) {
        if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
        const std::size_t bytes = n * sizeof(T);
        if (bytes < threshold) return static_cast<T*>(::operator new(bytes, std::align_val_t{alignof(T)}));
        const std::size_t rounded = (bytes + page - 1) / page * page;
        void* p = std::aligned_alloc(page, rounded);
        if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: without huge pages the array still works
#endif
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (n * sizeof(T) < threshold) ::operator delete(p, std::align_val_t{alignof(T)});
        else std::free(p);
    }
    template <class U>
    bool operator==(const huge_page_allocator<U>&) const noexcept { return true; }
};

}  // namespace incentives::detail
