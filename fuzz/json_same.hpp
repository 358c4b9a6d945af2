// JSON equality for the fuzz checks: Boost.JSON's operator==, but with doubles as Boost.JSON
// 1.81 reads them. Its number parser is not exact and not even repeatable: the same digits read
// alone or inside a document can differ in the last bits ("13.46744073709551616"), and some read
// as NaN ("-0.0e+1007": 0 × ∞). So NaN equals NaN and doubles match within a few ULP.
#pragma once

#include <algorithm>
#include <boost/json/value.hpp>
#include <cmath>

namespace wsedge::fuzz {

inline bool same_double(double a, double b) {
  if (a == b || (std::isnan(a) && std::isnan(b))) return true;
  return std::abs(a - b) <= 1e-15 * std::max(std::abs(a), std::abs(b));
}

inline bool same_json(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() && b.is_double()) return same_double(a.get_double(), b.get_double());
  if (a.is_array() && b.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same_json(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object() && b.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& [key, value] : x) {
      const boost::json::value* other = y.if_contains(key);
      if (other == nullptr || !same_json(value, *other)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace wsedge::fuzz
