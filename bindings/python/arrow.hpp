// Arrow data from Python without Arrow C++: the C Data Interface's structs (written from the
// specification, https://arrow.apache.org/docs/format/CDataInterface.html and CStreamInterface.html)
// and the PyCapsule protocol (__arrow_c_stream__), which pyarrow, polars and DuckDB export.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "columns.hpp"
#include "objects.hpp"

extern "C" {

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
struct ArrowSchema {
    const char* format;
    const char* name;
    const char* metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema** children;
    struct ArrowSchema* dictionary;
    void (*release)(struct ArrowSchema*);
    void* private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void** buffers;
    struct ArrowArray** children;
    struct ArrowArray* dictionary;
    void (*release)(struct ArrowArray*);
    void* private_data;
};
#endif

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
    int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
    const char* (*get_last_error)(struct ArrowArrayStream*);
    void (*release)(struct ArrowArrayStream*);
    void* private_data;
};
#endif
}

namespace incentives::python {

/// What a column name is in a table of events: a known field (its index) or an attribute (index -1
/// and the attribute's name); an input_error for a name the table does not take.
using classify_column = std::function<std::pair<int, std::string>(const std::string&)>;

/// Events from an object with __arrow_c_stream__ (a pyarrow Table or RecordBatchReader, a polars
/// DataFrame, a DuckDB relation): every record batch, as event_columns. utf8, large_utf8,
/// string_view and dictionary-encoded strings are text; int8..int64 and uint8..uint32 are integers
/// (an amount needs amount_scale); decimal128(p, s) is exact units at scale s; date32, date64 and
/// timestamps at midnight are dates; floats are refused.
[[nodiscard]] event_table events_from_arrow(py::handle source, const number_options& o, const classify_column& classify);

}  // namespace incentives::python
