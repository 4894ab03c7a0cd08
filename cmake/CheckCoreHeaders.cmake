# Fails if any file under core/ includes a PostgreSQL server header. Usable both as
# an included module (check_core_headers(dir)) and as a script (-DCORE_DIR=... -P).
function(check_core_headers dir)
  file(GLOB_RECURSE files ${dir}/*.cpp ${dir}/*.hpp ${dir}/*.h ${dir}/*.in)
  foreach(f ${files})
    file(STRINGS ${f} hits REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](postgres|postgres_ext|fmgr|funcapi|miscadmin|executor/|utils/|catalog/|access/|nodes/|storage/|commands/|lib/stringinfo)")
    if(hits)
      message(FATAL_ERROR "core/ must not include PostgreSQL server headers: ${f}: ${hits}")
    endif()
  endforeach()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND DEFINED CORE_DIR)
  check_core_headers(${CORE_DIR})
endif()
