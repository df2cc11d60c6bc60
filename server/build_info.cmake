# eko_source_commit(<out-var> <dir>): the commit checked out in <dir> (12 hex
# digits) when <dir> is the top of a git work tree, else "unknown" (a source
# tarball, or a directory copied without .git such as the image build's
# context). In a project (not in script mode) it also makes a new commit or
# checkout re-run CMake, so the binaries never report a stale commit.
#
# Script mode, used by the build_info_commit_outside_git test:
#   cmake -DSOURCE_DIR=<dir> -P build_info.cmake   prints "commit=<commit>"
function(eko_source_commit OUT DIR)
  set(commit unknown)
  find_package(Git QUIET)
  if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} -C "${DIR}" rev-parse --show-toplevel
                    OUTPUT_VARIABLE top RESULT_VARIABLE top_failed
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    file(REAL_PATH "${DIR}" dir_path)
    if(NOT top_failed AND EXISTS "${top}")
      file(REAL_PATH "${top}" top_path)
    endif()
    if(NOT top_failed AND top_path STREQUAL dir_path)
      execute_process(COMMAND ${GIT_EXECUTABLE} -C "${DIR}" rev-parse --short=12 HEAD
                      OUTPUT_VARIABLE head RESULT_VARIABLE head_failed
                      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(NOT head_failed AND head MATCHES "^[0-9a-f]+$")
        set(commit ${head})
      endif()
      execute_process(COMMAND ${GIT_EXECUTABLE} -C "${DIR}" rev-parse --absolute-git-dir
                      OUTPUT_VARIABLE git_dir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(NOT CMAKE_SCRIPT_MODE_FILE AND EXISTS "${git_dir}/logs/HEAD")
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${git_dir}/logs/HEAD")
      endif()
    endif()
  endif()
  set(${OUT} ${commit} PARENT_SCOPE)
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  eko_source_commit(commit "${SOURCE_DIR}")
  message(STATUS "commit=${commit}")
endif()
