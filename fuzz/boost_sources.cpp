// Boost.JSON and Boost.URL compiled into the fuzz build (see CMakeLists.txt: instrumented).
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
