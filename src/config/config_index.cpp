// The section index of an AWS INI file (config_index.h): one streaming scan of its '[' bytes, then
// IniDocument::parse per chunk, on demand.
#include "config/config_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>

#include "util/fs.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/strings.h"

namespace kura {

namespace {

// A slot of the hash table holds the top bits of a name's hash (most probes stop there) and the section's id:
// a chunk index, or past the chunks, an index into the extra sections; 0 is a free slot.
constexpr uint32_t k_id_bits = 24;
constexpr uint32_t k_id_mask = (uint32_t{1} << k_id_bits) - 1;
// The window the file streams through: small enough to stay in cache, and to cost few fresh pages.
constexpr size_t k_window = size_t{64} * 1024;
// A file up to this size is read whole when loaded (a few profiles): one read instead of one per section.
constexpr uint64_t k_snapshot = 4096;
// Hashed under a kept index's seed and stored beside it: a build whose name hash differs does not use it.
constexpr std::string_view k_hash_check = "kura: the section name hash";

// The name hash's seed for an index scanned here changes from process to process (ASLR): a file written so
// that its names collide for one process does not for the next. A kept index keeps the seed it was built
// with.
uint64_t process_seed() {
  static const uint64_t k_seed = reinterpret_cast<uintptr_t>(&k_seed) * 0x9e3779b97f4a7c15ull;
  return k_seed;
}

}  // namespace

struct IniIndex::State {
  using Chunk = StoredIndex::Chunk;  // where a column-0 header's '[' is, and its name's hash
  // A section other than its chunk's column-0 header, from a chunk parsed during the scan.
  struct Extra {
    std::string_view name;  // into the chunk's document, which never moves
    Position position;
    uint32_t hash = 0;
  };

  std::string source;
  int fd = -1;             // a regular file, read again for the chunks parsed later
  struct stat scanned {};  // the file as it was scanned, to tell a file changed since from a bug
  std::string text;        // or the bytes themselves (from_text, pipes)
  uint64_t size = 0;
  ReadTable<Chunk> chunks;  // chunk 0 is the text before the first column-0 header
  std::vector<Extra> extras;
  ReadTable<uint32_t> slots;  // open addressing over chunks and extras
  std::vector<std::pair<Position, std::string>> kept;
  std::vector<uint32_t> parse_now;  // the chunks parsed during the scan, in order
  uint64_t seed = process_seed();   // of the name hash
  bool whole = false;   // Parse::fully, or the scan stopped at an error: `full` holds every section
  bool stored = false;  // taken from a kept index

  // What lookups fill in; they may come from the thread that renews credentials in `kura serve`.
  std::mutex mutex;
  std::map<uint32_t, std::unique_ptr<IniDocument>> parsed;
  std::map<uint32_t, Error> failed;
  std::unique_ptr<IniDocument> full;
  std::optional<Error> full_error;
  bool disagreed = false;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (fd >= 0) ::close(fd);
    wipe_string(text);  // a credentials file's keys among them
  }
  uint64_t chunk_end(uint32_t chunk) const {
    return chunk + 1 < chunks.size() ? chunks[chunk + 1].begin : size;
  }
};

namespace {

using State = IniIndex::State;
using Position = IniIndex::Position;

uint64_t load8(const char* bytes) {
  uint64_t word = 0;
  std::memcpy(&word, bytes, 8);
  return word;
}

// A section name's hash: eight bytes at a time in two independent lanes, the last eight bytes overlapping
// (names are short, and there is one per section to hash).
uint32_t hash_of(uint64_t seed, std::string_view name) {
  const char* bytes = name.data();
  const size_t size = name.size();
  uint64_t a = seed ^ size;
  uint64_t b = size;
  if (size >= 8) {
    size_t i = 0;
    for (; i + 16 <= size; i += 16) {
      a = (a ^ load8(bytes + i)) * 0x9e3779b97f4a7c15ull;
      b = (b ^ load8(bytes + i + 8)) * 0xbf58476d1ce4e5b9ull;
    }
    if (i + 8 <= size) a = (a ^ load8(bytes + i)) * 0x94d049bb133111ebull;
    b ^= load8(bytes + size - 8);
  } else {
    for (size_t i = 0; i < size; ++i) b = (b << 8) | static_cast<unsigned char>(bytes[i]);
  }
  uint64_t hash = (a ^ (a >> 29)) + (b * 0xd6e8feb86659fd93ull);
  hash ^= hash >> 32;
  hash *= 0x9e3779b97f4a7c15ull;
  return static_cast<uint32_t>(hash >> 32);
}

// True when `name` holds a byte below 0x0e ("\t", "\n", "\r" and rarer controls), eight bytes at a time (the
// has-a-byte-less-than-n test: a borrow can mark a wrong byte only above a true one, so a word's answer is
// exact).
bool may_break_line(std::string_view name) {
  constexpr uint64_t k_ones = 0x0101010101010101ull;
  size_t i = 0;
  for (; i + 8 <= name.size(); i += 8) {
    const uint64_t word = load8(name.data() + i);
    if ((word - k_ones * 0x0e) & ~word & (k_ones << 7)) return true;
  }
  for (; i < name.size(); ++i) {
    if (static_cast<unsigned char>(name[i]) < 0x0e) return true;
  }
  return false;
}

// The column-0 header at `text[at]` when its line is exactly "[name]" (what nearly every header is), found
// with one memchr for its ']': sets that ']''s offset. False for any other line, which ini_header_name()
// decides on (for this one it would give `name`, so the two agree). A line with no ']' makes the memchr run
// on to a later line, but such a header ends the scan (the whole file is parsed), so that happens once.
bool plain_header(std::string_view text, size_t at, size_t& close) {
  const char* data = text.data();
  const void* found = std::memchr(data + at + 1, ']', text.size() - at - 1);
  if (!found) return false;
  close = static_cast<size_t>(static_cast<const char*>(found) - data);
  if (close + 1 < text.size() && data[close + 1] != '\n' && data[close + 1] != '\r') return false;
  const std::string_view name = text.substr(at + 1, close - at - 1);
  return !name.empty() && !may_break_line(name) && name != "DEFAULT";
}

uint32_t tag_of(uint32_t hash) {
  return hash & ~k_id_mask;
}

// The id of a chunk's column-0 header is the chunk's index; extra sections come after the chunks.
uint32_t hash_of_id(const State& s, uint32_t id) {
  return id < s.chunks.size() ? s.chunks[id].hash : s.extras[id - s.chunks.size()].hash;
}

Error read_error(const std::string& path, int err) {
  return make_error("cannot read " + path + ": " + std::strerror(err));
}

// True when the open file is not the one scanned any more: rewritten in place by another tool (kura's own
// editor renames a new file over the old, which an open file never sees).
bool changed(const State& s) {
  struct stat now {};
  if (s.fd < 0) return false;
  if (::fstat(s.fd, &now) != 0) return true;
  return now.st_size != s.scanned.st_size || now.st_mtim.tv_sec != s.scanned.st_mtim.tv_sec ||
         now.st_mtim.tv_nsec != s.scanned.st_mtim.tv_nsec || now.st_ctim.tv_sec != s.scanned.st_ctim.tv_sec ||
         now.st_ctim.tv_nsec != s.scanned.st_ctim.tv_nsec;
}

// Sections are read when first asked for, so a file rewritten in the meantime would mix two versions.
Error changed_error(const State& s) {
  return make_error(s.source + " changed while kura was reading it", "run the command again");
}

// Up to `length` bytes from `offset` (fewer at the end of the file).
Result<std::string> read_at(const State& s, uint64_t offset, uint64_t length) {
  if (s.fd < 0) {
    if (offset >= s.text.size()) return std::string();
    return s.text.substr(offset, length);
  }
  std::string out(length, '\0');
  size_t got = 0;
  while (got < length) {
    ssize_t n = ::pread(s.fd, out.data() + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      wipe_string(out);  // a credentials file's keys among them
      return read_error(s.source, error);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

// The 0-based number of the line after `text`: "\r\n", "\n" and a lone "\r" each end one. `text` ends where a
// chunk begins, with '[', so a "\r" at its end is a lone one.
size_t count_lines(std::string_view text) {
  size_t lines = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) ++lines;
  }
  return lines;
}

// The name in the column-0 header at `offset`, read back from the file.
Result<std::string> header_at(const State& s, uint64_t offset) {
  for (uint64_t length = 256;; length *= 2) {
    auto bytes = read_at(s, offset, length);
    if (!bytes) return bytes.error();
    size_t end = find_either(*bytes, '\r', '\n');
    if (end == std::string::npos && bytes->size() == length) continue;
    auto name = ini_header_name(std::string_view(*bytes).substr(0, end));
    return name ? std::string(*name) : std::string();  // "": not a header any more (the file changed)
  }
}

bool ends_line(char c) {
  return c == '\n' || c == '\r';
}

// The bytes of a chunk, when its bounds are still where the scan saw them: its header's '[' starts a line (a
// column-0 '[' always starts a section), and so does the next chunk's '['. Nothing when they are not: the
// file changed since, or a kept index does not describe it.
Result<std::optional<std::string>> read_chunk(const State& s, uint32_t chunk) {
  const uint64_t begin = s.chunks[chunk].begin;
  const uint64_t end = s.chunk_end(chunk);
  if (end < begin || end > s.size) return std::optional<std::string>();  // a kept index out of order
  const uint64_t from = begin > 0 ? begin - 1 : 0;                       // with the byte before the header
  auto bytes = read_at(s, from, end + 1 - from);                         // and the next chunk's '['
  if (!bytes) return bytes.error();
  const std::string& b = *bytes;
  const uint64_t lead = begin - from;
  const uint64_t length = end - begin;
  const bool last = chunk + 1 == s.chunks.size();
  auto starts_line = [&](uint64_t at) { return at == 0 || ends_line(b[at - 1 - from]); };
  bool fits = b.size() == lead + length + 1 ? last || (b.back() == '[' && starts_line(end))
                                            : last && b.size() == lead + length;
  if (fits && chunk > 0) fits = length > 0 && b[lead] == '[' && starts_line(begin);
  if (!fits) return std::optional<std::string>();
  bytes->resize(lead + length);
  bytes->erase(0, lead);
  return std::optional<std::string>(std::move(*bytes));
}

// The whole file as it is now.
Result<std::string> read_all(const State& s) {
  if (s.fd < 0) return s.text;
  std::string out;
  if (const int error = read_to_end(s.fd, s.size, true, out); error != 0) return read_error(s.source, error);
  return out;
}

Result<const IniDocument*> full_document(State& s) {
  if (!s.full && !s.full_error) {
    auto text = read_all(s);
    if (!text) return text.error();
    auto doc = IniDocument::parse(*text, s.source);
    if (doc) {
      s.full = std::make_unique<IniDocument>(std::move(*doc));
    } else {
      s.full_error = doc.error();
    }
  }
  if (s.full_error) return *s.full_error;
  return s.full.get();
}

// Parses a chunk that the scan (or a kept index) says holds more than its column-0 header's section, and
// indexes those sections as extras. False when it does not read as expected: the whole file must be parsed
// instead.
Result<bool> parse_now(State& s, IniIndex::Keep keep, uint32_t chunk) {
  auto bytes = read_chunk(s, chunk);
  if (!bytes) return bytes.error();
  if (!*bytes) return false;
  auto doc = IniDocument::parse(**bytes, s.source);
  if (!doc) return false;
  const auto& sections = doc->sections();
  size_t first = 0;
  if (chunk > 0) {
    if (sections.empty() || hash_of(s.seed, sections[0].name) != s.chunks[chunk].hash) return false;
    first = 1;
  }
  if (sections.size() >= k_id_mask - s.extras.size()) return false;
  if (sections.empty()) return true;  // nothing to look up in it
  auto kept = std::make_unique<IniDocument>(std::move(*doc));
  for (size_t i = first; i < kept->sections().size(); ++i) {
    const std::string& name = kept->sections()[i].name;
    const Position position{chunk, static_cast<uint32_t>(i)};
    s.extras.push_back(State::Extra{name, position, hash_of(s.seed, name)});
    if (keep && keep(name)) s.kept.emplace_back(position, name);
  }
  s.parsed.emplace(chunk, std::move(kept));
  return true;
}

// Finds the chunks in windows of whole lines, in file order.
class Scanner {
 public:
  Scanner(State& s, IniIndex::Keep keep) : m_s(s), m_keep(keep) { m_s.chunks.assign(1, State::Chunk{}); }

  // `text` holds whole lines (or the end of the file) and starts at `offset` in it. False when the whole file
  // must be parsed instead.
  bool scan(std::string_view text, uint64_t offset) {
    const char* data = text.data();
    if (offset == 0 && !text.empty() && text[0] != '[')
      m_parse_now_current = true;  // before the first header
    size_t next_cr = 0;  // the first "\r" at or after the last place looked from (rare: looked for once)
    bool cr_known = false;
    auto line_end = [&](size_t from) {
      const void* newline = std::memchr(data + from, '\n', text.size() - from);
      const size_t end =
          newline ? static_cast<size_t>(static_cast<const char*>(newline) - data) : text.size();
      if (!cr_known || next_cr < from) {
        const void* cr = std::memchr(data + from, '\r', text.size() - from);
        next_cr = cr ? static_cast<size_t>(static_cast<const char*>(cr) - data) : text.size();
        cr_known = true;
      }
      return std::min(end, next_cr);
    };
    size_t pos = 0;
    while (pos < text.size()) {
      const void* hit = std::memchr(data + pos, '[', text.size() - pos);
      if (!hit) break;
      const size_t at = static_cast<size_t>(static_cast<const char*>(hit) - data);
      if (at == 0 || data[at - 1] == '\n' || data[at - 1] == '\r') {
        // Column 0 (a window starts a line): a header, whatever the lines before it were.
        size_t close = 0;
        if (plain_header(text, at, close)) {
          const std::string_view name = text.substr(at + 1, close - at - 1);
          if (!add_chunk(offset + at, hash_of(m_s.seed, name), name)) return false;
          pos = close + 1;  // the end of its line
          continue;
        }
        const size_t end = line_end(at);
        if (!header(text.substr(at, end - at), offset + at)) return false;
        pos = end;  // a later '[' on this line does not start it
      } else {
        // '[' after whitespace is a header or a line of a value, depending on the indentation of the key
        // before it: only a parse can tell, so this chunk is parsed in the scan.
        const size_t end = line_end(at);
        size_t start = at;
        while (start > 0 && data[start - 1] != '\n' && data[start - 1] != '\r') --start;
        if (ini_indent_bytes(text.substr(start, end - start)) == at - start) m_parse_now_current = true;
        pos = end;
      }
    }
    return true;
  }

  // After the last window: parses the chunks that must be parsed now and indexes every name. False when the
  // whole file must be parsed instead.
  Result<bool> finish() {
    close_chunk();
    for (uint32_t chunk : m_s.parse_now) {
      auto parsed = parse_now(m_s, m_keep, chunk);
      if (!parsed || !*parsed) return parsed;
    }
    std::sort(m_s.kept.begin(), m_s.kept.end());
    return index_names(m_s);
  }

  // Puts every name in the hash table. False at a duplicate section.
  static Result<bool> index_names(State& s) {
    // At most three quarters full: few probes, and few pages to touch.
    const size_t count = s.chunks.size() - 1 + s.extras.size();
    size_t capacity = 16;
    while (capacity < count + count / 3) capacity *= 2;
    if (s.chunks.size() + s.extras.size() > k_id_mask) return false;  // beyond what the index holds
    s.slots.assign(capacity, 0);
    const size_t mask = capacity - 1;
    auto name_of_id = [&](uint32_t id) -> Result<std::string> {
      if (id >= s.chunks.size()) return std::string(s.extras[id - s.chunks.size()].name);
      return header_at(s, s.chunks[id].begin);
    };
    auto insert = [&](uint32_t id) -> Result<bool> {
      const uint32_t hash = hash_of_id(s, id);
      size_t slot = hash & mask;
      for (; s.slots[slot]; slot = (slot + 1) & mask) {
        const uint32_t other = s.slots[slot] & k_id_mask;
        if (tag_of(s.slots[slot]) != tag_of(hash) || hash_of_id(s, other) != hash) continue;
        // The same hash: the names decide, read back from the file for column-0 headers (rare).
        auto mine = name_of_id(id);
        if (!mine) return mine.error();
        auto theirs = name_of_id(other);
        if (!theirs) return theirs.error();
        if (*mine == *theirs) return false;
      }
      s.slots[slot] = tag_of(hash) | id;
      return true;
    };
    const auto ids = static_cast<uint32_t>(s.chunks.size() + s.extras.size());
    for (uint32_t id = 1; id < ids; ++id) {
      auto inserted = insert(id);
      if (!inserted || !*inserted) return inserted;
    }
    return true;
  }

 private:
  void close_chunk() {
    if (m_parse_now_current) m_s.parse_now.push_back(static_cast<uint32_t>(m_s.chunks.size() - 1));
    m_parse_now_current = false;
  }

  // A column-0 header line that is not plain "[name]" (plain_header() took those).
  bool header(std::string_view line, uint64_t offset) {
    auto name = ini_header_name(line);
    if (!name) return false;  // parse() refuses it: the whole parse says why
    return add_chunk(offset, hash_of(m_s.seed, *name), *name);
  }

  bool add_chunk(uint64_t offset, uint32_t hash, std::string_view name) {
    if (m_parse_now_current) close_chunk();
    if (offset > UINT32_MAX || m_s.chunks.size() >= k_id_mask) return false;  // beyond what the index holds
    const auto chunk = static_cast<uint32_t>(m_s.chunks.size());
    m_s.chunks.push_back(State::Chunk{static_cast<uint32_t>(offset), hash});
    if (m_keep && m_keep(name)) m_s.kept.emplace_back(Position{chunk, 0}, std::string(name));
    return true;
  }

  State& m_s;
  IniIndex::Keep m_keep;
  bool m_parse_now_current = false;
};

// Streams the open file through a window of whole lines. False when the whole file must be parsed instead.
Result<bool> scan_file(State& s, Scanner& scanner) {
  // Room for the chunks up front (a section takes a few dozen bytes): growing the vector would touch fresh
  // pages at every step, and a fresh page costs more than the bytes in it. Untouched room costs nothing.
  s.chunks.reserve(std::min<uint64_t>(static_cast<uint64_t>(s.scanned.st_size) / 16, uint64_t{1} << 20) + 1);
  // A small file in one read, into a buffer no bigger than it needs: a 64 KiB one would take fresh pages.
  size_t capacity = static_cast<size_t>(
      std::clamp<uint64_t>(static_cast<uint64_t>(s.scanned.st_size) + 1, 256, uint64_t{k_window}));
  auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
  size_t filled = 0;
  uint64_t offset = 0;
  while (true) {
    if (filled == capacity) {  // a line longer than the window
      auto bigger = std::make_unique_for_overwrite<char[]>(capacity * 2);
      std::memcpy(bigger.get(), buffer.get(), filled);
      buffer = std::move(bigger);
      capacity *= 2;
    }
    ssize_t n = ::read(s.fd, buffer.get() + filled, capacity - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return read_error(s.source, errno);
    const bool at_end = n == 0;
    filled += static_cast<size_t>(n);
    size_t whole_lines = filled;
    if (!at_end) {
      whole_lines = 0;
      for (size_t i = filled; i > 0; --i) {
        if (buffer[i - 1] == '\n' || buffer[i - 1] == '\r') {
          whole_lines = i;
          break;
        }
      }
      if (whole_lines == 0) continue;
    }
    if (!scanner.scan(std::string_view(buffer.get(), whole_lines), offset)) return false;
    std::memmove(buffer.get(), buffer.get() + whole_lines, filled - whole_lines);
    filled -= whole_lines;
    offset += whole_lines;
    if (at_end) break;
  }
  s.size = offset;
  return true;
}

// Back to an index of nothing, as before a scan.
void forget_index(State& s) {
  s.chunks.assign(1, State::Chunk{});
  s.extras.clear();
  s.slots.clear();
  s.kept.clear();
  s.parse_now.clear();
  s.parsed.clear();
  s.failed.clear();
  s.seed = process_seed();
  s.stored = false;
}

// Takes a kept index (decoded) for the file of `s`, nothing of which is read but the chunks to parse now.
// False, with nothing taken, when it does not fit: --debug says why. Its big tables are not checked entry by
// entry (that would cost about what the scan does): their checksum stands for what they mean, and every use
// of an entry is bounded (find(), read_chunk(), names()), so that a table that passed it and yet is wrong
// costs a lookup its answer or a whole parse, never memory safety nor a section the file does not have.
bool adopt(State& s, Result<StoredIndex> stored, IniIndex::Keep keep) {
  auto refuse = [&](std::string_view why) {
    log_debug(s.source + ": " + std::string(why));
    forget_index(s);
    return false;
  };
  if (!stored) return refuse(stored.error().message);
  if (stored->file.size != s.size) return refuse("stored config index not used: another size");
  if (hash_of(stored->seed, k_hash_check) != stored->check) {
    return refuse("stored config index not used: another name hash");
  }
  if (stored->chunks.size() + uint64_t{stored->extras} >= k_id_mask) {
    return refuse("stored config index not used: too many sections");
  }
  s.seed = stored->seed;
  s.chunks = std::move(stored->chunks);
  s.slots = std::move(stored->slots);
  s.parse_now = std::move(stored->parse_now);
  for (auto& [chunk, name] : stored->kept) s.kept.emplace_back(Position{chunk, 0}, std::move(name));
  for (uint32_t chunk : s.parse_now) {
    auto parsed = parse_now(s, keep, chunk);
    if (!parsed) return refuse(parsed.error().message);
    if (!*parsed) return refuse("stored config index not used: a section to parse does not read as stored");
  }
  if (s.extras.size() != stored->extras) return refuse("stored config index not used: other sections");
  std::sort(s.kept.begin(), s.kept.end());
  s.stored = true;
  return true;
}

int64_t nanoseconds_of(int64_t seconds, int64_t nanoseconds) {
  return seconds * 1'000'000'000 + nanoseconds;
}

}  // namespace

IniIndex::IniIndex() : m_state(std::make_shared<State>()) {
  m_state->chunks.assign(1, State::Chunk{});
}
IniIndex::IniIndex(std::shared_ptr<State> state) : m_state(std::move(state)) {}

Result<IniIndex> IniIndex::load(const std::string& path, Parse parse, Keep keep, const Persist* persist) {
  auto state = std::make_shared<State>();
  state->source = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) return build(std::move(state), parse, keep);  // empty
  struct stat info {};
  if (fd >= 0 && ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && parse == Parse::lazily) {
    state->fd = fd;
    state->scanned = info;
    if (persist && static_cast<uint64_t>(info.st_size) >= persist->min_size) {
      return build_persisted(std::move(state), keep, *persist);
    }
    if (static_cast<uint64_t>(info.st_size) > k_snapshot) return build(std::move(state), parse, keep);
    // A small file is read whole, once: its sections are then a snapshot, with no read per section.
    state->size = static_cast<uint64_t>(info.st_size);  // read_all's first guess; build() counts again
    auto text = read_all(*state);
    if (!text) return text.error();  // State's destructor closes fd
    ::close(fd);
    state->fd = -1;
    state->text = std::move(*text);
    return build(std::move(state), parse, keep);
  }
  // A pipe, a file to parse whole, or a failure (util/fs words the error): the bytes in memory.
  if (fd >= 0) ::close(fd);
  auto text = read_file(path);
  if (!text) return text.error();
  if (*text) state->text = std::move(**text);
  return build(std::move(state), parse, keep);
}

Result<IniIndex> IniIndex::from_text(std::string_view text, std::string source, Parse parse, Keep keep) {
  auto state = std::make_shared<State>();
  state->source = std::move(source);
  state->text = std::string(text);
  return build(std::move(state), parse, keep);
}

Result<IniIndex> IniIndex::build(std::shared_ptr<State> state, Parse parse, Keep keep) {
  State& s = *state;
  if (parse == Parse::lazily) {
    Scanner scanner(s, keep);
    Result<bool> scanned = true;
    if (s.fd >= 0) {
      scanned = scan_file(s, scanner);  // load() took s.scanned
    } else {
      s.size = s.text.size();
      scanned = scanner.scan(s.text, 0);
    }
    if (scanned && *scanned) scanned = scanner.finish();
    if (!scanned) return scanned.error();
    if (*scanned) return IniIndex(std::move(state));
  }
  // Parse::fully, or the scan stopped at an error of the file: the whole file, as IniDocument reads it.
  s.chunks.assign(1, State::Chunk{});
  s.extras.clear();
  s.kept.clear();
  s.parsed.clear();
  auto whole = full_document(s);
  if (!whole) return whole.error();
  // The scan stops only at errors of the file, which the whole parse finds too.
  s.disagreed = parse == Parse::lazily;
  s.whole = true;
  if ((*whole)->sections().size() >= k_id_mask) return make_error(s.source + ": too many sections");
  for (size_t i = 0; i < (*whole)->sections().size(); ++i) {
    const std::string& name = (*whole)->sections()[i].name;
    const Position position{0, static_cast<uint32_t>(i)};
    s.extras.push_back(State::Extra{name, position, hash_of(s.seed, name)});
    if (keep && keep(name)) s.kept.emplace_back(position, name);
  }
  auto indexed = Scanner::index_names(s);  // no duplicates: the document parsed
  if (!indexed) return indexed.error();
  if (s.fd >= 0) ::close(s.fd);  // the document holds every byte it needs
  s.fd = -1;
  s.text.clear();
  s.text.shrink_to_fit();
  return IniIndex(std::move(state));
}

Result<IniIndex> IniIndex::build_persisted(std::shared_ptr<State> state, Keep keep, const Persist& persist) {
  State& s = *state;
  const std::string key = index_key(s.source, persist.keep_name);
  const std::string path = index_cache_file(persist.directory, s.source);
  const FileStamp stamp = FileStamp::of(s.scanned);
  s.size = stamp.size;
  auto stored = read_index_cache(path, key, stamp);
  if (!stored) {
    log_debug(s.source + ": " + stored.error().message);
  } else if (!*stored) {
    log_debug(s.source + ": no stored config index");
  } else if (adopt(s, std::move(**stored), keep)) {
    return IniIndex(std::move(state));
  }

  timespec started{};
  ::clock_gettime(CLOCK_REALTIME, &started);
  auto built = build(state, Parse::lazily, keep);
  if (!built || s.whole) return built;  // an error of the file: nothing to keep
  // The file as it was before the scan and still is after it, and last changed long enough before the scan
  // that a later change cannot leave the same stamp.
  struct stat after {};
  if (::fstat(s.fd, &after) != 0 || !(FileStamp::of(after) == stamp) || s.size != stamp.size) {
    log_debug(s.source + ": changed while scanned: its index is not kept");
    return built;
  }
  if (nanoseconds_of(started.tv_sec, started.tv_nsec) - nanoseconds_of(stamp.ctime_sec, stamp.ctime_nsec) <
      persist.settle.count()) {
    log_debug(s.source + ": changed moments ago: its index is not kept yet");
    return built;
  }
  if (auto bytes = built->stored_form(key, stamp)) {
    auto written = write_index_cache(path, *bytes);
    if (!written) log_debug(written.error().message);
  }
  return built;
}

std::optional<IniIndex> IniIndex::from_stored(std::string_view text, std::string source,
                                              std::string_view stored, std::string_view key,
                                              const FileStamp& file, Keep keep) {
  auto state = std::make_shared<State>();
  state->source = std::move(source);
  state->text = std::string(text);
  state->size = text.size();
  if (!adopt(*state, decode_index(stored, key, file), keep)) return std::nullopt;
  return IniIndex(std::move(state));
}

std::optional<std::string> IniIndex::stored_form(std::string_view key, const FileStamp& file) const {
  const State& s = *m_state;  // what is stored does not change after the scan: no lock
  if (s.whole) return std::nullopt;
  StoredIndex stored;
  stored.file = file;
  stored.seed = s.seed;
  stored.check = hash_of(s.seed, k_hash_check);
  stored.chunks = s.chunks;
  stored.slots = s.slots;
  stored.parse_now = s.parse_now;
  stored.extras = static_cast<uint32_t>(s.extras.size());
  // The column-0 headers' answers; those of the chunks parsed when loading come again from parsing them.
  for (const auto& [position, name] : s.kept) {
    if (position.chunk > 0 && position.index == 0) stored.kept.emplace_back(position.chunk, name);
  }
  return encode_index(stored, key);
}

bool IniIndex::from_stored_index() const {
  return m_state->stored;
}

const std::string& IniIndex::source() const {
  return m_state->source;
}

size_t IniIndex::size() const {
  return m_state->chunks.size() - 1 + m_state->extras.size();
}

const std::vector<std::pair<IniIndex::Position, std::string>>& IniIndex::kept() const {
  return m_state->kept;
}

Result<std::optional<IniIndex::Position>> IniIndex::find(std::string_view name) const {
  State& s = *m_state;
  if (s.slots.empty()) return std::optional<Position>();
  const uint32_t hash = hash_of(s.seed, name);
  const size_t mask = s.slots.size() - 1;
  const size_t ids = s.chunks.size() + s.extras.size();
  bool mismatched = false;
  // Each slot once at most, and ids checked: a kept table is not checked entry by entry when loaded
  // (adopt()).
  for (size_t slot = hash & mask, probes = 0; probes < s.slots.size(); slot = (slot + 1) & mask, ++probes) {
    uint32_t value = s.slots[slot];
    if (value == 0) break;
    if (tag_of(value) != tag_of(hash)) continue;
    value &= k_id_mask;
    if (value == 0 || value >= ids) continue;
    if (value >= s.chunks.size()) {
      const State::Extra& extra = s.extras[value - s.chunks.size()];
      if (extra.hash == hash && extra.name == name) return std::optional<Position>(extra.position);
    } else if (s.chunks[value].hash == hash) {
      const Position position{value, 0};
      {
        // A chunk already parsed knows its name: no need to read the file again.
        std::lock_guard<std::mutex> lock(s.mutex);
        if (auto parsed = s.parsed.find(value); parsed != s.parsed.end()) {
          if (parsed->second->sections()[0].name == name) return std::optional<Position>(position);
          continue;
        }
      }
      // Confirmed by reading the header back: "[name]" at its start can only be this name (a header's name
      // holds no ']', and the scan took only headers that end at their first ']'), and at the start of a line
      // it is a header (what a kept index says is checked as the scan's own findings are).
      const uint64_t begin = s.chunks[value].begin;
      const uint64_t from = begin > 0 ? begin - 1 : 0;
      auto read = read_at(s, from, begin - from + name.size() + 2);
      if (!read) return read.error();
      std::string_view head = *read;
      if (begin > from && !head.empty() && ends_line(head.front())) head.remove_prefix(1);
      if (head.size() == name.size() + 2 && head.front() == '[' && head.back() == ']' &&
          head.substr(1, name.size()) == name) {
        return std::optional<Position>(position);
      }
      mismatched = true;
    }
  }
  // A hash that matched a header with another name: two names with one hash, or the file changed since.
  if (mismatched && changed(s)) return changed_error(s);
  return std::optional<Position>();
}

Result<const IniSection*> IniIndex::section(std::string_view name) const {
  auto found = find(name);
  if (!found) return found.error();
  if (!*found) return static_cast<const IniSection*>(nullptr);
  return section_at(**found, name);
}

Result<const IniSection*> IniIndex::section_at(Position position, std::string_view name) const {
  State& s = *m_state;
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.whole) return &s.full->sections()[position.index];
  if (auto failed = s.failed.find(position.chunk); failed != s.failed.end()) return failed->second;
  if (auto parsed = s.parsed.find(position.chunk); parsed != s.parsed.end()) {
    const auto& sections = parsed->second->sections();
    if (position.index < sections.size() && sections[position.index].name == name) {
      return &sections[position.index];
    }
  } else {
    const uint64_t begin = s.chunks[position.chunk].begin;
    auto bytes = read_chunk(s, position.chunk);
    if (!bytes) return bytes.error();
    if (*bytes) {
      const std::string_view chunk = **bytes;
      auto doc = IniDocument::parse(chunk, s.source);
      if (!doc) {
        // Parsed again knowing its first line, so that the error names a line of the file: counting lines
        // reads the file up to the chunk, which only an error pays for.
        auto before = read_at(s, 0, begin);
        if (!before) return before.error();
        auto again = IniDocument::parse(chunk, s.source, count_lines(*before));
        Error error = again ? doc.error() : again.error();
        s.failed.emplace(position.chunk, error);
        return error;
      }
      // A chunk parsed here holds its column-0 header's section alone (others were parsed in the scan).
      if (doc->sections().size() == 1 && doc->sections()[0].name == name) {
        auto& kept =
            s.parsed.emplace(position.chunk, std::make_unique<IniDocument>(std::move(*doc))).first->second;
        return &kept->sections()[0];
      }
    }
  }
  // The chunk does not read as the scan saw it: the file changed since, or else a bug, for which the whole
  // file answers.
  if (changed(s)) return changed_error(s);
  s.disagreed = true;
  auto whole = full_document(s);
  if (!whole) return whole.error();
  return (*whole)->find(name);
}

Result<std::vector<std::string>> IniIndex::names() const {
  State& s = *m_state;
  std::lock_guard<std::mutex> lock(s.mutex);
  std::vector<std::string> names;
  auto from_document = [&](const IniDocument& doc) {
    names.clear();
    for (const IniSection& section : doc.sections()) names.push_back(section.name);
  };
  if (s.whole) {
    from_document(*s.full);
    return names;
  }
  auto text = read_at(s, 0, s.size);
  if (!text) return text.error();
  names.reserve(size());
  bool intact = text->size() == s.size;
  for (uint32_t chunk = 0; chunk < s.chunks.size() && intact; ++chunk) {
    if (chunk > 0) {
      const uint64_t begin = s.chunks[chunk].begin;
      // In order, inside the file and at the start of a line: the scan's chunks are, a kept index's should
      // be.
      intact = begin < text->size() && (chunk == 1 || begin > s.chunks[chunk - 1].begin) &&
               (begin == 0 || ends_line((*text)[begin - 1]));
      if (!intact) break;
      const size_t end = find_either(*text, '\r', '\n', begin);
      auto name = ini_header_name(std::string_view(*text).substr(begin, end - begin));
      intact = name && hash_of(s.seed, *name) == s.chunks[chunk].hash;
      if (intact) names.emplace_back(*name);
    }
    if (auto parsed = s.parsed.find(chunk); parsed != s.parsed.end()) {
      const auto& sections = parsed->second->sections();
      for (size_t i = chunk > 0 ? 1 : 0; i < sections.size(); ++i) names.push_back(sections[i].name);
    }
  }
  if (intact) return names;
  if (changed(s)) return changed_error(s);
  s.disagreed = true;
  auto whole = full_document(s);
  if (!whole) return whole.error();
  from_document(**whole);
  return names;
}

Result<const IniDocument*> IniIndex::document() const {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  return full_document(*m_state);
}

size_t IniIndex::parsed_chunks() const {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  return m_state->parsed.size() + m_state->failed.size();
}

bool IniIndex::disagreed() const {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  return m_state->disagreed;
}

}  // namespace kura
