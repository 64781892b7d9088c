# `cpack -G DEB` in the build directory: flowladder_VERSION_amd64.deb with everything
# `cmake --install` installs, its library dependencies found by dpkg-shlibdeps.
set(CPACK_PACKAGE_NAME flowladder)
set(CPACK_PACKAGE_VENDOR "FlowLadder")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "See on a ladder diagram why a TCP connection misbehaved")
set(CPACK_PACKAGE_DESCRIPTION
    "FlowLadder opens packet captures (pcap, pcapng, compressed or rotated) and explains on a ladder
diagram why TCP connections misbehaved: RSTs whose sequence number the receiver does not expect,
challenge ACKs, forged RSTs, FIN retransmissions, sides stuck in CLOSE-WAIT, FIN-WAIT or LAST-ACK.
flowladder-cli analyses, compares, renders and sweeps whole archives of captures.")
set(CPACK_PACKAGE_CONTACT "FlowLadder engineers <flowladder@example.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libpcap is loaded with dlopen when live capture or a pcapng copy needs it (core/capture/Libpcap.h),
# so dpkg-shlibdeps cannot see it; live capture is a feature of the package all the same.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libpcap0.8 (>= 1.5)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "wireshark, tcpdump")
set(CPACK_STRIP_FILES ON)
include(CPack)
