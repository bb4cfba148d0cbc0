# jobtrack_embed_text(OUTPUT out.cpp NAMESPACE ns SYMBOL name FILES a b ...)
# Generates a .cpp defining `extern const std::array<EmbeddedFile, N> ns::name`
# holding each file's name and contents, so the daemon carries its schema and
# interface description without reading them from disk at run time, and
# `std::span<const EmbeddedFile> ns::name_all()` for code that cannot know N
# (declared in daemon/embedded.h).
function(jobtrack_embed_text)
  cmake_parse_arguments(ARG "" "OUTPUT;NAMESPACE;SYMBOL" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} -DNAMESPACE=${ARG_NAMESPACE}
            -DSYMBOL=${ARG_SYMBOL} "-DFILES=${ARG_FILES}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedTextRun.cmake
    DEPENDS ${ARG_FILES} ${PROJECT_SOURCE_DIR}/cmake/EmbedTextRun.cmake
    COMMENT "Embedding ${ARG_SYMBOL}"
    VERBATIM)
endfunction()
