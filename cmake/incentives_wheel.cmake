# What the wheel carries besides the extension (scikit-build-core, pyproject.toml builds the targets
# _core and incentives_cli): the command line, so that `pip install .` alone gives a working
# `incentives` command, and the bundled examples that `incentives demo` runs.
#
# The wheel's data directory is the environment's prefix (the venv), its scripts directory is the
# prefix's bin, so the layout is that of `cmake --install`:
#   <prefix>/bin/incentives                      a launcher (cmake/incentives-launcher.sh)
#   <prefix>/libexec/incentives/incentives       the C++ command line
#   <prefix>/share/incentives/examples/          programs/, data/ and simulation/
#   <prefix>/share/incentives/data/tax/          the tax tables
# The launcher sets INCENTIVES_EXAMPLES (unless already set) and runs the program: the program's
# compiled-in paths to the examples are those of the build, which a wheel cannot know.
if(NOT TARGET incentives_cli)
  message(FATAL_ERROR "the wheel installs the command line: configure with INCENTIVES_BUILD_IO=ON")
endif()
install(PROGRAMS ${PROJECT_SOURCE_DIR}/cmake/incentives-launcher.sh
  DESTINATION ${SKBUILD_SCRIPTS_DIR} RENAME incentives)
install(TARGETS incentives_cli RUNTIME DESTINATION ${SKBUILD_DATA_DIR}/libexec/incentives)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/programs ${PROJECT_SOURCE_DIR}/examples/data
  ${PROJECT_SOURCE_DIR}/examples/simulation DESTINATION ${SKBUILD_DATA_DIR}/share/incentives/examples)
# The tax tables (docs/tax.md): examples/simulation names them as ../../data/tax/.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/data/tax DESTINATION ${SKBUILD_DATA_DIR}/share/incentives/data)
