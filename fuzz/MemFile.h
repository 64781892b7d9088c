#pragma once
// An anonymous in-memory file (memfd) that the fuzz targets refill with each input and open by
// its /proc/self/fd path, so libpcap and the built-in readers read it exactly as a file on disk.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace flowladder::fuzz {

class MemFile {
public:
    MemFile()
    {
        fd_ = memfd_create("flowladder-fuzz", 0);
        if (fd_ < 0) {
            std::perror("memfd_create");
            std::abort();
        }
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;
    ~MemFile() { ::close(fd_); }

    const std::string& path() const { return path_; }

    void set(const uint8_t* data, size_t size)
    {
        if (ftruncate(fd_, 0) != 0) std::abort();
        size_t done = 0;
        while (done < size) {
            const ssize_t n = pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
            if (n <= 0) std::abort();
            done += static_cast<size_t>(n);
        }
    }

private:
    int fd_ = -1;
    std::string path_;
};

} // namespace flowladder::fuzz
