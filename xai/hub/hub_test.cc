// Unit tests of the hub module against closed forms: published SHA-1 test
// vectors, tensorflow_hub's formats (resolver.py, tf_utils.py), POSIX facts.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>

#include "xai/hub/cache_admin.h"
#include "xai/hub/download.h"
#include "xai/hub/extract.h"
#include "xai/hub/fs.h"
#include "xai/hub/hash.h"
#include "xai/hub/layout.h"
#include "xai/hub/lock.h"
#include "xai/hub/resolver.h"

namespace xai::hub {
namespace {

std::string TempDir() {
  std::string tmpl = testing::TempDir() + "/hub_test_XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  return ::mkdtemp(buf.data());
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

long DeadPid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

TEST(Hash, Sha1MatchesPublishedVectorsAndTheReference) {
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");  // FIPS 180 example
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("https://tfhub.dev/google/nnlm-en-dim128/2"), "29abffb443cb0a0ca9c72e8e3863b76d85028490");
}

TEST(Hash, FileSha256) {
  std::string dir = TempDir();
  WriteFile(dir + "/f", "abc");
  EXPECT_EQ(*FileSha256Hex(dir + "/f"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(absl::IsNotFound(FileSha256Hex(dir + "/missing").status()));
}

TEST(Layout, EntryPathsFollowTensorflowHub) {
  EntryPaths e = EntryFor("/c", "abc");
  EXPECT_EQ(e.dir, "/c/a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(e.lock, e.dir + ".lock");
  EXPECT_EQ(e.descriptor, e.dir + ".descriptor.txt");
  EXPECT_EQ(e.Staging("00ff"), e.dir + ".00ff.tmp");
}

TEST(Layout, CacheRootFromEnvironment) {
  std::string dir = TempDir();
  ::setenv("TFHUB_CACHE_DIR", dir.c_str(), 1);
  EXPECT_EQ(CacheRoot(""), dir);
  EXPECT_EQ(CacheRoot("/x"), "/x");
  ::setenv("TFHUB_CACHE_DIR", "", 1);  // empty = unset, as in tensorflow_hub
  ::setenv("TMPDIR", dir.c_str(), 1);
  EXPECT_EQ(CacheRoot(""), dir + "/tfhub_modules");
  ::setenv("TMPDIR", "/nonexistent-dir", 1);
  ::unsetenv("TEMP");
  ::unsetenv("TMP");
  EXPECT_EQ(CacheRoot(""), "/tmp/tfhub_modules");
  ::unsetenv("TMPDIR");
  ::unsetenv("TFHUB_CACHE_DIR");
}

TEST(Layout, LockContents) {
  std::string uid = NewTaskUid();
  EXPECT_TRUE(std::regex_match(uid, std::regex("[0-9a-f]{32}")));
  EXPECT_NE(uid, NewTaskUid());
  EXPECT_EQ(LockContents(uid), HostName() + "." + std::to_string(::getpid()) + "." + uid);
  LockOwner owner = ParseLockContents("node.example.org.4242.0123456789abcdef0123456789abcdef");
  EXPECT_EQ(owner.host, "node.example.org");
  EXPECT_EQ(owner.pid, 4242);
  EXPECT_EQ(owner.uid, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(ParseLockContents("garbage").pid, -1);
  EXPECT_EQ(ParseLockContents("garbage").uid, "garbage");
}

TEST(Layout, OwnerLiveness) {
  EXPECT_FALSE(OwnerIsDeadHere(ParseLockContents(LockContents("ab"))));
  EXPECT_TRUE(OwnerIsDeadHere({HostName(), DeadPid(), "ab"}));
  EXPECT_FALSE(OwnerIsDeadHere({"other-host", DeadPid(), "ab"}));
}

TEST(Layout, DescriptorHasPythonsFormat) {
  std::string text = DescriptorText("http://h/m.tar.gz");
  std::regex shape("Module: http://h/m\\.tar\\.gz\nDownload Time: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?\n"
                   "Downloader Hostname: .+ \\(PID:\\d+\\)");
  EXPECT_TRUE(std::regex_match(text, shape)) << text;
  EXPECT_EQ(DescriptorHandle(text), "http://h/m.tar.gz");
}

TEST(Layout, ReadableSizeAsTensorflowHub) {
  EXPECT_EQ(ReadableSize(512), "512B");
  EXPECT_EQ(ReadableSize(1536), "1.50kB");
  EXPECT_EQ(ReadableSize(3 * 1048576 + 524288), "3.50MB");
  EXPECT_EQ(ReadableSize(1ull << 30), "1.00GB");
}

TEST(Resolver, Handles) {
  EXPECT_EQ(ClassifyHandle("/a/b"), HandleKind::kPath);
  EXPECT_EQ(ClassifyHandle("rel/dir"), HandleKind::kPath);
  EXPECT_EQ(ClassifyHandle("file:///a"), HandleKind::kFileUrl);
  EXPECT_EQ(ClassifyHandle("https://x/y.tar.gz"), HandleKind::kHttp);
  EXPECT_EQ(ClassifyHandle("gs://b/m"), HandleKind::kUnsupported);
  EXPECT_EQ(*FileUrlPath("file:///a/b%20c"), "/a/b c");
  EXPECT_EQ(*FileUrlPath("file://localhost/a"), "/a");
  EXPECT_TRUE(absl::IsInvalidArgument(FileUrlPath("file://host/a").status()));
  StatusOr<std::string> gs = ResolveHandle("gs://b/m", HubOptions());
  EXPECT_TRUE(absl::IsInvalidArgument(gs.status()));
  EXPECT_NE(gs.status().message().find("gs://b/m"), std::string::npos);
}

TEST(Resolver, DownloadUrlAddsTheFormatQuery) {
  EXPECT_EQ(DownloadUrl("http://h/m.tar.gz"), "http://h/m.tar.gz?tf-hub-format=compressed");
  EXPECT_EQ(DownloadUrl("http://h/m?v=1#f"), "http://h/m?v=1&tf-hub-format=compressed");
  EXPECT_EQ(DownloadUrl("https://hub.tensorflow.google.cn/google/x/1"),
            "https://gcs.tensorflow.google.cn/tfhub-modules/google/x/1.tar.gz");
}

TEST(Download, Helpers) {
  EXPECT_EQ(ContentRangeStart("bytes 100-199/200"), 100);
  EXPECT_EQ(ContentRangeStart("bytes */200"), -1);
  for (long s : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(IsTransientHttpStatus(s)) << s;
  for (long s : {200, 400, 403, 404, 501}) EXPECT_FALSE(IsTransientHttpStatus(s)) << s;
}

TEST(Extract, SafeRelativePath) {
  EXPECT_EQ(*SafeRelativePath("./a//b/./c"), "a/b/c");
  EXPECT_EQ(*SafeRelativePath("./"), "");
  EXPECT_TRUE(absl::IsInvalidArgument(SafeRelativePath("/etc/passwd").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(SafeRelativePath("a/../../b").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(SafeRelativePath("..").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(SafeRelativePath("").status()));
  EXPECT_EQ(*SafeRelativePath("a/..b"), "a/..b");
}

// Writes a gzip'ed pax tar with the given entries (type, name, link target, data).
struct Member {
  mode_t type;
  std::string name, target, data;
};
void MakeArchive(const std::string& path, const std::vector<Member>& members) {
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_gzip(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const Member& m : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.name.c_str());
    archive_entry_set_filetype(e, m.type == 0 ? AE_IFREG : m.type);
    archive_entry_set_perm(e, 0644);
    if (m.type == AE_IFLNK) archive_entry_set_symlink(e, m.target.c_str());
    if (m.type == 0) archive_entry_set_hardlink(e, m.target.c_str());  // 0 = hard link
    if (m.type == AE_IFREG) archive_entry_set_size(e, m.data.size());
    archive_write_header(a, e);
    if (m.type == AE_IFREG) archive_write_data(a, m.data.data(), m.data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

TEST(Extract, WritesFilesAndDirectories) {
  std::string dir = TempDir();
  MakeArchive(dir + "/a.tgz", {{AE_IFDIR, "./", "", ""}, {AE_IFDIR, "./variables", "", ""},
                               {AE_IFREG, "./saved_model.pb", "", "pb"}, {AE_IFREG, "./variables/v", "", "vv"}});
  ASSERT_TRUE(MakeDirs(dir + "/out").ok());
  ASSERT_TRUE(ExtractModelArchive(dir + "/a.tgz", dir + "/out", 1000, "h").ok());
  EXPECT_EQ(*ReadSmallFile(dir + "/out/saved_model.pb"), "pb");
  EXPECT_EQ(*ReadSmallFile(dir + "/out/variables/v"), "vv");
  ASSERT_TRUE(MakeDirs(dir + "/out2").ok());
  Status limited = ExtractModelArchive(dir + "/a.tgz", dir + "/out2", 3, "h");
  EXPECT_TRUE(absl::IsInvalidArgument(limited)) << limited;
  EXPECT_NE(limited.message().find("limit of 3 bytes"), std::string::npos) << limited;
}

TEST(Extract, RejectsLinksAndDevices) {
  std::string dir = TempDir();
  struct Case {
    Member m;
    std::string expect;
  } cases[] = {{{AE_IFLNK, "l", "/etc", ""}, "is a symbolic link to '/etc'"},
               {{0, "h", "saved_model.pb", ""}, "is a hard link"},
               {{AE_IFCHR, "d", "", ""}, "is a character device"},
               {{AE_IFIFO, "p", "", ""}, "is a FIFO"},
               {{AE_IFREG, "../x", "", "x"}, "contains '..'"},
               {{AE_IFREG, "/abs", "", "x"}, "has an absolute path"}};
  int i = 0;
  for (const Case& c : cases) {
    std::string archive = dir + "/" + std::to_string(i) + ".tgz", out = dir + "/o" + std::to_string(i++);
    MakeArchive(archive, {{AE_IFREG, "saved_model.pb", "", "pb"}, c.m});
    ASSERT_TRUE(MakeDirs(out).ok());
    Status s = ExtractModelArchive(archive, out, 1000, "the-handle");
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s;
    EXPECT_EQ(s.message().rfind("'the-handle' does not appear to be a valid module", 0), 0u) << s;
  }
}

TEST(Extract, RejectsNonTar) {
  std::string dir = TempDir();
  WriteFile(dir + "/page.html", "<html>not a model</html>");
  ASSERT_TRUE(MakeDirs(dir + "/out").ok());
  Status s = ExtractModelArchive(dir + "/page.html", dir + "/out", 1000, "h");
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
}

TEST(Fs, CreateFileNoReplace) {
  std::string dir = TempDir();
  ASSERT_TRUE(CreateFileNoReplace(dir + "/lock", "one", ".tmpA").ok());
  EXPECT_TRUE(absl::IsAlreadyExists(CreateFileNoReplace(dir + "/lock", "two", ".tmpB")));
  EXPECT_EQ(*ReadSmallFile(dir + "/lock"), "one");
  EXPECT_EQ(ListDirectory(dir)->size(), 1u);  // no temporary file left
}

TEST(Lock, AcquireReleaseAndTakeOver) {
  std::string root = TempDir();
  EntryPaths e = EntryFor(root, "h");
  HubOptions o;
  o.lock_timeout_s = 0.3;
  {
    auto lock = EntryLock::Acquire(e, o);
    ASSERT_TRUE(lock.ok() && *lock != nullptr);
    EXPECT_EQ(*ReadSmallFile(e.lock), LockContents((*lock)->uid()));
  }
  EXPECT_FALSE(PathExists(e.lock));  // released
  // A dead process on this host: taken over at once.
  WriteFile(e.lock, HostName() + "." + std::to_string(DeadPid()) + ".0123456789abcdef0123456789abcdef");
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(EntryLock::Acquire(e, o).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  // Another host's lock with no progress: taken over after lock_timeout_s.
  WriteFile(e.lock, "elsewhere.1.0123456789abcdef0123456789abcdef");
  start = std::chrono::steady_clock::now();
  auto lock = EntryLock::Acquire(e, o);
  ASSERT_TRUE(lock.ok() && *lock != nullptr);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
  // Someone else's lock is not removed when ours is released.
  WriteFile(e.lock, "elsewhere.2.ffff");
  lock->reset();
  EXPECT_EQ(*ReadSmallFile(e.lock), "elsewhere.2.ffff");
}

TEST(Lock, ReturnsNullWhenAnotherProcessPublished) {
  std::string root = TempDir();
  EntryPaths e = EntryFor(root, "h");
  WriteFile(e.lock, "elsewhere.1.ab");
  ASSERT_TRUE(MakeDirs(e.dir).ok());
  WriteFile(e.dir + "/saved_model.pb", "x");
  auto lock = EntryLock::Acquire(e, HubOptions());
  ASSERT_TRUE(lock.ok());
  EXPECT_EQ(*lock, nullptr);
}

TEST(CacheAdmin, GarbageAndRemoval) {
  std::string root = TempDir();
  EntryPaths live = EntryFor(root, "live"), dead = EntryFor(root, "dead"), done = EntryFor(root, "done");
  std::string uid = NewTaskUid();
  WriteFile(live.lock, LockContents(uid));  // this process: alive
  ASSERT_TRUE(MakeDirs(live.Staging(uid)).ok());
  std::string dead_uid = NewTaskUid();
  WriteFile(dead.lock, HostName() + "." + std::to_string(DeadPid()) + "." + dead_uid);
  ASSERT_TRUE(MakeDirs(dead.Staging(dead_uid)).ok());
  ASSERT_TRUE(MakeDirs(done.dir).ok());
  WriteFile(done.dir + "/saved_model.pb", "x");
  WriteFile(done.descriptor, DescriptorText("done"));
  std::string orphan = done.Staging(NewTaskUid());  // no lock, owner dead: abandoned
  ASSERT_TRUE(MakeDirs(orphan).ok());
  WriteFile(StagingOwnerFile(orphan), HostName() + "." + std::to_string(DeadPid()) + ".ab");
  std::string busy = done.Staging(NewTaskUid());  // no lock (taken over), owner alive: kept
  ASSERT_TRUE(MakeDirs(busy).ok());
  WriteFile(StagingOwnerFile(busy), LockContents("cd"));

  auto garbage = CollectGarbage(root, /*dry_run=*/false);
  ASSERT_TRUE(garbage.ok());
  std::set<std::string> removed;
  for (const Garbage& g : *garbage) removed.insert(g.path);
  EXPECT_EQ(removed.size(), 3u);
  EXPECT_TRUE(removed.count(dead.lock) && removed.count(dead.Staging(dead_uid)));
  EXPECT_TRUE(removed.count(orphan));
  EXPECT_TRUE(PathExists(live.lock) && PathExists(live.Staging(uid)) && PathExists(done.dir) && PathExists(busy));

  auto models = ListCache(root);
  ASSERT_TRUE(models.ok());
  ASSERT_EQ(models->size(), 2u);  // "done" and the in-progress "live"
  for (const CachedModel& m : *models) {
    if (m.name == done.name) { EXPECT_TRUE(m.complete && m.handle == "done" && m.bytes == 1); }
    if (m.name == live.name) { EXPECT_TRUE(!m.complete && !m.lock_owner.empty()); }
  }
  EXPECT_TRUE(absl::IsFailedPrecondition(RemoveCached(root, "live").status()));
  EXPECT_EQ(*RemoveCached(root, "done"), done.dir);
  EXPECT_FALSE(PathExists(done.dir) || PathExists(done.descriptor));
  EXPECT_TRUE(absl::IsNotFound(RemoveCached(root, "done").status()));
}

}  // namespace
}  // namespace xai::hub
