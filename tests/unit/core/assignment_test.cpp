#include "pitchtrack/core/assignment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace pitchtrack {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Best objective over all injective maps of the smaller side into the larger one; only the
// eligible pairs of a map count. Returns {pairs, total} of the best (see the header's contract).
struct Best {
  int pairs = 0;
  double value = 0.0;  // minimised: cost (or -score), or cost - limit with a limit
};

bool eligible(double x, const AssignmentOptions& o) {
  if (!std::isfinite(x)) return false;
  if (!o.limit) return true;
  return o.maximize ? x > *o.limit : x < *o.limit;
}

double value_of(double x, const AssignmentOptions& o) {
  const double v = o.maximize ? -x : x;
  return o.limit ? v - (o.maximize ? -*o.limit : *o.limit) : v;
}

Best brute_force(const std::vector<double>& c, int rows, int cols, const AssignmentOptions& o) {
  const bool t = rows > cols;
  const int n = t ? cols : rows, m = t ? rows : cols;
  std::vector<int> perm(m);
  std::iota(perm.begin(), perm.end(), 0);
  Best best{-1, 0.0};
  do {
    Best cur;
    for (int i = 0; i < n; ++i) {
      const double x =
          t ? c[static_cast<size_t>(perm[i]) * cols + i] : c[static_cast<size_t>(i) * cols + perm[i]];
      if (!eligible(x, o)) continue;
      ++cur.pairs;
      cur.value += value_of(x, o);
    }
    // Without a limit: most pairs first, then the value; with a limit: the value alone.
    const bool better =
        o.limit ? (best.pairs < 0 || cur.value < best.value - 1e-12)
                : (cur.pairs > best.pairs || (cur.pairs == best.pairs && cur.value < best.value - 1e-12));
    if (better) best = cur;
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

void check_valid(const Assignment& a, const std::vector<double>& c, int rows, int cols,
                 const AssignmentOptions& o, Best& got) {
  ASSERT_EQ(a.row_to_col.size(), static_cast<size_t>(rows));
  ASSERT_EQ(a.col_to_row.size(), static_cast<size_t>(cols));
  double total = 0.0;
  for (int r = 0; r < rows; ++r) {
    const int col = a.row_to_col[r];
    if (col < 0) continue;
    ASSERT_LT(col, cols);
    ASSERT_EQ(a.col_to_row[col], r);
    const double x = c[static_cast<size_t>(r) * cols + col];
    ASSERT_TRUE(eligible(x, o)) << "row " << r << " col " << col << " value " << x;
    total += x;
    ++got.pairs;
    got.value += value_of(x, o);
  }
  for (int col = 0; col < cols; ++col) {
    if (a.col_to_row[col] >= 0) {
      ASSERT_EQ(a.row_to_col[a.col_to_row[col]], col);
    }
  }
  EXPECT_NEAR(a.total, total, 1e-9);
  EXPECT_EQ(a.size(), got.pairs);
}

TEST(LinearAssignment, HandCase) {
  // The optimum 0->1, 1->0, 2->2 costs 1 + 2 + 2 = 5 (greedy in row order: 0.5 + 4 + 2 = 6.5).
  // Maximising: 0->2, 1->1, 2->0 scores 9 + 4 + 9 = 22.
  const std::vector<double> c = {0.5, 1, 9, 2, 4, 9, 9, 9, 2};
  const Assignment a = linear_assignment(c, 3, 3);
  EXPECT_EQ(a.row_to_col, (std::vector<int>{1, 0, 2}));
  EXPECT_DOUBLE_EQ(a.total, 5.0);
  const Assignment mx = linear_assignment(c, 3, 3, /*maximize=*/true);
  EXPECT_EQ(mx.row_to_col, (std::vector<int>{2, 1, 0}));
  EXPECT_DOUBLE_EQ(mx.total, 22.0);
}

TEST(LinearAssignment, EmptyAndForbidden) {
  EXPECT_EQ(linear_assignment({}, 0, 3).size(), 0);
  EXPECT_EQ(linear_assignment({}, 3, 0).row_to_col, (std::vector<int>{-1, -1, -1}));
  // Everything forbidden: nothing matched.
  const std::vector<double> all_inf = {kInf, kInf, kInf, kInf};
  EXPECT_EQ(linear_assignment(all_inf, 2, 2).size(), 0);
  // A forbidden pair is avoided even when that costs more: 0->1 and 1->0 (100 + 100) beat using
  // the forbidden 1->1, and the two pairs beat one cheap pair.
  const std::vector<double> c = {1, 100, 100, kInf};
  const Assignment a = linear_assignment(c, 2, 2);
  EXPECT_EQ(a.row_to_col, (std::vector<int>{1, 0}));
  // With a limit the cheap pair alone wins: 1 - 50 < (100 - 50) + (100 - 50).
  const Assignment l = linear_assignment(c, 2, 2, AssignmentOptions{.maximize = false, .limit = 50.0});
  EXPECT_EQ(l.row_to_col, (std::vector<int>{0, -1}));
}

TEST(LinearAssignment, MatchesBruteForceOnRandomMatrices) {
  std::mt19937 rng(12345);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::uniform_int_distribution<int> size(1, 6);
  int checked = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    const int rows = size(rng), cols = size(rng);
    const int mode = trial % 5;  // 0 min, 1 max, 2 min + forbidden, 3 min + limit, 4 max + limit
    std::vector<double> c(static_cast<size_t>(rows) * cols);
    for (double& x : c) {
      x = mode == 1 || mode == 4 ? u(rng) : std::round(u(rng) * 100.0) / 10.0;  // ties in integer-ish costs
      if (mode == 2 && u(rng) < 0.35) x = u(rng) < 0.5 ? kInf : std::numeric_limits<double>::quiet_NaN();
    }
    AssignmentOptions o;
    o.maximize = mode == 1 || mode == 4;
    if (mode == 3) o.limit = 5.0;
    if (mode == 4) o.limit = 0.5;
    const Assignment a = linear_assignment(c, rows, cols, o);
    Best got;
    check_valid(a, c, rows, cols, o, got);
    const Best want = brute_force(c, rows, cols, o);
    if (!o.limit) {
      ASSERT_EQ(got.pairs, want.pairs) << "trial " << trial;
    }
    ASSERT_NEAR(got.value, want.value, 1e-9) << "trial " << trial << " rows " << rows << " cols " << cols;
    ++checked;
  }
  EXPECT_EQ(checked, 1500);
}

TEST(LinearAssignment, TransposeGivesTheSameTotal) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const int rows = 40, cols = 70;
  std::vector<double> c(rows * cols), ct(rows * cols);
  for (int r = 0; r < rows; ++r) {
    for (int k = 0; k < cols; ++k)
      ct[static_cast<size_t>(k) * rows + r] = c[static_cast<size_t>(r) * cols + k] = u(rng);
  }
  const Assignment a = linear_assignment(c, rows, cols);
  const Assignment b = linear_assignment(ct, cols, rows);
  EXPECT_EQ(a.size(), rows);
  EXPECT_EQ(b.size(), rows);
  EXPECT_NEAR(a.total, b.total, 1e-9);
  // Not worse than greedy in row order.
  std::vector<char> used(cols, 0);
  double greedy = 0.0;
  for (int r = 0; r < rows; ++r) {
    int best = -1;
    for (int k = 0; k < cols; ++k) {
      if (!used[k] &&
          (best < 0 || c[static_cast<size_t>(r) * cols + k] < c[static_cast<size_t>(r) * cols + best]))
        best = k;
    }
    used[best] = 1;
    greedy += c[static_cast<size_t>(r) * cols + best];
  }
  EXPECT_LE(a.total, greedy + 1e-12);
}

}  // namespace
}  // namespace pitchtrack
