// The stored form of a config's section index (config/index_cache.h): a fixed header, the key, the tables,
// and a checksum, in this machine's byte order (the file never leaves it).
#include "config/index_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <type_traits>

#include "util/fs.h"

#ifndef KURA_VERSION
#define KURA_VERSION "0.0.0"
#endif

namespace kura {

namespace {

// Bumped whenever the layout below or the meaning of a table changes.
constexpr uint32_t k_format = 1;
constexpr char k_magic[8] = {'k', 'u', 'r', 'a', '-', 'i', 'd', 'x'};
// The layout: a header (magic, format, key length; the stamp; seed, check; the counts of chunks, slots,
// parse_now, kept and the bytes of the kept names; extras; a spare word; the checksum), then the key,
// parse_now, the kept table (chunk, name length) and names, so that one read of the front usually holds all
// of it; then the chunks and the slots, read straight into their tables.
constexpr size_t k_checksum_at = 112;
constexpr size_t k_header = k_checksum_at + 8;
constexpr size_t k_first_read = 4096;
// Far beyond any config's index (chunks are at most 2^24): what a damaged length would make kura allocate.
constexpr uint64_t k_max_bytes = uint64_t{1} << 30;

static_assert(std::is_trivially_copyable_v<StoredIndex::Chunk> && sizeof(StoredIndex::Chunk) == 8);

uint64_t load8(const char* bytes) {
  uint64_t word = 0;
  std::memcpy(&word, bytes, 8);
  return word;
}

class Writer {
 public:
  explicit Writer(size_t size) { m_out.reserve(size); }
  template <typename T>
  void put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    m_out.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void bytes(const void* data, size_t size) { m_out.append(static_cast<const char*>(data), size); }
  std::string take() { return std::move(m_out); }

 private:
  std::string m_out;
};

// Reads fixed-size values and arrays from the front of untrusted bytes; every read is checked against what is
// left, and once one fails every later one fails too.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : m_bytes(bytes) {}
  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value{};
    bytes(&value, sizeof value);
    return value;
  }
  bool bytes(void* out, size_t size) {
    if (!m_ok || size > m_bytes.size()) return m_ok = false;
    if (size > 0) std::memcpy(out, m_bytes.data(), size);
    m_bytes.remove_prefix(size);
    return true;
  }
  template <typename T>
  bool array(std::vector<T>& out, uint64_t count) {
    if (!m_ok || count * sizeof(T) > m_bytes.size()) return m_ok = false;
    out.resize(count);
    return bytes(out.data(), count * sizeof(T));
  }
  std::string_view take(size_t size) {
    if (!m_ok || size > m_bytes.size()) {
      m_ok = false;
      return {};
    }
    std::string_view out = m_bytes.substr(0, size);
    m_bytes.remove_prefix(size);
    return out;
  }
  bool ok() const { return m_ok; }
  size_t left() const { return m_bytes.size(); }

 private:
  std::string_view m_bytes;
  bool m_ok = true;
};

// Where stored bytes are read from: memory (decode_index), or the kept file, whose big tables go straight
// from the page cache into their vectors (a copy in between would cost as many fresh pages again).
class Source {
 public:
  virtual ~Source() = default;
  virtual uint64_t size() const = 0;
  // Exactly `size` bytes from `offset`; false when they are not all there.
  virtual bool read(uint64_t offset, void* out, size_t size) const = 0;
};

class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string_view bytes) : m_bytes(bytes) {}
  uint64_t size() const override { return m_bytes.size(); }
  bool read(uint64_t offset, void* out, size_t size) const override {
    if (offset > m_bytes.size() || size > m_bytes.size() - offset) return false;
    if (size > 0) std::memcpy(out, m_bytes.data() + offset, size);
    return true;
  }

 private:
  std::string_view m_bytes;
};

class FileSource final : public Source {
 public:
  FileSource(int fd, uint64_t size) : m_fd(fd), m_size(size) {}
  uint64_t size() const override { return m_size; }
  bool read(uint64_t offset, void* out, size_t size) const override {
    auto* bytes = static_cast<char*>(out);
    size_t got = 0;
    while (got < size) {
      const ssize_t n = ::pread(m_fd, bytes + got, size - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;  // an error, or shorter than fstat said (being replaced, or damaged)
      got += static_cast<size_t>(n);
    }
    return true;
  }

 private:
  int m_fd;
  uint64_t m_size;
};

void put_stamp(Writer& out, const FileStamp& file) {
  out.put(file.device);
  out.put(file.inode);
  out.put(file.size);
  out.put(file.mtime_sec);
  out.put(file.mtime_nsec);
  out.put(file.ctime_sec);
  out.put(file.ctime_nsec);
}

FileStamp get_stamp(Reader& in) {
  FileStamp file;
  file.device = in.get<uint64_t>();
  file.inode = in.get<uint64_t>();
  file.size = in.get<uint64_t>();
  file.mtime_sec = in.get<int64_t>();
  file.mtime_nsec = in.get<int64_t>();
  file.ctime_sec = in.get<int64_t>();
  file.ctime_nsec = in.get<int64_t>();
  return file;
}

Error unusable(std::string_view why) {
  return make_error("stored config index not used: " + std::string(why));
}

// The checksum of a stored index: of its front (header, with the checksum's own place as zeros, key and
// lists), its chunks and its slots.
uint64_t checksum_of(std::string_view front, std::string_view chunks, std::string_view slots) {
  const uint64_t sums[3] = {index_checksum(front), index_checksum(chunks), index_checksum(slots)};
  return index_checksum(std::string_view(reinterpret_cast<const char*>(sums), sizeof sums));
}

std::string_view bytes_of(const auto& vector) {
  return {reinterpret_cast<const char*>(vector.data()), vector.size() * sizeof(vector[0])};
}

Result<StoredIndex> decode(const Source& source, std::string_view key, const FileStamp& file) {
  if (source.size() < k_header) return unusable("truncated");
  std::string front(std::min<uint64_t>(source.size(), k_first_read), '\0');
  if (!source.read(0, front.data(), front.size())) return unusable("cannot be read");
  Reader in(front);
  char magic[sizeof k_magic] = {};
  in.bytes(magic, sizeof magic);
  if (std::memcmp(magic, k_magic, sizeof magic) != 0) return unusable("not an index");
  if (in.get<uint32_t>() != k_format) return unusable("another format");
  const auto key_size = in.get<uint32_t>();
  StoredIndex index;
  index.file = get_stamp(in);
  index.seed = in.get<uint64_t>();
  index.check = in.get<uint32_t>();
  const auto chunks = in.get<uint32_t>();
  const auto slots = in.get<uint32_t>();
  const auto parse_now = in.get<uint32_t>();
  const auto kept = in.get<uint32_t>();
  const auto names = in.get<uint32_t>();
  index.extras = in.get<uint32_t>();
  in.get<uint32_t>();
  const auto checksum = in.get<uint64_t>();
  if (!in.ok()) return unusable("truncated");
  if (key_size != key.size()) return unusable("another key");
  if (!(index.file == file)) return unusable("the config changed since");
  // The lengths add up to the file exactly (64-bit sums of 32-bit counts cannot overflow).
  const uint64_t front_size =
      k_header + uint64_t{key_size} + uint64_t{parse_now} * 4 + uint64_t{kept} * 8 + uint64_t{names};
  if (front_size + uint64_t{chunks} * 8 + uint64_t{slots} * 4 != source.size()) {
    return unusable("lengths do not add up");
  }
  if (front_size > front.size()) {
    const size_t read = front.size();
    front.resize(front_size);
    if (!source.read(read, front.data() + read, front_size - read)) return unusable("cannot be read");
  }
  front.resize(front_size);
  Reader lists(std::string_view(front).substr(k_header));
  if (lists.take(key_size) != key) return unusable("another key");
  index.chunks.resize(chunks);
  index.slots.resize(slots);
  if (!source.read(front_size, index.chunks.data(), uint64_t{chunks} * 8) ||
      !source.read(front_size + uint64_t{chunks} * 8, index.slots.data(), uint64_t{slots} * 4)) {
    return unusable("cannot be read");
  }
  // Damage that keeps the lengths (a flipped bit, a block of zeros) is caught here, at the cost of one pass
  // over the bytes, rather than by checking what every entry of the tables means.
  std::memset(front.data() + k_checksum_at, 0, 8);
  if (checksum != checksum_of(front, bytes_of(index.chunks), bytes_of(index.slots))) {
    return unusable("checksum");
  }

  lists.array(index.parse_now, parse_now);
  std::vector<uint32_t> kept_table;
  lists.array(kept_table, uint64_t{kept} * 2);
  if (!lists.ok()) return unusable("truncated");
  // Chunk 0 is the text before the first header. The order of the others, and that they are inside the file,
  // is checked where they are used (config_index.cpp): a pass over them here would cost about what it saves.
  if (chunks == 0 || index.chunks[0].begin != 0 || index.chunks[0].hash != 0) return unusable("chunk 0");
  if (slots < 16 || (slots & (slots - 1)) != 0) return unusable("slot count");
  for (size_t i = 0; i < index.parse_now.size(); ++i) {
    if (index.parse_now[i] >= chunks || (i > 0 && index.parse_now[i] <= index.parse_now[i - 1])) {
      return unusable("chunks to parse out of order");
    }
  }
  index.kept.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    const uint32_t chunk = kept_table[2 * i];
    if (chunk == 0 || chunk >= chunks || (i > 0 && chunk <= kept_table[2 * i - 2])) {
      return unusable("kept names out of order");
    }
    const std::string_view name = lists.take(kept_table[2 * i + 1]);
    if (!lists.ok()) return unusable("kept names out of bounds");
    index.kept.emplace_back(chunk, std::string(name));
  }
  if (lists.left() != 0) return unusable("kept names do not add up");
  return index;
}

uint64_t fnv1a(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return hash;
}

Error errno_error(const std::string& what, const std::string& path, int err) {
  return make_error(what + " " + path + ": " + std::strerror(err));
}

}  // namespace

uint64_t index_checksum(std::string_view bytes) {
  // Four lanes, each word xored in and multiplied by an odd constant: every step is a bijection, so a word
  // that differs always leaves its lane different, and independent lanes keep the multiplies in flight
  // together.
  constexpr uint64_t k_odd = 0x9e3779b97f4a7c15ull;
  uint64_t a = 1;
  uint64_t b = 2;
  uint64_t c = 3;
  uint64_t d = 4;
  const char* data = bytes.data();
  size_t i = 0;
  for (; i + 32 <= bytes.size(); i += 32) {
    a = (a ^ load8(data + i)) * k_odd;
    b = (b ^ load8(data + i + 8)) * k_odd;
    c = (c ^ load8(data + i + 16)) * k_odd;
    d = (d ^ load8(data + i + 24)) * k_odd;
  }
  char tail[32] = {};
  if (i < bytes.size()) std::memcpy(tail, data + i, bytes.size() - i);
  a = (a ^ load8(tail)) * k_odd;
  b = (b ^ load8(tail + 8)) * k_odd;
  c = (c ^ load8(tail + 16)) * k_odd;
  d = (d ^ load8(tail + 24)) * k_odd;
  uint64_t sum = bytes.size();
  for (uint64_t lane : {a, b, c, d}) {
    sum = (sum ^ lane ^ (lane >> 29)) * 0xbf58476d1ce4e5b9ull;
    sum ^= sum >> 32;
  }
  return sum;
}

FileStamp FileStamp::of(const struct stat& info) {
  FileStamp file;
  file.device = static_cast<uint64_t>(info.st_dev);
  file.inode = static_cast<uint64_t>(info.st_ino);
  file.size = static_cast<uint64_t>(info.st_size);
  file.mtime_sec = info.st_mtim.tv_sec;
  file.mtime_nsec = info.st_mtim.tv_nsec;
  file.ctime_sec = info.st_ctim.tv_sec;
  file.ctime_nsec = info.st_ctim.tv_nsec;
  return file;
}

std::string index_key(std::string_view config_path, std::string_view keep_name) {
  return "kura " KURA_VERSION " config index " + std::to_string(k_format) +
         "; keep: " + std::string(keep_name) + "; file: " + std::string(config_path);
}

std::string encode_index(const StoredIndex& index, std::string_view key) {
  size_t names = 0;
  for (const auto& [chunk, name] : index.kept) names += name.size();
  const size_t front_size =
      k_header + key.size() + index.parse_now.size() * 4 + index.kept.size() * 8 + names;
  Writer out(front_size + index.chunks.size() * 8 + index.slots.size() * 4);
  out.bytes(k_magic, sizeof k_magic);
  out.put(k_format);
  out.put(static_cast<uint32_t>(key.size()));
  put_stamp(out, index.file);
  out.put(index.seed);
  out.put(index.check);
  out.put(static_cast<uint32_t>(index.chunks.size()));
  out.put(static_cast<uint32_t>(index.slots.size()));
  out.put(static_cast<uint32_t>(index.parse_now.size()));
  out.put(static_cast<uint32_t>(index.kept.size()));
  out.put(static_cast<uint32_t>(names));
  out.put(index.extras);
  out.put(uint32_t{0});
  out.put(uint64_t{0});  // the checksum, below
  out.bytes(key.data(), key.size());
  out.bytes(index.parse_now.data(), index.parse_now.size() * 4);
  for (const auto& [chunk, name] : index.kept) {
    out.put(chunk);
    out.put(static_cast<uint32_t>(name.size()));
  }
  for (const auto& [chunk, name] : index.kept) out.bytes(name.data(), name.size());
  out.bytes(index.chunks.data(), index.chunks.size() * sizeof(StoredIndex::Chunk));
  out.bytes(index.slots.data(), index.slots.size() * 4);
  std::string bytes = out.take();
  const uint64_t checksum = checksum_of(std::string_view(bytes).substr(0, front_size), bytes_of(index.chunks),
                                        bytes_of(index.slots));
  std::memcpy(bytes.data() + k_checksum_at, &checksum, sizeof checksum);
  return bytes;
}

bool seal_index(std::string& bytes) {
  if (bytes.size() < k_header) return false;
  Reader in(std::string_view(bytes).substr(12));
  const auto key_size = in.get<uint32_t>();
  Reader counts(std::string_view(bytes).substr(84));
  const auto chunks = counts.get<uint32_t>();
  const auto slots = counts.get<uint32_t>();
  const auto parse_now = counts.get<uint32_t>();
  const auto kept = counts.get<uint32_t>();
  const auto names = counts.get<uint32_t>();
  const uint64_t front_size =
      k_header + uint64_t{key_size} + uint64_t{parse_now} * 4 + uint64_t{kept} * 8 + uint64_t{names};
  if (front_size + uint64_t{chunks} * 8 + uint64_t{slots} * 4 != bytes.size()) return false;
  std::memset(bytes.data() + k_checksum_at, 0, 8);
  const std::string_view all = bytes;
  const uint64_t checksum =
      checksum_of(all.substr(0, front_size), all.substr(front_size, uint64_t{chunks} * 8),
                  all.substr(front_size + uint64_t{chunks} * 8));
  std::memcpy(bytes.data() + k_checksum_at, &checksum, sizeof checksum);
  return true;
}

Result<StoredIndex> decode_index(std::string_view bytes, std::string_view key, const FileStamp& file) {
  return decode(MemorySource(bytes), key, file);
}

std::string index_cache_directory(const Environment& env) {
  auto xdg = env.get("XDG_CACHE_HOME");
  std::string base = xdg && xdg->front() == '/' ? *xdg : env.home() + "/.cache";
  return base + "/kura/index";
}

std::string index_cache_file(const std::string& directory, std::string_view config_path) {
  static constexpr char k_hex[] = "0123456789abcdef";
  uint64_t hash = fnv1a(config_path);
  std::string name(16, '0');
  for (size_t i = 16; i > 0; --i, hash >>= 4) name[i - 1] = k_hex[hash & 15];
  return directory + "/config-" + name;
}

Result<std::optional<StoredIndex>> read_index_cache(const std::string& path, std::string_view key,
                                                    const FileStamp& file) {
  // O_NOFOLLOW: a symbolic link is refused; O_NONBLOCK: a FIFO put there does not hang the open.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<StoredIndex>();
    return errno_error("cannot open", path, errno);
  }
  struct stat info {};
  Result<StoredIndex> index = make_error("");
  if (::fstat(fd, &info) != 0) {
    index = errno_error("cannot stat", path, errno);
  } else if (!S_ISREG(info.st_mode) || info.st_uid != ::geteuid() || (info.st_mode & 07777) != 0600) {
    index = make_error(path + " is not a 0600 file of this user's");
  } else if (static_cast<uint64_t>(info.st_size) > k_max_bytes) {
    index = make_error(path + " is too big to be an index");
  } else {
    index = decode(FileSource(fd, static_cast<uint64_t>(info.st_size)), key, file);
  }
  ::close(fd);
  if (!index) return index.error();
  return std::optional<StoredIndex>(std::move(*index));
}

Result<void> write_index_cache(const std::string& path, std::string_view bytes) {
  const std::string directory = parent_directory(path);
  auto made = make_directories(directory, 0700);
  if (!made) return made;
  struct stat info {};
  if (::lstat(directory.c_str(), &info) != 0) return errno_error("cannot stat", directory, errno);
  if (!S_ISDIR(info.st_mode) || info.st_uid != ::geteuid() || (info.st_mode & 077) != 0) {
    return make_error(directory + " is not a private directory of this user's");
  }
  return write_file_atomic(path, bytes, 0600);
}

}  // namespace kura
