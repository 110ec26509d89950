// Build configuration of the incentives core: compiled library (default) or header-only.
//
// By default the out-of-line parts of the core (the *-inl.hpp headers) are compiled once into the
// library incentives::incentives (src/incentives.cpp). With INCENTIVES_HEADER_ONLY defined (the
// target incentives::header_only defines it), the declaring headers include their -inl.hpp and
// those definitions become inline: nothing to link, at the price of parsing them (and Boost) in
// every translation unit.
#pragma once

#ifdef INCENTIVES_HEADER_ONLY
#define INCENTIVES_INLINE inline
#else
#define INCENTIVES_INLINE
#endif

// Small accessors read once per row and field in the intake loop: inlined even where the optimizer
// would not (GCC and Clang; the library builds with nothing else).
#if defined(__GNUC__) || defined(__clang__)
#define INCENTIVES_HOT_INLINE [[gnu::always_inline]] inline
#else
#define INCENTIVES_HOT_INLINE inline
#endif
