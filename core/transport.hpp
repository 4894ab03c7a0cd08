#pragma once
// Where bytes come from: the local file system or the network (libcurl for http(s),
// ftp(s), sftp and s3). open_url() streams one file; list_files() expands a glob or
// stats a single URL.
#include <map>
#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "core/file_entry.hpp"

namespace pg_etl {

struct TransportOptions {
  std::map<std::string, std::string> headers;  // extra HTTP headers
  std::string username, password;              // basic auth / FTP / SFTP login (else from the URL)
  std::string bearer_token;
  double timeout = 0;           // seconds for a whole transfer; 0: none
  double connect_timeout = 30;  // seconds
  std::string ca_file;          // PEM bundle to verify TLS servers with
  bool insecure = false;        // skip TLS verification (never by default)
  std::string ftp_ssl;          // "", "try", "control", "all": TLS for ftp:// (ftps:// is implicit TLS)
  // S3 and S3-compatible stores
  std::string region = "us-east-1";
  std::string endpoint;         // e.g. http://127.0.0.1:9000; default: AWS
  bool path_style = false;      // bucket in the path instead of the host name
  std::string access_key_id, secret_access_key, session_token;
  // SFTP
  std::string private_key, public_key, key_passphrase;
  std::string host_key_sha256;  // base64 SHA256 of the server's host key, verified when set
};

ByteSourcePtr open_url(const std::string& url, const TransportOptions& opt);

// Files matching url (a glob, or one file), sorted by URL. A URL without glob
// characters names one file, which must exist.
std::vector<FileEntry> list_files(const std::string& url, const TransportOptions& opt);

}  // namespace pg_etl
