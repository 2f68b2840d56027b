# Helpers shared by the module, example and test CMakeLists files.

# horae_add_module(<name> DEPENDS <targets...>)
# Builds the library horae_<name> from <name>/src/*.cpp with public headers in
# <name>/include, aliases it as horae::<name> and installs it.
function(horae_add_module name)
  cmake_parse_arguments(arg "" "" "DEPENDS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS
       "${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp")
  set(target horae_${name})
  add_library(${target} SHARED ${sources})
  add_library(horae::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${name}
    OUTPUT_NAME horae_${name}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}
    # Installed libraries find each other beside themselves, whatever the
    # prefix: a consumer needs no LD_LIBRARY_PATH for libraries it never
    # named itself (e.g. journaling behind facets).
    INSTALL_RPATH "$ORIGIN")
  target_include_directories(${target}
    PUBLIC
      "$<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>"
      "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>"
    PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}/src")
  target_link_libraries(${target} PUBLIC ${arg_DEPENDS})
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  install(TARGETS ${target} EXPORT horaeTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/include/"
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()

# horae_add_example(<name> [DEPENDS <targets...>])
# Builds examples/<name>/main.cpp into bin/<name>.
function(horae_add_example name)
  cmake_parse_arguments(arg "" "" "DEPENDS;SOURCES" ${ARGN})
  add_executable(${name} "${CMAKE_CURRENT_SOURCE_DIR}/${name}/main.cpp"
                 ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE horae::core horae::facets ${arg_DEPENDS})
  target_compile_options(${name} PRIVATE -Wall -Wextra)
endfunction()

# horae_add_test_suite(<module> DEPENDS <targets...>)
# Builds tests/<module>/*_test.cpp into bin/<module>_tests and registers every
# GoogleTest case with ctest. Tests whose name contains "Slow" get the label
# "slow".
function(horae_add_test_suite module)
  cmake_parse_arguments(arg "" "" "DEPENDS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp"
       "${CMAKE_CURRENT_SOURCE_DIR}/support/*.cpp")
  set(target ${module}_tests)
  add_executable(${target} ${sources})
  target_link_libraries(${target} PRIVATE ${arg_DEPENDS} GTest::gtest
                        GTest::gtest_main)
  # The module's own sources too: internal units have tests of their own.
  target_include_directories(${target} PRIVATE "${PROJECT_SOURCE_DIR}/tests"
                             "${PROJECT_SOURCE_DIR}/${module}/src")
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  # Real-time tests carry "Slow" in their suite name and get the label.
  # Tests with "Postgres" in their name run against the throwaway server
  # that the `postgres` fixture starts (tests/CMakeLists.txt).
  gtest_discover_tests(${target}
    TEST_PREFIX "${module}."
    TEST_FILTER "-*Slow*:*Postgres*"
    PROPERTIES TIMEOUT 120
    DISCOVERY_TIMEOUT 60)
  gtest_discover_tests(${target}
    TEST_PREFIX "${module}."
    TEST_FILTER "*Slow*-*Postgres*"
    PROPERTIES TIMEOUT 300 LABELS slow
    DISCOVERY_TIMEOUT 60)
  gtest_discover_tests(${target}
    TEST_PREFIX "${module}."
    TEST_FILTER "*Postgres*"
    PROPERTIES TIMEOUT 300 LABELS postgres FIXTURES_REQUIRED postgres
      ENVIRONMENT "HORAE_TESTKIT_POSTGRES=${HORAE_TEST_POSTGRES_STATE}/conninfo"
    DISCOVERY_TIMEOUT 60)
endfunction()
