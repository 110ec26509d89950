#!/bin/sh
# The `incentives` command that `pip install .` puts in the environment's bin directory: it runs the
# C++ command line that the wheel installed in <prefix>/libexec/incentives/, with the bundled examples
# (<prefix>/share/incentives/examples, for `incentives demo`) unless INCENTIVES_EXAMPLES names others.
# Installed by cmake/incentives_wheel.cmake; a build tree's or `cmake --install`'s `incentives` is the
# program itself.
here=$(dirname "$(readlink -f "$0")")
prefix=$(dirname "$here")
if [ -z "${INCENTIVES_EXAMPLES:-}" ] && [ -d "$prefix/share/incentives/examples" ]; then
  INCENTIVES_EXAMPLES="$prefix/share/incentives/examples"
  export INCENTIVES_EXAMPLES
fi
exec "$prefix/libexec/incentives/incentives" "$@"
