# Installation layout (included by the top CMakeLists). With
# -DCMAKE_INSTALL_PREFIX=/usr GNUInstallDirs maps sysconfdir to /etc and
# localstatedir to /var; with the default /usr/local they are
# /usr/local/etc and /usr/local/var, and the generated units say so:
#   PREFIX/sbin/linegated, linegatectl; PREFIX/bin/linegate-regiondb
#   LINEGATE_SYSTEMD_UNITDIR/linegated.service, linegate-regiondb-refresh.{service,timer},
#     linegate-metrics.{service,timer}
#   PREFIX/libexec/linegate/regiondb-refresh, central-store
#   SYSCONFDIR/linegate/keys (0700), SYSCONFDIR/rsyslog.d, SYSCONFDIR/logrotate.d
#   LOCALSTATEDIR/lib/linegate (0711): audit journal (02750/0640, group
#   linegate-audit, made so by linegated) and key (0600)
#   PREFIX/share/doc/linegate/examples: example config, sample region database,
#     RELP forwarding/collector and sysctl examples (nothing "not for
#     production" goes to /etc: the admin writes linegate.conf)
#   PREFIX/share/man/man{1,5,7,8}, PREFIX/share/bash-completion/completions
# Packaging installs into a staging root with DESTDIR=... (debian/rules).
set(LINEGATE_SYSTEMD_UNITDIR lib/systemd/system CACHE STRING
    "where the systemd units go (relative: under the prefix; Debian 12 packages: /lib/systemd/system)")
set(LG_ETC ${CMAKE_INSTALL_FULL_SYSCONFDIR})
set(LG_EXAMPLES ${CMAKE_INSTALL_DOCDIR}/examples)

# The units name the prefix's paths (configure_file), not a fixed /usr/sbin.
foreach(unit linegated.service linegate-regiondb-refresh.service linegate-metrics.service)
  configure_file(${PROJECT_SOURCE_DIR}/systemd/${unit}.in ${PROJECT_BINARY_DIR}/systemd/${unit} @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/systemd/${unit} DESTINATION ${LINEGATE_SYSTEMD_UNITDIR})
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/systemd/linegate-regiondb-refresh.timer
              ${PROJECT_SOURCE_DIR}/systemd/linegate-metrics.timer
        DESTINATION ${LINEGATE_SYSTEMD_UNITDIR})
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/linegate-regiondb-refresh
        DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/linegate RENAME regiondb-refresh)
# The central collector's store step (examples/rsyslog-relp-collector.conf).
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/linegate-central-store
        DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/linegate RENAME central-store)

install(FILES ${PROJECT_SOURCE_DIR}/conf/linegate.conf.example
              ${PROJECT_SOURCE_DIR}/conf/rsyslog-relp-forward.conf
              ${PROJECT_SOURCE_DIR}/conf/rsyslog-relp-collector.conf
              ${PROJECT_SOURCE_DIR}/conf/60-linegate-forwarding.conf
        DESTINATION ${LG_EXAMPLES})
file(GLOB LG_REGION_SAMPLES ${PROJECT_SOURCE_DIR}/conf/*.txt)
if(LG_REGION_SAMPLES)
  install(FILES ${LG_REGION_SAMPLES} DESTINATION ${LG_EXAMPLES})
endif()

# Shipped system integration: the six-month log file and its rotation.
install(FILES ${PROJECT_SOURCE_DIR}/conf/rsyslog-linegate.conf
        DESTINATION ${LG_ETC}/rsyslog.d RENAME 60-linegate.conf)
install(FILES ${PROJECT_SOURCE_DIR}/conf/logrotate-linegate
        DESTINATION ${LG_ETC}/logrotate.d RENAME linegate)
install(FILES ${PROJECT_SOURCE_DIR}/conf/linegatectl.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME linegatectl)

# Empty directories with mode 0700: keys, and the journal (security evidence).
set(LG_DIR_0700 DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
install(DIRECTORY DESTINATION ${LG_ETC}/linegate/keys ${LG_DIR_0700})
set(LG_DIR_0711 DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_EXECUTE WORLD_EXECUTE)
install(DIRECTORY DESTINATION ${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/linegate ${LG_DIR_0711})

foreach(section 1 5 7 8)
  file(GLOB LG_MAN ${PROJECT_SOURCE_DIR}/man/*.${section})
  if(LG_MAN)
    install(FILES ${LG_MAN} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endif()
endforeach()
file(GLOB LG_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${LG_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# `cpack` in the build directory: a tarball of this layout (DESTDIR-style, so
# /etc and /var stay absolute). The Debian package comes from debian/
# (tools/package.sh), which also runs the maintainer scripts' logic.
set(CPACK_GENERATOR TGZ)
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGE_CONTACT "linegate developers <dev@linegate.invalid>")
include(CPack)
