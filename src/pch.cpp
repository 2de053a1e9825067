// The one translation unit of cz_pch, the target that builds the shared precompiled header
// (src/pch.hpp) that every other target reuses; see src/CMakeLists.txt.
