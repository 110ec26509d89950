include(GNUInstallDirs)

# Warnings (as errors in developer mode) and sanitizers for the project's own targets.
function(incentives_target_options target)
  if(INCENTIVES_DEV)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror)
  endif()
  if(INCENTIVES_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
