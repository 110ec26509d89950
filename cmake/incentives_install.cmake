# Installs the headers and an exported incentives:: package for find_package(incentives).
include(CMakePackageConfigHelpers)

set(_targets incentives incentives_header_only)
if(TARGET incentives_io)
  list(APPEND _targets incentives_io)
endif()
install(TARGETS ${_targets} EXPORT incentivesTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/incentives DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT incentivesTargets NAMESPACE incentives:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/incentives)
configure_package_config_file(cmake/incentivesConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/incentivesConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/incentives)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/incentivesConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/incentivesConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/incentivesConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/incentives)
