/* loader_util.h — a fixture shared by the scenario loader's test programs (test_loader.c,
 * test_loader_errors.c): the full inline scenario that test_loader.c resolves field by field
 * and test_loader_errors.c truncates and corrupts byte by byte. Internal to the tests. */
#ifndef RS_LOADER_UTIL_H
#define RS_LOADER_UTIL_H

/* A valid scenario using every section: four regions (one without stores), six links with
 * three kinds of extra latency, a star strategy with mixed region/store targets, a quorum
 * policy, two weighted event types and two expectations. NUL-terminated; "x.json" in tests. */
extern const char rs__loader_full_text[];

#endif
