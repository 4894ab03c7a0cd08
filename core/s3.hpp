#pragma once
// S3 and S3-compatible stores: s3://bucket/key URLs become signed HTTPS requests
// (virtual-hosted or path style, any endpoint), listings use ListObjectsV2.
#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "core/file_entry.hpp"
#include "core/transport.hpp"

namespace pg_etl {

ByteSourcePtr open_s3(const std::string& url, const TransportOptions& opt);

// Objects whose keys start with prefix, in bucket (all pages).
std::vector<FileEntry> list_s3(const std::string& bucket, const std::string& prefix, const TransportOptions& opt);

// Parses one ListObjectsV2 XML page; sets next_token when truncated.
std::vector<FileEntry> parse_list_objects_v2(const std::string& xml, const std::string& bucket, std::string& next_token);

}  // namespace pg_etl
