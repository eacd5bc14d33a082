// Tests of run_tool: a tool that succeeds, one that fails with its output kept for the
// error, and one that cannot be started (PATH search included).
#include "compiler/Aot/RunTool.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace kiln::compiler {
namespace {

std::string log_path() {
  return (std::filesystem::temp_directory_path() /
          ("kiln-run-tool-test-" + std::to_string(::getpid()) + ".log"))
      .string();
}

TEST(RunTool, SuccessFoundOnPath) {
  ToolRun run = run_tool({"sh", "-c", "echo fine; exit 0"}, log_path());
  EXPECT_EQ(run.spawn_error, 0);
  EXPECT_TRUE(run.succeeded);
  EXPECT_EQ(run.output, "");
  std::filesystem::remove(log_path());
}

TEST(RunTool, FailureKeepsStdoutAndStderr) {
  ToolRun run = run_tool({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, log_path());
  EXPECT_EQ(run.spawn_error, 0);
  EXPECT_FALSE(run.succeeded);
  EXPECT_EQ(run.output, "out\nerr\n");
  std::filesystem::remove(log_path());
}

TEST(RunTool, AToolThatCannotStartIsASpawnError) {
  ToolRun run = run_tool({"kiln-no-such-tool-anywhere"}, log_path());
  EXPECT_EQ(run.spawn_error, ENOENT);
  EXPECT_FALSE(run.succeeded);
  std::filesystem::remove(log_path());
}

}  // namespace
}  // namespace kiln::compiler
