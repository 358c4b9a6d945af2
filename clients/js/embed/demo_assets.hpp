// The demo page and the JavaScript client bundle, embedded at build time (served at /demo).
#pragma once

#include <string_view>

namespace wsedge::demo {

// demo/index.html, byte for byte.
std::string_view page_html();
// The minified ES module bundle of @wsedge/client, served as /demo/wsedge-client.js.
std::string_view client_js();

}  // namespace wsedge::demo
