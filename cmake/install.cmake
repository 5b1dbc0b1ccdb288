# Installation layout for Debian admins (included by the top CMakeLists).
# Configure with -DCMAKE_INSTALL_PREFIX=/usr: GNUInstallDirs then maps the full
# sysconfdir to /etc and localstatedir to /var, so
#   /usr/sbin/linegated, /usr/sbin/linegatectl
#   /usr/lib/systemd/system/linegated.service  (= /lib/systemd/system, merged /usr)
#   /etc/linegate/linegate.conf.example, sample region database, keys/ (0700)
#   /var/lib/linegate (0700): audit journal and key
#   /usr/share/man/man{5,7,8}, /usr/share/doc/linegate
# Packaging and tests install into a staging root with DESTDIR=...
install(FILES ${PROJECT_SOURCE_DIR}/systemd/linegated.service
        DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/conf/linegate.conf.example
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/linegate)
file(GLOB LG_REGION_SAMPLES ${PROJECT_SOURCE_DIR}/conf/*.txt)
if(LG_REGION_SAMPLES)
  install(FILES ${LG_REGION_SAMPLES} DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/linegate)
endif()
# Empty directories with mode 0700: keys, and the journal (security evidence).
set(LG_DIR_0700 DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
install(DIRECTORY DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/linegate/keys ${LG_DIR_0700})
install(DIRECTORY DESTINATION ${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/linegate ${LG_DIR_0700})

foreach(section 5 7 8)
  file(GLOB LG_MAN ${PROJECT_SOURCE_DIR}/man/*.${section})
  if(LG_MAN)
    install(FILES ${LG_MAN} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endif()
endforeach()
file(GLOB LG_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${LG_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
