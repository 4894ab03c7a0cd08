#pragma once
// The one place C++ code includes the server's core headers. They are C headers
// without extern "C" guards; include more specific server headers the same way:
//   extern "C" {
//   #include "utils/builtins.h"
//   }
extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}
