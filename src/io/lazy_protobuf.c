/* libprotobuf-c.so.1, opened on first use (see lazy/lazy.h). */
#include "io/lazy_protobuf.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_PROTOBUF
#define LAZY_SONAME_PROTOBUF "libprotobuf-c.so.1"
#define LAZY_PACKAGE_PROTOBUF "libprotobuf-c1"
#endif

const char lazy_protobuf_empty_string[] = "";

LAZY_DEFINE(protobuf, PROTOBUF, LAZY_PROTOBUF_FNS(LAZY_LOOKUP), )
