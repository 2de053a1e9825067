# Writes a C++ source defining `std::string_view <FUNCTION>()` that returns the bytes of INPUT.
# Run with: cmake -DINPUT=... -DOUTPUT=... -DNAMESPACE=... -DFUNCTION=... -DHEADER=... -P embed_text.cmake
# The text goes into a raw string literal; its delimiter must not occur in the input.
file(READ "${INPUT}" text)
set(delimiter "cz_embed_0f3a")
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter ${delimiter}")
endif()
set(source "// Generated from ${INPUT} by embed_text.cmake; do not edit.\n#include \"${HEADER}\"\n\nnamespace ${NAMESPACE} {\n\nstd::string_view ${FUNCTION}() {\n  static constexpr std::string_view kText = R\"${delimiter}(${text})${delimiter}\";\n  return kText;\n}\n\n}  // namespace ${NAMESPACE}\n")
file(WRITE "${OUTPUT}" "${source}")
