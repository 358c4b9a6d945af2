// Frame-bounded reading: however the bytes are split, a read never passes a frame's end, and
// the tracker is between frames exactly at frame ends.
#include "edge/frame_boundary.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/client_frame.hpp"

namespace wsedge::edge {
namespace {

// A masked text frame of `size` payload bytes.
std::string client_frame(std::size_t size) {
  return testing::client_frame(0x81, std::string(size, 'p'));
}

// Feeds `stream` as a reader would (at most readable() bytes at a time, never more than
// `chunk`) and returns the offsets at which the tracker said it was between frames.
std::vector<std::size_t> boundaries(const std::string& stream, std::size_t chunk) {
  frame_boundary frames;
  std::vector<std::size_t> at;
  std::size_t offset = 0;
  while (offset < stream.size()) {
    const std::size_t n = std::min({frames.readable(), chunk, stream.size() - offset});
    EXPECT_GT(n, 0u);
    frames.consumed(reinterpret_cast<const unsigned char*>(stream.data() + offset), n);
    offset += n;
    if (frames.at_frame_start()) at.push_back(offset);
  }
  return at;
}

TEST(FrameBoundary, ReadsStopAtEachFrameEndWhateverTheLengthEncoding) {
  const std::string a = client_frame(0), b = client_frame(5), c = client_frame(300),
                    d = client_frame(70000);
  const std::string stream = a + b + c + d;
  const std::vector<std::size_t> ends = {a.size(), a.size() + b.size(),
                                         a.size() + b.size() + c.size(), stream.size()};
  for (std::size_t chunk : {1u, 3u, 7u, 4096u, 1u << 20})
    EXPECT_EQ(boundaries(stream, chunk), ends) << "chunk " << chunk;
}

TEST(FrameBoundary, AtStartBeforeAnythingAndNotInsideAHeaderOrPayload) {
  frame_boundary frames;
  EXPECT_TRUE(frames.at_frame_start());
  EXPECT_EQ(frames.readable(), 6u);  // the smallest masked header
  const std::string f = client_frame(10);
  frames.consumed(reinterpret_cast<const unsigned char*>(f.data()), 1);
  EXPECT_FALSE(frames.at_frame_start());
  frames.consumed(reinterpret_cast<const unsigned char*>(f.data() + 1), 5);
  EXPECT_FALSE(frames.at_frame_start());
  EXPECT_EQ(frames.readable(), 10u);
}

}  // namespace
}  // namespace wsedge::edge
