# lit configuration of Kiln's FileCheck tests. Every test is a .mlir (or .test)
# file with its RUN lines inside; `kiln-opt`, `FileCheck` and `not` resolve to
# this build's kiln-opt and LLVM 19's tools.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "tests")

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.kiln_tools_dir, append_path=True)
llvm_config.use_default_substitutions()
llvm_config.add_tool_substitutions(["kiln-opt"], [config.kiln_tools_dir])
config.substitutions.append(("%kiln_src_root", config.kiln_src_root))
config.substitutions.append(("%kiln_runtime_lib", config.kiln_runtime_lib))
# A stand-in for libcuda.so.1 (runtime/testing/fake_cuda_driver.cc): no kernel runs.
config.substitutions.append(("%fake_cuda_driver", config.kiln_fake_cuda_driver))
# Debian's Python, which has NumPy (scripts/install-deps.sh), whatever python runs lit.
config.substitutions.append(("%numpy_python", "/usr/bin/python3"))
# What `ldd` may show for a standalone executable: the C library and libm, plus the
# sanitizer runtimes (and the C++ library they pull in) in a sanitizer build.
system_libs = r"linux-vdso|libc\.so|libm\.so|ld-linux"
if config.kiln_sanitize:
    system_libs += r"|libasan|libubsan|libstdc\+\+|libgcc_s"
config.substitutions.append(("%system_libs", system_libs))
# Programs linked against this build's runtime need its sanitizers when it has them.
config.substitutions.append(
    ("%kiln_link_flags", "-fsanitize=address,undefined" if config.kiln_sanitize else ""))

# Under the sanitizers a report must fail the test even where the RUN line
# expects a non-zero exit (`not kiln-opt ...`): abort instead of exiting with 1.
if config.kiln_sanitize:
    for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        options = os.environ.get(var, "")
        config.environment[var] = (options + ":" if options else "") + "abort_on_error=1"
