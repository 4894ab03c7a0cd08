#include "core/remote_listing.hpp"

#include <ctime>
#include <sstream>

#include "core/curl_transfer.hpp"
#include "core/month_names.hpp"
#include "core/url.hpp"

namespace pg_etl {
namespace {

int64_t utc(int y, int mon, int d, int h, int mi, int s) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm));
}

int month_number(const std::string& m) { return m.size() == 3 ? month_from_abbrev(m) : 0; }

}  // namespace

std::vector<DirEntry> parse_mlsd(const std::string& text) {
  std::vector<DirEntry> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    DirEntry e;
    e.name = line.substr(sp + 1);
    std::string facts = line.substr(0, sp), type;
    std::istringstream fs(facts);
    std::string fact;
    while (std::getline(fs, fact, ';')) {
      size_t eq = fact.find('=');
      if (eq == std::string::npos) continue;
      std::string k = fact.substr(0, eq), v = fact.substr(eq + 1);
      for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (k == "type") type = v;
      else if (k == "size") e.size = std::stoll(v);
      else if (k == "modify" && v.size() >= 14)
        e.mtime = utc(std::stoi(v.substr(0, 4)), std::stoi(v.substr(4, 2)), std::stoi(v.substr(6, 2)),
                      std::stoi(v.substr(8, 2)), std::stoi(v.substr(10, 2)), std::stoi(v.substr(12, 2)));
    }
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (type == "cdir" || type == "pdir" || e.name == "." || e.name == "..") continue;
    e.is_dir = type == "dir";
    if (type == "file" || e.is_dir) out.push_back(e);
  }
  return out;
}

std::vector<DirEntry> parse_ls_long(const std::string& text, int current_year) {
  // drwxr-xr-x    2 user  group      4096 Jan  1 12:00 name with spaces
  std::vector<DirEntry> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream ls(line);
    std::string perms, links, owner, group, size, mon, day, time_or_year;
    if (!(ls >> perms >> links >> owner >> group >> size >> mon >> day >> time_or_year)) continue;
    std::string name;
    std::getline(ls, name);
    name.erase(0, name.find_first_not_of(' '));
    if (name.empty() || name == "." || name == "..") continue;
    DirEntry e;
    e.name = name;
    e.is_dir = perms[0] == 'd';
    if (perms[0] != '-' && !e.is_dir) continue;  // links, devices
    try {
      e.size = std::stoll(size);
    } catch (...) {
      continue;
    }
    int m = month_number(mon), d = std::atoi(day.c_str());
    if (m && time_or_year.find(':') != std::string::npos)
      e.mtime = utc(current_year, m, d, std::stoi(time_or_year.substr(0, 2)), std::stoi(time_or_year.substr(3, 2)), 0);
    else if (m)
      e.mtime = utc(std::atoi(time_or_year.c_str()), m, d, 0, 0, 0);
    out.push_back(e);
  }
  return out;
}

std::vector<DirEntry> list_remote_dir(const std::string& dir_url, const TransportOptions& opt) {
  Url u = parse_url(dir_url);
  CurlRequest req;
  req.url = dir_url;
  req.shown_url = redact_url(dir_url);
  if (u.scheme == "sftp") {
    std::time_t now = std::time(nullptr);
    std::tm tm;
    gmtime_r(&now, &tm);
    return parse_ls_long(fetch_small(req, opt).body, tm.tm_year + 1900);
  }
  req.custom_request = "MLSD";
  return parse_mlsd(fetch_small(req, opt).body);
}

FileEntry stat_remote(const std::string& url, const TransportOptions& opt) {
  CurlRequest req;
  req.url = url;
  req.shown_url = redact_url(url);
  req.head_only = true;
  CurlResponse r = fetch_small(req, opt);
  return FileEntry{redact_url(url), static_cast<int64_t>(r.content_length), static_cast<int64_t>(r.filetime), r.etag, {}};
}

}  // namespace pg_etl
