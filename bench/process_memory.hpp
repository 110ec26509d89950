// What the benchmarks read of this process's memory (Linux, glibc): resident set size and its peak,
// the live heap, and the memory still available on the machine.
#pragma once

#include <malloc.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

namespace incentives::bench {

/// A "kB" line of a /proc file (e.g. "VmRSS:" of /proc/self/status), in bytes; 0 when absent.
inline std::int64_t proc_kib_bytes(const char* path, std::string_view key) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (line.compare(0, key.size(), key) == 0) return std::strtoll(line.c_str() + key.size(), nullptr, 10) * 1024;
    return 0;
}

inline std::int64_t rss_bytes() { return proc_kib_bytes("/proc/self/status", "VmRSS:"); }
inline std::int64_t peak_bytes() { return proc_kib_bytes("/proc/self/status", "VmHWM:"); }
inline std::int64_t mem_available() { return proc_kib_bytes("/proc/meminfo", "MemAvailable:"); }

/// RSS after returning the free heap to the system, so that deltas are what is live.
inline std::int64_t settled_rss() {
    malloc_trim(0);
    return rss_bytes();
}

/// Bytes allocated and not yet freed (all malloc arenas, including mmapped blocks).
inline std::int64_t heap_bytes() {
    struct mallinfo2 m = mallinfo2();
    return static_cast<std::int64_t>(m.uordblks + m.hblkhd);
}

/// Resets VmHWM to the current RSS (Linux: clear_refs 5); false when the kernel refuses.
inline bool reset_peak() {
    std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
    if (!f) return false;
    bool ok = std::fputs("5", f) >= 0;
    return std::fclose(f) == 0 && ok;
}

}  // namespace incentives::bench
