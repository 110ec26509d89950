// The compiled part of the incentives core (target incentives::incentives): the definitions of the
// -inl headers, compiled once here. With INCENTIVES_HEADER_ONLY (target incentives::header_only) the
// headers include them instead, and this file is not built.
#ifdef INCENTIVES_HEADER_ONLY
#error "src/incentives.cpp is the compiled library: build it without INCENTIVES_HEADER_ONLY"
#endif

#include <incentives/detail/wide-inl.hpp>
#include <incentives/validate.hpp>
#include <incentives/engine/compile.hpp>
#include <incentives/engine/intake.hpp>
#include <incentives/engine/accumulate.hpp>
#include <incentives/engine/settle.hpp>
#include <incentives/engine/snapshot.hpp>
#include <incentives/engine/partial.hpp>
#include <incentives/engine/simulate.hpp>
