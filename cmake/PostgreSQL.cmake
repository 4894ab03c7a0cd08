# Locates the PostgreSQL server build environment through pg_config and defines
# add_postgres_module(). Server headers come in through -isystem so that their
# warnings do not hide ours.
find_program(PG_CONFIG NAMES pg_config PATHS /usr/lib/postgresql/15/bin REQUIRED)

function(_pg_config_var out flag)
  execute_process(COMMAND ${PG_CONFIG} ${flag} OUTPUT_VARIABLE v OUTPUT_STRIP_TRAILING_WHITESPACE
                  COMMAND_ERROR_IS_FATAL ANY)
  set(${out} "${v}" PARENT_SCOPE)
endfunction()

_pg_config_var(PG_VERSION_STRING --version)
_pg_config_var(PG_INCLUDEDIR_SERVER --includedir-server)
_pg_config_var(PG_PKGLIBDIR --pkglibdir)
_pg_config_var(PG_SHAREDIR --sharedir)
_pg_config_var(PG_BINDIR --bindir)
_pg_config_var(PG_PGXS --pgxs)
get_filename_component(PG_REGRESS "${PG_PGXS}/../../test/regress/pg_regress" ABSOLUTE)
message(STATUS "PostgreSQL: ${PG_VERSION_STRING} (${PG_CONFIG})")
if(NOT PG_VERSION_STRING MATCHES "PostgreSQL 15")
  message(FATAL_ERROR "pg_etl targets PostgreSQL 15; pg_config reports ${PG_VERSION_STRING}")
endif()

add_library(postgres_server INTERFACE)
target_include_directories(postgres_server SYSTEM INTERFACE ${PG_INCLUDEDIR_SERVER})
# C++ reads the server headers: 'register' is gone from C++17 and a few headers
# still use it.
target_compile_options(postgres_server INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Wno-register>)

# A loadable module: no "lib" prefix, symbols resolved against the server at load time.
function(add_postgres_module name)
  add_library(${name} MODULE ${ARGN})
  set_target_properties(${name} PROPERTIES PREFIX "" OUTPUT_NAME ${name})
  target_link_options(${name} PRIVATE -Wl,--as-needed)
endfunction()
