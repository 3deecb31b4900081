// The sweep table: result columns right-aligned with 4 significant digits, so magnitudes
// line up; no trailing blanks.
#include <gtest/gtest.h>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>
#include "core/run/sweep.h"

namespace zs::test {

TEST(SweepTable, ResultColumnsAreRightAlignedWithFourSignificantDigits) {
  SweepResult r;
  r.params.push_back({"", "lr", {1e-4, 0.1}, true});
  r.seeds = 1;
  r.target = 1e-3;
  const auto cell = [](double lr, const char* label, double loss, int64_t fp, int div) {
    SweepCell c;
    c.values = {lr};
    c.label = label;
    c.final_loss = {loss};
    c.fp_to_target = {fp};
    c.diverged = div;
    return c;
  };
  r.cells = {cell(1e-4, "MeZO", 0.7067634, -1, 0), cell(1e-4, "Adam", 3.323031e-40, 243, 0), cell(0.1, "AdaMeZO", INFINITY, -1, 1)};
  std::istringstream in(sweep_table(r));
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 5u);
  size_t end = lines[2].size();
  for (size_t i = 2; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].size(), end) << "rows end in the same column: " << lines[i];
    EXPECT_NE(lines[i].back(), ' ');
  }
  EXPECT_NE(lines[2].find(" 0.7068 "), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find(" 3.323e-40 "), std::string::npos) << lines[3];
  EXPECT_NE(lines[4].find("      inf "), std::string::npos) << lines[4];
  EXPECT_EQ(lines[2].rfind("0.0001  MeZO", 0), 0u) << lines[2];
}

}  // namespace zs::test
