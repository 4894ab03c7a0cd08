#include "core/decompress.hpp"

#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <vector>

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/peek_source.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

constexpr size_t kInputChunk = 256 * 1024;

Error corrupt_stream(const std::string& url, const std::string& why) {
  return Error(sqlstate::kBadCopyFileFormat, "could not decompress \"" + url + "\": " + why);
}

bool ends_with(const std::string& s, const char* suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

class GzipSource final : public ByteSource {
 public:
  GzipSource(ByteSourcePtr source, std::string url) : source_(std::move(source)), url_(std::move(url)), in_(kInputChunk) {
    std::memset(&z_, 0, sizeof z_);
    if (inflateInit2(&z_, 15 + 32) != Z_OK) throw Error(sqlstate::kOutOfMemory, "could not start gzip decoder");
  }
  ~GzipSource() override { inflateEnd(&z_); }

  size_t read(char* buf, size_t n) override {
    if (done_) return 0;
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = static_cast<uInt>(n);
    while (z_.avail_out == n) {
      if (z_.avail_in == 0) {
        size_t got = source_->read(in_.data(), in_.size());
        if (got == 0) {
          if (!at_member_end_) throw corrupt("unexpected end of gzip stream (truncated file?)");
          done_ = true;
          break;
        }
        z_.next_in = reinterpret_cast<Bytef*>(in_.data());
        z_.avail_in = static_cast<uInt>(got);
      }
      at_member_end_ = false;
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        // gzip files may hold several members back to back (cat a.gz b.gz).
        at_member_end_ = true;
        inflateReset(&z_);
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw corrupt(z_.msg ? z_.msg : "invalid gzip data");
      }
    }
    return n - z_.avail_out;
  }
  uint64_t transport_bytes() const override { return source_->transport_bytes(); }

 private:
  Error corrupt(const std::string& why) const { return corrupt_stream(url_, why); }
  ByteSourcePtr source_;
  std::string url_;
  std::vector<char> in_;
  z_stream z_;
  bool done_ = false;
  bool at_member_end_ = false;
};

class ZstdSource final : public ByteSource {
 public:
  ZstdSource(ByteSourcePtr source, std::string url)
      : source_(std::move(source)), url_(std::move(url)), in_(ZSTD_DStreamInSize()), dctx_(ZSTD_createDCtx()) {
    if (!dctx_) throw Error(sqlstate::kOutOfMemory, "could not start zstd decoder");
  }
  ~ZstdSource() override { ZSTD_freeDCtx(dctx_); }

  size_t read(char* buf, size_t n) override {
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0) {
      if (input_.pos == input_.size) {
        size_t got = source_->read(in_.data(), in_.size());
        if (got == 0) {
          if (last_ret_ != 0) throw corrupt("unexpected end of zstd stream (truncated file?)");
          return 0;
        }
        input_ = ZSTD_inBuffer{in_.data(), got, 0};
      }
      last_ret_ = ZSTD_decompressStream(dctx_, &out, &input_);
      if (ZSTD_isError(last_ret_)) throw corrupt(ZSTD_getErrorName(last_ret_));
    }
    return out.pos;
  }
  uint64_t transport_bytes() const override { return source_->transport_bytes(); }

 private:
  Error corrupt(const std::string& why) const { return corrupt_stream(url_, why); }
  ByteSourcePtr source_;
  std::string url_;
  std::vector<char> in_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  ZSTD_DCtx* dctx_;
  size_t last_ret_ = 0;
};

}  // namespace

ByteSourcePtr open_decompressed(ByteSourcePtr source, const std::string& url) {
  const std::string head = peek_bytes(source, 4);
  const size_t have = head.size();
  const auto* h = reinterpret_cast<const unsigned char*>(head.data());
  Compression c = Compression::kNone;
  if (have >= 2 && h[0] == 0x1f && h[1] == 0x8b) c = Compression::kGzip;
  if (have >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd) c = Compression::kZstd;
  if (c == Compression::kNone && compression_from_name(url) != Compression::kNone && have > 0)
    throw Error(sqlstate::kBadCopyFileFormat, "\"" + url + "\" is named as compressed but is not gzip or zstd data");
  switch (c) {
    case Compression::kGzip: return std::make_unique<GzipSource>(std::move(source), url);
    case Compression::kZstd: return std::make_unique<ZstdSource>(std::move(source), url);
    case Compression::kNone: break;
  }
  return source;
}

Compression compression_from_name(const std::string& name) {
  std::string path = name.substr(0, name.find_first_of("?#"));
  if (ends_with(path, ".gz") || ends_with(path, ".gzip")) return Compression::kGzip;
  if (ends_with(path, ".zst") || ends_with(path, ".zstd")) return Compression::kZstd;
  return Compression::kNone;
}

std::string strip_compression_suffix(const std::string& name) {
  std::string path = name.substr(0, name.find_first_of("?#"));
  for (const char* s : {".gz", ".gzip", ".zst", ".zstd"})
    if (ends_with(path, s)) return path.substr(0, path.size() - std::strlen(s));
  return path;
}

}  // namespace pg_etl
