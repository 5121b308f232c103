#include "pitchtrack/core/assignment.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace pitchtrack {

std::vector<std::pair<int, int>> Assignment::pairs() const {
  std::vector<std::pair<int, int>> out;
  for (int r = 0; r < static_cast<int>(row_to_col.size()); ++r) {
    if (row_to_col[r] >= 0) out.emplace_back(r, row_to_col[r]);
  }
  return out;
}

int Assignment::size() const {
  return static_cast<int>(std::count_if(row_to_col.begin(), row_to_col.end(), [](int c) { return c >= 0; }));
}

namespace {

// Minimum-cost complete assignment of the n rows of a row-major n x m matrix (n <= m, all
// entries finite); returns row -> column. Shortest augmenting paths with dual potentials
// (Jonker & Volgenant 1987; the rectangular form of Crouse 2016): for each new row a Dijkstra
// search over reduced costs c - u - v >= 0 finds the cheapest alternating path to a free column;
// potentials are updated once per augmentation, and ties prefer free columns so a search stops
// as early as possible.
std::vector<int> solve_dense(const std::vector<double>& a, int n, int m) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n, 0.0), v(m, 0.0), shortest(m);
  std::vector<int> col_of_row(n, -1), row_of_col(m, -1), path(m), remaining(m), scanned_rows;
  std::vector<char> col_scanned(m);
  scanned_rows.reserve(n);
  for (int row = 0; row < n; ++row) {
    std::fill(shortest.begin(), shortest.end(), kInf);
    std::fill(col_scanned.begin(), col_scanned.end(), 0);
    for (int j = 0; j < m; ++j) remaining[j] = m - 1 - j;
    int num_remaining = m;
    scanned_rows.clear();
    double min_val = 0.0;
    int i = row;
    int sink = -1;
    while (sink < 0) {
      scanned_rows.push_back(i);
      const double* cost = a.data() + static_cast<size_t>(i) * m;
      const double base = min_val - u[i];
      int best = -1;
      double lowest = kInf;
      for (int k = 0; k < num_remaining; ++k) {
        const int j = remaining[k];
        const double r = base + cost[j] - v[j];
        if (r < shortest[j]) {
          path[j] = i;
          shortest[j] = r;
        }
        if (shortest[j] < lowest || (shortest[j] == lowest && row_of_col[j] < 0)) {
          lowest = shortest[j];
          best = k;
        }
      }
      min_val = lowest;
      const int j = remaining[best];
      col_scanned[j] = 1;
      remaining[best] = remaining[--num_remaining];
      if (row_of_col[j] < 0) {
        sink = j;
      } else {
        i = row_of_col[j];
      }
    }
    // Dual update: keeps reduced costs non-negative and zero along the new matching.
    u[row] += min_val;
    for (const int r : scanned_rows) {
      if (r != row) u[r] += min_val - shortest[col_of_row[r]];
    }
    for (int j = 0; j < m; ++j) {
      if (col_scanned[j]) v[j] -= min_val - shortest[j];
    }
    // Augment along the path back to `row`.
    for (int j = sink;;) {
      const int r = path[j];
      row_of_col[j] = r;
      std::swap(col_of_row[r], j);
      if (r == row) break;
    }
  }
  return col_of_row;
}

}  // namespace

Assignment linear_assignment(std::span<const double> cost, int rows, int cols,
                             const AssignmentOptions& options) {
  assert(rows >= 0 && cols >= 0);
  assert(cost.size() == static_cast<size_t>(rows) * static_cast<size_t>(cols));
  Assignment out;
  out.row_to_col.assign(rows, -1);
  out.col_to_row.assign(cols, -1);
  if (rows == 0 || cols == 0) return out;

  // Work on an n x m minimisation matrix with n <= m (transposed when rows > cols).
  const bool transpose = rows > cols;
  const int n = transpose ? cols : rows;
  const int m = transpose ? rows : cols;
  std::vector<double> work(static_cast<size_t>(n) * m);
  std::vector<char> eligible(work.size());
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  size_t n_eligible = 0;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const double x = cost[static_cast<size_t>(r) * cols + c];
      const size_t k = transpose ? static_cast<size_t>(c) * m + r : static_cast<size_t>(r) * m + c;
      double w = options.maximize ? -x : x;
      bool ok = std::isfinite(x);
      if (ok && options.limit) {
        const double lim = options.maximize ? -*options.limit : *options.limit;
        ok = w < lim;
        w -= lim;  // eligible pairs are negative; the empty choice (0) competes with them
      }
      eligible[k] = ok;
      work[k] = ok ? w : 0.0;
      if (ok) {
        ++n_eligible;
        lo = std::min(lo, w);
        hi = std::max(hi, w);
      }
    }
  }
  if (n_eligible == 0) return out;
  if (!options.limit) {
    // Forbidden pairs get a cost so large that using one more of them always costs more than
    // any choice among the allowed ones: M > hi + (n - 1) (hi - lo) suffices.
    const double big = hi + static_cast<double>(n) * (hi - lo) + 1.0;
    for (size_t k = 0; k < work.size(); ++k) {
      if (!eligible[k]) work[k] = big;
    }
  }

  const std::vector<int> match = solve_dense(work, n, m);
  for (int i = 0; i < n; ++i) {
    const int j = match[i];
    if (j < 0 || !eligible[static_cast<size_t>(i) * m + j]) continue;
    const int r = transpose ? j : i;
    const int c = transpose ? i : j;
    out.row_to_col[r] = c;
    out.col_to_row[c] = r;
    out.total += cost[static_cast<size_t>(r) * cols + c];
  }
  return out;
}

}  // namespace pitchtrack
