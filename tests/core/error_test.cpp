// Error values render without an actor system.
#include <horae/core/error.hpp>

#include <gtest/gtest.h>

using namespace horae;

// describe() gives the code's name and the context sentence.
TEST(Error, DescribeNamesCodeAndContext) {
  auto err = make_error(errc::invalid_argument, "timer name is empty");
  EXPECT_EQ(describe(err), "horae.invalid_argument: timer name is empty");
  EXPECT_EQ(code_of(err), errc::invalid_argument);
  EXPECT_EQ(code_of(caf::error{}), errc::none);
  EXPECT_EQ(describe(caf::error{}), "no error");
}
