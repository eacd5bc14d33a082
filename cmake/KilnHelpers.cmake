# Build helpers shared by every folder. Each takes named arguments:
#
#   kiln_library(NAME <target> SRCS <files...> [DEPS <targets...>] [INCLUDES <dirs...>]
#                [DEPENDS <targets...>])
#     A static library with Kiln's warning flags; INCLUDES become PUBLIC include dirs;
#     DEPENDS names targets that must be built first (generated headers, e.g. TableGen).
#   kiln_executable(NAME <target> SRCS <files...> [DEPS <targets...>])
#     A program (tools, demos, benchmarks) with Kiln's warning flags.
#   kiln_test(NAME <target> SRCS <files...> [DEPS <targets...>])
#     A GoogleTest program linked with gtest_main; every TEST becomes a CTest test.

set(KILN_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wformat=2)
if(KILN_WERROR)
  list(APPEND KILN_WARNINGS -Werror)
endif()

function(kiln_apply_common_flags target)
  target_compile_options(${target} PRIVATE ${KILN_WARNINGS})
  if(KILN_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                           -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

function(kiln_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;INCLUDES;DEPENDS" ${ARGN})
  add_library(${ARG_NAME} STATIC ${ARG_SRCS})
  if(ARG_DEPENDS)
    add_dependencies(${ARG_NAME} ${ARG_DEPENDS})
  endif()
  kiln_apply_common_flags(${ARG_NAME})
  if(ARG_INCLUDES)
    target_include_directories(${ARG_NAME} PUBLIC ${ARG_INCLUDES})
  endif()
  if(ARG_DEPS)
    target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS})
  endif()
  if(KILN_SANITIZE)
    target_link_options(${ARG_NAME} INTERFACE -fsanitize=address,undefined)
  endif()
endfunction()

function(kiln_executable)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  kiln_apply_common_flags(${ARG_NAME})
  if(ARG_DEPS)
    target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  endif()
endfunction()

function(kiln_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  kiln_apply_common_flags(${ARG_NAME})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  # Tests find the shared data folder (../shared/data beside the checkout) through this.
  target_compile_definitions(${ARG_NAME} PRIVATE
      KILN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60
      PROPERTIES ENVIRONMENT "KILN_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
