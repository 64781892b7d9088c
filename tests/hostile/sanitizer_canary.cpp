// Commits the fault named by its argument so the sanitizers report it (see CMakeLists.txt:
// the exit status of such a report must differ from flowladder-cli's own 0, 1 and 2).
#include <climits>
#include <cstdlib>
#include <cstring>

namespace {

// Opaque to the optimizer, so each fault happens at run time.
volatile int sink = 0;

int heapOverflow()
{
    char* p = new char[8];
    const int i = 8 + sink;
    const int v = p[i]; // NOLINT(clang-analyzer-security.ArrayBound): the fault this canary commits
    delete[] p;
    return v;
}

// Blocks whose last pointer is overwritten (several, so a copy left on the stack cannot hide
// them all from LeakSanitizer).
char* volatile lastBlock = nullptr;

int leak()
{
    for (int i = 0; i < 16; ++i)
        lastBlock = new char[64]; // never freed on purpose: LeakSanitizer's report
    lastBlock = nullptr;
    return 0;
}

int signedOverflow()
{
    const int big = INT_MAX - sink;
    return big + 1; // NOLINT: undefined behaviour on purpose, UBSan's report
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) return 2;
    if (std::strcmp(argv[1], "heap-overflow") == 0) {
        sink = heapOverflow();
        return 0;
    }
    if (std::strcmp(argv[1], "leak") == 0) return leak();
    if (std::strcmp(argv[1], "signed-overflow") == 0) {
        sink = signedOverflow();
        return 0;
    }
    return 2;
}
