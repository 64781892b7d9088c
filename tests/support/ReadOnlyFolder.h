#pragma once
// Read-only folders for tests that run as root. Root ignores permission bits (CAP_DAC_OVERRIDE):
// a folder chmod 0555 stays writable for it, so a test of "the evidence folder is read-only"
// would pass without testing anything. WithoutDacOverride drops the capabilities that bypass
// permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER) from the calling thread's
// effective set while it lives (they stay permitted and come back afterwards); as a normal user
// it does nothing. Capabilities are per thread: code under test must run on the same thread.
// cannotCreateIn() then checks that the folder really refuses new files (skip the test if not).

#include <cerrno>
#include <fcntl.h>
#include <linux/capability.h>
#include <string>
#include <sys/syscall.h>
#include <unistd.h>

namespace flowladder::testsupport {

class WithoutDacOverride {
public:
    WithoutDacOverride()
    {
        if (::syscall(SYS_capget, &header_, saved_) != 0) return;
        __user_cap_data_struct dropped[2] = {saved_[0], saved_[1]};
        dropped[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH) | (1u << CAP_FOWNER));
        active_ = ::syscall(SYS_capset, &header_, dropped) == 0;
    }
    ~WithoutDacOverride()
    {
        if (active_) ::syscall(SYS_capset, &header_, saved_);
    }
    WithoutDacOverride(const WithoutDacOverride&) = delete;
    WithoutDacOverride& operator=(const WithoutDacOverride&) = delete;

private:
    __user_cap_header_struct header_{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct saved_[2]{};
    bool active_ = false;
};

// True when this thread cannot create a file in `dir`.
inline bool cannotCreateIn(const std::string& dir)
{
    const std::string probe = dir + "/.write-probe";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return errno == EACCES || errno == EPERM || errno == EROFS;
    ::close(fd);
    ::unlink(probe.c_str());
    return false;
}

} // namespace flowladder::testsupport
