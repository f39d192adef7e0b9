# Turns the migration files NNNN_name.sql into a C table (lk_db_migrations).
# Run as: cmake -DOUT=file.c -DDIR=migrations -P embed_migrations.cmake
file(GLOB files "${DIR}/*.sql")
list(SORT files)
set(body "")
set(table "")
set(n 0)
foreach(f IN LISTS files)
  get_filename_component(base "${f}" NAME_WE)
  string(REGEX MATCH "^([0-9]+)_(.+)$" m "${base}")
  if(NOT m)
    message(FATAL_ERROR "migration file name must be NNNN_name.sql: ${f}")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_2}")
  file(READ "${f}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND body "static const char m${n}[] = {${hex} 0};\n")
  string(APPEND table "  {${version}, \"${name}\", m${n}},\n")
  math(EXPR n "${n} + 1")
endforeach()
file(WRITE "${OUT}.tmp"
  "/* Generated from ${DIR} by embed_migrations.cmake. Do not edit. */\n"
  "#include \"store/db.h\"\n${body}\n"
  "const lk_migration lk_db_migrations[] = {\n${table}};\n"
  "const int lk_db_nmigrations = ${n};\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different
  "${OUT}.tmp" "${OUT}")
