// Compiled only to produce the unit tests' shared precompiled header
// (tests/CMakeLists.txt, unit_pch); it defines nothing.
