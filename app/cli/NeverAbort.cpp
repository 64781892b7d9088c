#include "app/cli/NeverAbort.h"

#include <cstdlib>
#include <exception>
#include <iostream>

namespace flowladder::cli {

namespace {

std::function<std::string()> whoFails;

void report(const char* what)
{
    std::cerr << (whoFails ? whoFails() : std::string("flowladder")) << ": internal error: " << what << "\n";
}

// Last resort for an exception that escapes where it cannot be caught (a noexcept function, a
// destructor): a message and exit status 1, not SIGABRT.
[[noreturn]] void onTerminate()
{
    const char* what = "terminate called";
    try {
        if (const std::exception_ptr e = std::current_exception()) std::rethrow_exception(e);
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
        what = "unknown exception";
    }
    report(what);
    std::cout.flush();
    std::_Exit(ExitInternalError);
}

} // namespace

int runNeverAborting(std::function<std::string()> who, const std::function<int()>& body)
{
    whoFails = std::move(who);
    std::set_terminate(onTerminate);
    try {
        return body();
    } catch (const std::exception& e) {
        report(e.what());
    } catch (...) {
        report("unknown exception");
    }
    std::cout.flush();
    return ExitInternalError;
}

} // namespace flowladder::cli
