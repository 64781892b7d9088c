#include "core/annotations/SidecarFile.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace flowladder::core {

namespace {

std::string errnoText(int e)
{
    return std::strerror(e);
}

const char* typeName(mode_t mode)
{
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "a special file";
}

std::string notRegular(const std::string& path, mode_t mode)
{
    return path + ": is not a regular file (" + typeName(mode) + "); it is not read or written";
}

std::string tooLarge(const std::string& path, uint64_t size)
{
    return path + ": is too large for a notes file (" + std::to_string(size) + " bytes; at most " +
           std::to_string(MaxSidecarBytes >> 20) + " MiB are read); it is not read or written";
}

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd()
    {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

std::string dirOf(const std::string& path)
{
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// The file a save of `path` replaces: `path` itself, or the regular file its symbolic links
// lead to. nullopt (and `error`) when that is not a regular file or does not exist behind a link.
std::optional<std::string> saveTarget(const std::string& path, std::string& error)
{
    struct stat lst {};
    if (::lstat(path.c_str(), &lst) != 0) {
        if (errno == ENOENT) return path; // a new sidecar
        error = path + ": cannot examine: " + errnoText(errno);
        return std::nullopt;
    }
    if (S_ISREG(lst.st_mode)) return path;
    if (!S_ISLNK(lst.st_mode)) {
        error = notRegular(path, lst.st_mode);
        return std::nullopt;
    }
    // A link: write through to the file at its end (realpath resolves every link on the way).
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
    if (!real) {
        error = path + ": is a symbolic link to nothing usable (" + errnoText(errno) + "); it is left as it is";
        return std::nullopt;
    }
    struct stat st {};
    if (::lstat(real.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        error = path + ": is a symbolic link to " + real.get() + ", which is not a regular file; it is left as it is";
        return std::nullopt;
    }
    return std::string(real.get());
}

// This process's umask, without changing it (other threads may be creating files).
mode_t currentUmask()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
    return 022;
}

} // namespace

SidecarState sidecarState(const std::string& path, std::string& why)
{
    struct stat lst {};
    if (::lstat(path.c_str(), &lst) != 0) {
        if (errno == ENOENT) return SidecarState::Missing;
        why = path + ": cannot examine: " + errnoText(errno);
        return SidecarState::Unusable;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        why = path + ": is a symbolic link to nothing usable (" + errnoText(errno) + ")";
        return SidecarState::Unusable;
    }
    if (!S_ISREG(st.st_mode)) {
        why = notRegular(path, st.st_mode);
        return SidecarState::Unusable;
    }
    if (static_cast<uint64_t>(st.st_size) > MaxSidecarBytes) {
        why = tooLarge(path, static_cast<uint64_t>(st.st_size));
        return SidecarState::Unusable;
    }
    return SidecarState::Regular;
}

std::optional<std::string> readSidecarFile(const std::string& path, std::string& error)
{
    // Look before opening: opening a device can have effects of its own (a tape rewinds).
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        error = path + ": cannot open: " + errnoText(errno);
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode)) {
        error = notRegular(path, st.st_mode);
        return std::nullopt;
    }
    // O_NONBLOCK: should it have become a FIFO meanwhile, opening it does not wait for a writer.
    Fd f(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (f.fd < 0) {
        error = path + ": cannot open: " + errnoText(errno);
        return std::nullopt;
    }
    if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        error = notRegular(path, st.st_mode);
        return std::nullopt;
    }
    if (static_cast<uint64_t>(st.st_size) > MaxSidecarBytes) {
        error = tooLarge(path, static_cast<uint64_t>(st.st_size));
        return std::nullopt;
    }
    std::string text;
    text.resize(static_cast<size_t>(st.st_size) + 1);
    size_t done = 0;
    for (;;) {
        if (done == text.size()) {
            if (text.size() > MaxSidecarBytes) { // it grew while being read
                error = tooLarge(path, text.size());
                return std::nullopt;
            }
            text.resize(std::min<size_t>(text.size() * 2 + 4096, MaxSidecarBytes + 1));
        }
        const ssize_t n = ::read(f.fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = path + ": cannot read: " + errnoText(errno);
            return std::nullopt;
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    text.resize(done);
    return text;
}

bool writeSidecarFile(const std::string& path, const std::string& text, std::string& error, int* errnoValue)
{
    int dummy = 0;
    int& err = errnoValue ? *errnoValue : dummy;
    err = 0;
    const auto target = saveTarget(path, error);
    if (!target) return false;
    const std::string shown = *target == path ? path : path + " (" + *target + ")";
    // Keep what the file had: permission bits and owner. A new file: 0666 less the umask.
    struct stat old {};
    const bool existed = ::stat(target->c_str(), &old) == 0;
    const mode_t mode = existed ? (old.st_mode & 07777) : (0666 & ~currentUmask());
    // A name nobody can have planted: mkstemp creates it with O_EXCL (a link there makes it fail).
    std::string tmp = *target + ".tmp-XXXXXX";
    Fd f(::mkostemp(tmp.data(), O_CLOEXEC));
    if (f.fd < 0) {
        err = errno;
        error = shown + ": cannot create a temporary file in " + dirOf(*target) + ": " + errnoText(err);
        return false;
    }
    auto fail = [&](const std::string& what) {
        err = errno;
        error = shown + ": " + what + ": " + errnoText(err);
        ::unlink(tmp.c_str());
        return false;
    };
    if (existed && (old.st_uid != ::geteuid() || old.st_gid != ::getegid()))
        (void)::fchown(f.fd, old.st_uid, old.st_gid); // best effort: only root may give files away
    if (::fchmod(f.fd, mode) != 0) return fail("cannot set the permissions of " + tmp);
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(f.fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail("cannot write " + tmp);
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(f.fd) != 0) return fail("cannot flush " + tmp + " to disk");
    const int fd = f.fd;
    f.fd = -1;
    if (::close(fd) != 0) return fail("cannot write " + tmp);
    if (::rename(tmp.c_str(), target->c_str()) != 0) return fail("cannot replace");
    // The rename is durable once the folder is flushed too.
    Fd dir(::open(dirOf(*target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.fd >= 0) (void)::fsync(dir.fd);
    return true;
}

} // namespace flowladder::core
