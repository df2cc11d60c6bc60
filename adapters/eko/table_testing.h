#ifndef EKO_ADAPTERS_EKO_TABLE_TESTING_H_
#define EKO_ADAPTERS_EKO_TABLE_TESTING_H_

// Test helpers for the tables in code (error rows, steps): tests
// parameterised over error rows, and the docs that carry a table generated
// from code (these need EKO_SOURCE_DIR, the source tree, defined).
#include <fstream>
#include <iterator>
#include <string>

#include "adapters/eko/error_table.h"
#include "gtest/gtest.h"

namespace eko::testing {

// The name of a test parameterised over error rows: the row's id, with '_'
// for '-' as gtest names allow.
inline std::string ErrorRowTestName(const ::testing::TestParamInfo<adapter::ErrorRow>& info) {
  std::string name = info.param.id;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

#ifdef EKO_SOURCE_DIR
// Reads `relative_path` under the source tree into *text; a fatal test
// failure when it cannot be opened (wrap in ASSERT_NO_FATAL_FAILURE).
inline void ReadSourceFile(const std::string& relative_path, std::string* text) {
  std::ifstream file(std::string(EKO_SOURCE_DIR) + "/" + relative_path);
  ASSERT_TRUE(file) << relative_path << " not found";
  text->assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// Expects the text of `relative_path` between `begin_marker` and
// `end_marker` to be `generated`, verbatim.
inline void ExpectGeneratedSection(const std::string& relative_path,
                                   const std::string& begin_marker, const std::string& end_marker,
                                   const std::string& generated) {
  std::string text;
  ASSERT_NO_FATAL_FAILURE(ReadSourceFile(relative_path, &text));
  const size_t from = text.find(begin_marker);
  const size_t to = text.find(end_marker);
  ASSERT_NE(from, std::string::npos) << begin_marker;
  ASSERT_NE(to, std::string::npos) << end_marker;
  EXPECT_EQ(text.substr(from + begin_marker.size(), to - from - begin_marker.size()), generated)
      << "regenerate the tables with: scripts/gen-docs.sh";
}

#endif  // EKO_SOURCE_DIR

}  // namespace eko::testing

#endif  // EKO_ADAPTERS_EKO_TABLE_TESTING_H_
