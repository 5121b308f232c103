// Linear assignment (rectangular): pair rows with columns so that the total cost is minimal
// (or the total score maximal), each row and each column used at most once.
//
// Contract:
// - `cost` is a row-major rows x cols matrix (cost.size() == rows * cols; asserted).
// - Without a limit the result has min(rows, cols) pairs whenever enough allowed pairs exist:
//   it maximises the number of allowed pairs first, then optimises the total over them.
//   Non-finite entries (inf, NaN) are forbidden pairs and never appear in the result.
// - With `limit`, a pair is eligible only if its cost is < limit (score > limit when
//   maximising), and leaving a row or column unmatched is allowed: the result minimises
//   sum(cost - limit) over the chosen pairs (maximises sum(score - limit)). This is the
//   "cost limit" form used by trackers (a detection stays unmatched rather than take a bad pair).
// - Algorithm: shortest augmenting paths with dual potentials (Hungarian / Jonker-Volgenant
//   family), O(n^2 m) for n = min(rows, cols), m = max(rows, cols); no allocation beyond O(n + m)
//   work arrays plus one transposed copy when rows > cols.
// Threading: pure function, thread-safe.
#pragma once

#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace pitchtrack {

struct AssignmentOptions {
  bool maximize = false;        // true: maximise the total score instead of minimising the cost
  std::optional<double> limit;  // eligibility limit (see contract); empty: every finite pair allowed
};

struct Assignment {
  std::vector<int> row_to_col;  // size rows; -1 when the row is unmatched
  std::vector<int> col_to_row;  // size cols; -1 when the column is unmatched
  double total = 0.0;           // sum of the original matrix entries over the matched pairs

  // Matched (row, col) pairs in row order.
  std::vector<std::pair<int, int>> pairs() const;
  int size() const;  // number of matched pairs
};

Assignment linear_assignment(std::span<const double> cost, int rows, int cols,
                             const AssignmentOptions& options = {});
inline Assignment linear_assignment(std::span<const double> cost, int rows, int cols, bool maximize) {
  return linear_assignment(cost, rows, cols, AssignmentOptions{.maximize = maximize, .limit = {}});
}

}  // namespace pitchtrack
